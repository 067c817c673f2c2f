// Pages of the second step of the hosted sign-in: choose a factor, enter a code, use a
// passkey or security key, a recovery code; inline authenticator-app set-up; passwordless
// passkey sign-in; the refusal page of conditional access (names no internals).
import type { Context } from 'koa';
import type { Instance, MfaFactorKind, User } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { t, type Locale } from '../i18n.ts';
import { esc, renderPage } from '../pages/render.ts';
import { optionsBlock, WEBAUTHN_SCRIPTS } from './assets.ts';
import './messages.ts';
import { authenticationOptions, type TotpEnrollment } from './service.ts';

export interface MfaPageState {
  locale: Locale;
  instance: Instance;
  /** The interaction's URL path (forms post to `${base}/...`). */
  base: string;
  csrf: string;
  formOrigins: string[];
  user: User;
  kinds: Set<MfaFactorKind>;
}

const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;

function alert(locale: Locale, key: string | undefined, id = 'mfa-error'): string {
  return key ? `<p class="alert" role="alert" id="${id}">${esc(t(locale, key))}</p>` : '';
}

export async function mfaPage(
  sctx: ServerContext,
  ctx: Context,
  s: MfaPageState,
  extra: { error?: string; status?: number; sent?: { channel: 'email' | 'sms'; id: string } } = {},
): Promise<void> {
  const { locale, base, csrf, kinds } = s;
  const described = extra.error ? ' aria-describedby="mfa-error"' : '';
  const parts: string[] = [];
  if (kinds.has('totp'))
    parts.push(`<form method="post" action="${esc(base)}/mfa/totp" novalidate>
${hidden('csrf', csrf)}
<label for="totp-code">${esc(t(locale, 'mfa.totp.label'))}</label>
<input id="totp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required${described} autofocus>
<button type="submit">${esc(t(locale, 'mfa.totp.submit'))}</button>
</form>`);
  let scripts: string[] = [];
  if (kinds.has('webauthn')) {
    const options = await authenticationOptions(sctx, s.instance, s.user.id);
    scripts = WEBAUTHN_SCRIPTS;
    parts.push(`${optionsBlock(options)}
<form method="post" action="${esc(base)}/mfa/webauthn" data-webauthn="authenticate">
${hidden('csrf', csrf)}
${hidden('credential', '')}
<button type="submit">${esc(t(locale, 'mfa.webauthn.button'))}</button>
<p class="alert" role="alert" id="webauthn-error" hidden>${esc(t(locale, 'mfa.error.webauthn'))}</p>
<noscript><p>${esc(t(locale, 'mfa.webauthn.noscript'))}</p></noscript>
</form>`);
  }
  for (const channel of ['email', 'sms'] as const) {
    if (!kinds.has(channel)) continue;
    if (extra.sent?.channel === channel)
      parts.push(`<p role="status">${esc(t(locale, 'mfa.otp.sent'))}</p>
<form method="post" action="${esc(base)}/mfa/${channel}" novalidate>
${hidden('csrf', csrf)}
${hidden('challenge', extra.sent.id)}
<label for="${channel}-code">${esc(t(locale, 'mfa.otp.label'))}</label>
<input id="${channel}-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required${described} autofocus>
<button type="submit">${esc(t(locale, 'mfa.otp.submit'))}</button>
</form>`);
    else
      parts.push(`<form method="post" action="${esc(base)}/mfa/send">
${hidden('csrf', csrf)}
${hidden('channel', channel)}
<button type="submit" class="secondary">${esc(t(locale, channel === 'email' ? 'mfa.email.send' : 'mfa.sms.send'))}</button>
</form>`);
  }
  parts.push(`<details><summary>${esc(t(locale, 'mfa.recovery.label'))}</summary>
<form method="post" action="${esc(base)}/mfa/recovery" novalidate>
${hidden('csrf', csrf)}
<label for="recovery-code">${esc(t(locale, 'mfa.recovery.label'))}</label>
<input id="recovery-code" name="code" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="40" required>
<button type="submit" class="secondary">${esc(t(locale, 'mfa.recovery.submit'))}</button>
</form></details>`);
  parts.push(`<form method="post" action="${esc(base)}/abort">
${hidden('csrf', csrf)}
<button type="submit" class="secondary">${esc(t(locale, 'page.signin.cancel'))}</button>
</form>`);
  renderPage(ctx, {
    locale,
    status: extra.status ?? 200,
    titleKey: 'mfa.title',
    formOrigins: s.formOrigins,
    scripts,
    body: `<h1>${esc(t(locale, 'mfa.heading'))}</h1>
<p>${esc(t(locale, 'mfa.intro', { user: s.user.username }))}</p>
${alert(locale, extra.error)}
${parts.join('\n')}`,
  });
}

/** The set-up of an authenticator app: QR code (SVG image), the key as text, the first code. */
export function totpEnrollBlock(
  locale: Locale,
  enrollment: TotpEnrollment,
  form: { action: string; csrf: string; error?: string },
): string {
  const img = `data:image/svg+xml;base64,${Buffer.from(enrollment.qrSvg).toString('base64')}`;
  return `<p>${esc(t(locale, 'mfa.enroll.scan'))}</p>
<p><img src="${esc(img)}" alt="${esc(t(locale, 'mfa.enroll.qr_alt'))}" width="200" height="200"></p>
<p class="code" id="totp-secret">${esc(t(locale, 'mfa.enroll.secret', { secret: enrollment.secret }))}</p>
${alert(locale, form.error, 'enroll-error')}
<form method="post" action="${esc(form.action)}" novalidate>
${hidden('csrf', form.csrf)}
${hidden('enrollment', enrollment.enrollmentId)}
<label for="enroll-name">${esc(t(locale, 'mfa.enroll.name'))}</label>
<input id="enroll-name" name="name" type="text" maxlength="64">
<label for="enroll-code">${esc(t(locale, 'mfa.totp.label'))}</label>
<input id="enroll-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required${form.error ? ' aria-describedby="enroll-error"' : ''}>
<button type="submit">${esc(t(locale, 'mfa.enroll.submit'))}</button>
</form>`;
}

export function enrollPage(
  ctx: Context,
  s: MfaPageState,
  enrollment: TotpEnrollment,
  opts: { notice?: string; error?: string; status?: number } = {},
): void {
  const { locale } = s;
  renderPage(ctx, {
    locale,
    status: opts.status ?? 200,
    titleKey: 'mfa.title',
    formOrigins: s.formOrigins,
    body: `<h1>${esc(t(locale, 'mfa.enroll.heading'))}</h1>
${opts.notice ? `<p role="status">${esc(t(locale, opts.notice))}</p>` : ''}
${totpEnrollBlock(locale, enrollment, { action: `${s.base}/enroll`, csrf: s.csrf, ...(opts.error ? { error: opts.error } : {}) })}
<form method="post" action="${esc(s.base)}/abort">
${hidden('csrf', s.csrf)}
<button type="submit" class="secondary">${esc(t(locale, 'page.signin.cancel'))}</button>
</form>`,
  });
}

export function recoveryCodesPage(
  ctx: Context,
  locale: Locale,
  codes: string[],
  next: { action: string; csrf: string; formOrigins?: string[]; method?: 'post' | 'get' },
): void {
  renderPage(ctx, {
    locale,
    titleKey: 'mfa.recovery_codes.heading',
    formOrigins: next.formOrigins ?? [],
    body: `<h1>${esc(t(locale, 'mfa.recovery_codes.heading'))}</h1>
<p>${esc(t(locale, 'mfa.recovery_codes.text'))}</p>
<ul class="code" id="recovery-codes">${codes.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>
<form method="${next.method ?? 'post'}" action="${esc(next.action)}">
${next.method === 'get' ? '' : hidden('csrf', next.csrf)}
<button type="submit" autofocus>${esc(t(locale, 'mfa.continue'))}</button>
</form>`,
  });
}

export async function passkeyPage(
  sctx: ServerContext,
  ctx: Context,
  s: { locale: Locale; instance: Instance; base: string; csrf: string; formOrigins: string[] },
  extra: { error?: string; status?: number } = {},
): Promise<void> {
  const { locale } = s;
  const options = await authenticationOptions(sctx, s.instance, null);
  renderPage(ctx, {
    locale,
    status: extra.status ?? 200,
    titleKey: 'mfa.passkey.heading',
    formOrigins: s.formOrigins,
    scripts: WEBAUTHN_SCRIPTS,
    body: `<h1>${esc(t(locale, 'mfa.passkey.heading'))}</h1>
${alert(locale, extra.error)}
${optionsBlock(options)}
<form method="post" action="${esc(s.base)}/passkey" data-webauthn="authenticate">
${hidden('csrf', s.csrf)}
${hidden('credential', '')}
<button type="submit" autofocus>${esc(t(locale, 'mfa.webauthn.button'))}</button>
<p class="alert" role="alert" id="webauthn-error" hidden>${esc(t(locale, 'mfa.error.webauthn'))}</p>
<noscript><p>${esc(t(locale, 'mfa.webauthn.noscript'))}</p></noscript>
</form>
<form method="post" action="${esc(s.base)}/abort">
${hidden('csrf', s.csrf)}
<button type="submit" class="secondary">${esc(t(locale, 'page.signin.cancel'))}</button>
</form>`,
  });
}

export function deniedPage(ctx: Context, locale: Locale, formOrigins: string[]): void {
  renderPage(ctx, {
    locale,
    status: 403,
    titleKey: 'page.error.title',
    formOrigins,
    body: `<h1>${esc(t(locale, 'page.error.heading'))}</h1>
<p role="alert">${esc(t(locale, 'mfa.denied'))}</p>`,
  });
}
