// The user's account pages (issue 6), server-rendered under /i/:slug/account:
//   GET  /                    sign-in methods, recovery codes
//   GET  /login[?reauth=1]    sign in (again) through the instance's authorization endpoint
//   GET  /callback            back from the sign-in
//   POST /totp, /totp/confirm           add an authenticator app (QR code + key, first code)
//   POST /webauthn, /webauthn/confirm   register a passkey or security key
//   POST /otp, /otp/confirm             turn on codes by email or SMS (a code proves the address)
//   POST /remove              remove a factor (needs a sign-in within the last 10 minutes)
//   POST /recovery            new recovery codes (shown once)
//
// Like the SAML bridge, the page reads the oidc-provider session cookie of the instance
// directly; without one, the browser goes through the authorization endpoint with the
// internal public client `account-portal`, whose redirect URI is /account/callback.
import { createHash, randomBytes } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Instance, MfaFactor, User } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import type { ServerContext } from '../context.ts';
import { t, type Locale } from '../i18n.ts';
import { optionsBlock, WEBAUTHN_SCRIPTS } from '../mfa/assets.ts';
import '../mfa/messages.ts';
import {
  beginTotp,
  confirmTotp,
  enableOtpFactor,
  listFactors,
  MfaError,
  pendingTotp,
  registerCredential,
  registrationOptions,
  regenerateRecoveryCodes,
  removeFactor,
  sendOtp,
  type TotpEnrollment,
} from '../mfa/service.ts';
import { recoveryCodesPage, totpEnrollBlock } from '../mfa/step.ts';
import type { OidcModule } from '../oidc/index.ts';
import { browserSession } from '../oidc/session.ts';
import { ensureInternalClient } from '../oidc/internal-clients.ts';
import { clauseOf, renderUnavailable, SERVING_STATES } from '../oidc/interactions.ts';
import {
  checkCsrf,
  csrfToken,
  esc,
  pageLocale,
  readForm,
  renderError,
  renderPage,
} from '../pages/render.ts';

export const ACCOUNT_CLIENT = 'account-portal';
/** Removing a factor needs a sign-in this recent. */
export const REAUTH_SECONDS = 10 * 60;

const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;

export function createAccountPages(sctx: ServerContext, oidc: OidcModule): Middleware {
  const { config, store } = sctx;
  const base = (i: Instance) => `/i/${i.slug}/account`;

  const ensureClient = (instance: Instance) =>
    ensureInternalClient(
      sctx,
      instance,
      {
        clientId: ACCOUNT_CLIENT,
        name: 'Account',
        redirectUris: [`${config.publicUrl}${base(instance)}/callback`],
        scopes: ['openid'],
        // one created before the internal flag existed is upgraded
        adoptExisting: true,
      },
      oidc.invalidate,
    );

  async function startLogin(ctx: Context, instance: Instance, reauth: boolean): Promise<void> {
    await ensureClient(instance);
    const state = randomBytes(16).toString('base64url');
    ctx.cookies.set('account_state', state, {
      path: base(instance),
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      maxAge: 10 * 60_000,
      overwrite: true,
    });
    const auth = new URL(`${config.publicUrl}/i/${instance.slug}/auth`);
    auth.search = new URLSearchParams({
      client_id: ACCOUNT_CLIENT,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${config.publicUrl}${base(instance)}/callback`,
      state,
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
      code_challenge_method: 'S256',
      ...(reauth ? { max_age: '0' } : {}),
    }).toString();
    ctx.redirect(auth.href);
  }

  const audit = (
    ctx: Context,
    instance: Instance,
    userId: string,
    action: string,
    result: 'success' | 'failure' | 'denied',
    details: Record<string, unknown> = {},
  ) =>
    sctx.audit.record({
      instanceId: instance.id,
      actor: { type: 'user', id: userId },
      action,
      target: { type: 'user', id: userId },
      result,
      ...requestMeta(ctx),
      details,
    });

  function kindLabel(locale: Locale, f: MfaFactor): string {
    return t(locale, `account.kind.${f.kind}`);
  }

  async function overview(
    ctx: Context,
    locale: Locale,
    instance: Instance,
    user: User,
    csrf: string,
    opts: { notice?: string; error?: string; status?: number } = {},
  ): Promise<void> {
    const factors = await listFactors(sctx, instance, user.id);
    const remaining = await store.repos.mfaRecoveryCodes.remaining(instance.id, user.id);
    const b = base(instance);
    const items = factors
      .map(
        (
          f,
        ) => `<li><span>${esc(f.name)}</span> — ${esc(kindLabel(locale, f))}, ${esc(t(locale, 'account.added', { date: f.createdAt.toISOString().slice(0, 10) }))}
<form method="post" action="${esc(b)}/remove">${hidden('csrf', csrf)}${hidden('factor', f.id)}
<button type="submit" class="secondary" aria-label="${esc(`${t(locale, 'account.remove')} ${f.name}`)}">${esc(t(locale, 'account.remove'))}</button></form></li>`,
      )
      .join('\n');
    const has = new Set(factors.map((f) => f.kind));
    const post = (path: string, label: string, fields = '') =>
      `<form method="post" action="${esc(b)}${path}">${hidden('csrf', csrf)}${fields}<button type="submit" class="secondary">${esc(t(locale, label))}</button></form>`;
    renderPage(ctx, {
      locale,
      status: opts.status ?? 200,
      titleKey: 'account.title',
      body: `<h1>${esc(t(locale, 'account.heading'))}</h1>
<p>${esc(t(locale, 'account.signed_in_as', { user: user.username }))}</p>
${opts.notice ? `<p role="status">${esc(t(locale, opts.notice))}</p>` : ''}
${opts.error ? `<p class="alert" role="alert">${esc(t(locale, opts.error))}</p>` : ''}
<h2>${esc(t(locale, 'account.factors'))}</h2>
${factors.length ? `<ul id="factors">${items}</ul>` : `<p>${esc(t(locale, 'account.none'))}</p>`}
${post('/totp', 'account.add_totp')}
${post('/webauthn', 'account.add_webauthn')}
${user.email && !has.has('email') ? post('/otp', 'account.add_email', hidden('channel', 'email')) : ''}
${user.phone && !has.has('sms') ? post('/otp', 'account.add_sms', hidden('channel', 'sms')) : ''}
<h2>${esc(t(locale, 'account.recovery'))}</h2>
<p id="recovery-remaining">${esc(t(locale, 'account.recovery.remaining', { count: remaining }))}</p>
${factors.length ? post('/recovery', 'account.recovery.regenerate') : ''}`,
    });
  }

  /** After the first factor of an account: recovery codes, shown once. */
  async function afterEnroll(
    ctx: Context,
    locale: Locale,
    instance: Instance,
    user: User,
    csrf: string,
  ): Promise<void> {
    if ((await store.repos.mfaRecoveryCodes.remaining(instance.id, user.id)) > 0)
      return overview(ctx, locale, instance, user, csrf, { notice: 'account.saved' });
    const codes = await regenerateRecoveryCodes(sctx, instance, user.id);
    await audit(ctx, instance, user.id, 'mfa.recovery.generate', 'success', {
      count: codes.length,
    });
    return recoveryCodesPage(ctx, locale, codes, {
      action: base(instance),
      csrf,
      method: 'get',
    });
  }

  function enrollTotpPage(
    ctx: Context,
    locale: Locale,
    instance: Instance,
    csrf: string,
    enrollment: TotpEnrollment,
    error?: string,
  ): void {
    renderPage(ctx, {
      locale,
      status: error ? 400 : 200,
      titleKey: 'account.title',
      body: `<h1>${esc(t(locale, 'mfa.enroll.heading'))}</h1>
${totpEnrollBlock(locale, enrollment, { action: `${base(instance)}/totp/confirm`, csrf, ...(error ? { error } : {}) })}
<p><a href="${esc(base(instance))}">${esc(t(locale, 'page.signin.cancel'))}</a></p>`,
    });
  }

  async function webauthnPage(
    ctx: Context,
    locale: Locale,
    instance: Instance,
    user: User,
    csrf: string,
    error?: string,
  ): Promise<void> {
    const options = await registrationOptions(sctx, instance, user);
    renderPage(ctx, {
      locale,
      status: error ? 400 : 200,
      titleKey: 'account.title',
      scripts: WEBAUTHN_SCRIPTS,
      body: `<h1>${esc(t(locale, 'account.add_webauthn'))}</h1>
${error ? `<p class="alert" role="alert">${esc(t(locale, error))}</p>` : ''}
${optionsBlock(options)}
<form method="post" action="${esc(base(instance))}/webauthn/confirm" data-webauthn="register">
${hidden('csrf', csrf)}
${hidden('credential', '')}
<label for="key-name">${esc(t(locale, 'account.webauthn.name'))}</label>
<input id="key-name" name="name" type="text" maxlength="64">
<button type="submit">${esc(t(locale, 'account.webauthn.register'))}</button>
<p class="alert" role="alert" id="webauthn-error" hidden>${esc(t(locale, 'mfa.error.webauthn'))}</p>
<noscript><p>${esc(t(locale, 'mfa.webauthn.noscript'))}</p></noscript>
</form>
<p><a href="${esc(base(instance))}">${esc(t(locale, 'page.signin.cancel'))}</a></p>`,
    });
  }

  function otpConfirmPage(
    ctx: Context,
    locale: Locale,
    instance: Instance,
    csrf: string,
    channel: 'email' | 'sms',
    challenge: string,
    error?: string,
  ): void {
    renderPage(ctx, {
      locale,
      status: error ? 400 : 200,
      titleKey: 'account.title',
      body: `<h1>${esc(t(locale, channel === 'email' ? 'account.add_email' : 'account.add_sms'))}</h1>
<p role="status">${esc(t(locale, 'account.otp.confirm'))}</p>
${error ? `<p class="alert" role="alert">${esc(t(locale, error))}</p>` : ''}
<form method="post" action="${esc(base(instance))}/otp/confirm" novalidate>
${hidden('csrf', csrf)}${hidden('channel', channel)}${hidden('challenge', challenge)}
<label for="otp-code">${esc(t(locale, 'mfa.otp.label'))}</label>
<input id="otp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required>
<button type="submit">${esc(t(locale, 'mfa.otp.submit'))}</button>
</form>`,
    });
  }

  async function handle(ctx: Context, instance: Instance, rest: string): Promise<void> {
    const locale = pageLocale(ctx);
    if (!SERVING_STATES.has(instance.state))
      return renderUnavailable(ctx, instance, await clauseOf(sctx, instance));
    if (rest === '/login' && ctx.method === 'GET')
      return startLogin(ctx, instance, ctx.query.reauth === '1');
    if (rest === '/callback' && ctx.method === 'GET') {
      const want = ctx.cookies.get('account_state', { signed: true });
      ctx.cookies.set('account_state', null, { path: base(instance), signed: true });
      if (!want || ctx.query.state !== want)
        return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
      return ctx.redirect(base(instance));
    }
    const s = await browserSession(sctx, ctx, instance);
    if (!s) {
      if (ctx.method === 'GET' && rest === '') return startLogin(ctx, instance, false);
      return renderError(ctx, locale, { status: 401, messageKey: 'page.error.session' });
    }
    const user = await store.repos.users.get(instance.id, s.accountId);
    if (!user || user.status !== 'enabled')
      return renderError(ctx, locale, { status: 403, messageKey: 'page.error.session' });
    const csrfScope = `${instance.id}:account:${s.sid}`;
    const key = config.cookieKeys[0]!;
    const csrf = csrfToken(key, csrfScope);
    if (ctx.method === 'GET' && rest === '') return overview(ctx, locale, instance, user, csrf);
    if (ctx.method !== 'POST')
      return renderError(ctx, locale, { status: 405, messageKey: 'page.error.session' });
    const form = await readForm(ctx, 64 * 1024);
    if (!checkCsrf(key, csrfScope, form.get('csrf')))
      return renderError(ctx, locale, { status: 403, messageKey: 'page.error.csrf' });

    switch (rest) {
      case '/totp':
        return enrollTotpPage(ctx, locale, instance, csrf, await beginTotp(sctx, instance, user));
      case '/totp/confirm': {
        const id = form.get('enrollment') ?? '';
        try {
          const f = await confirmTotp(
            sctx,
            instance,
            user,
            id,
            form.get('code') ?? '',
            form.get('name') ?? '',
          );
          await audit(ctx, instance, user.id, 'mfa.enroll', 'success', {
            factor: 'totp',
            factorId: f.id,
          });
          return afterEnroll(ctx, locale, instance, user, csrf);
        } catch (err) {
          if (!(err instanceof MfaError)) throw err;
          await audit(ctx, instance, user.id, 'mfa.enroll', 'failure', {
            factor: 'totp',
            reason: err.reason,
          });
          const enrollment =
            (await pendingTotp(sctx, instance, user, id)) ??
            (await beginTotp(sctx, instance, user));
          return enrollTotpPage(ctx, locale, instance, csrf, enrollment, err.key);
        }
      }
      case '/webauthn':
        return webauthnPage(ctx, locale, instance, user, csrf);
      case '/webauthn/confirm':
        try {
          const f = await registerCredential(
            sctx,
            instance,
            user,
            form.get('credential') ?? '',
            form.get('name') ?? '',
          );
          await audit(ctx, instance, user.id, 'mfa.enroll', 'success', {
            factor: 'webauthn',
            factorId: f.id,
            deviceType: f.deviceType,
          });
          return afterEnroll(ctx, locale, instance, user, csrf);
        } catch (err) {
          if (!(err instanceof MfaError)) throw err;
          await audit(ctx, instance, user.id, 'mfa.enroll', 'failure', {
            factor: 'webauthn',
            reason: err.reason.slice(0, 200),
          });
          return webauthnPage(ctx, locale, instance, user, csrf, err.key);
        }
      case '/otp':
      case '/otp/confirm': {
        const channel = form.get('channel');
        if (channel !== 'email' && channel !== 'sms')
          return overview(ctx, locale, instance, user, csrf, {
            error: 'mfa.error.method',
            status: 400,
          });
        try {
          if (rest === '/otp') {
            const challenge = await sendOtp(sctx, instance, user, channel, locale);
            return otpConfirmPage(ctx, locale, instance, csrf, channel, challenge);
          }
          const f = await enableOtpFactor(
            sctx,
            instance,
            user,
            channel,
            form.get('challenge') ?? '',
            form.get('code') ?? '',
          );
          await audit(ctx, instance, user.id, 'mfa.enroll', 'success', {
            factor: channel,
            factorId: f.id,
          });
          return afterEnroll(ctx, locale, instance, user, csrf);
        } catch (err) {
          if (!(err instanceof MfaError)) throw err;
          await audit(ctx, instance, user.id, 'mfa.enroll', 'failure', {
            factor: channel,
            reason: err.reason,
          });
          const challenge = form.get('challenge');
          if (rest === '/otp/confirm' && challenge && err.key === 'mfa.error.code')
            return otpConfirmPage(ctx, locale, instance, csrf, channel, challenge, err.key);
          return overview(ctx, locale, instance, user, csrf, { error: err.key, status: 400 });
        }
      }
      case '/remove': {
        const nowS = Math.floor(sctx.clock.now().getTime() / 1000);
        if (s.loginTs === null || nowS - s.loginTs > REAUTH_SECONDS) {
          await audit(ctx, instance, user.id, 'mfa.remove', 'denied', { reason: 'reauth' });
          return renderPage(ctx, {
            locale,
            status: 403,
            titleKey: 'account.title',
            body: `<h1>${esc(t(locale, 'account.heading'))}</h1>
<p role="alert">${esc(t(locale, 'account.reauth'))}</p>
<p><a href="${esc(base(instance))}/login?reauth=1">${esc(t(locale, 'page.signin.submit'))}</a></p>`,
          });
        }
        const removed = await removeFactor(sctx, instance, user.id, form.get('factor') ?? '');
        if (!removed)
          return overview(ctx, locale, instance, user, csrf, {
            error: 'page.error.session',
            status: 404,
          });
        await audit(ctx, instance, user.id, 'mfa.remove', 'success', {
          factor: removed.kind,
          factorId: removed.id,
        });
        return overview(ctx, locale, instance, user, csrf, { notice: 'account.removed' });
      }
      case '/recovery': {
        if (!(await listFactors(sctx, instance, user.id)).length)
          return overview(ctx, locale, instance, user, csrf, {
            error: 'mfa.error.method',
            status: 400,
          });
        const codes = await regenerateRecoveryCodes(sctx, instance, user.id);
        await audit(ctx, instance, user.id, 'mfa.recovery.generate', 'success', {
          count: codes.length,
        });
        return recoveryCodesPage(ctx, locale, codes, {
          action: base(instance),
          csrf,
          method: 'get',
        });
      }
    }
    return renderError(ctx, locale, { status: 404, messageKey: 'page.error.session' });
  }

  return async (ctx, next) => {
    const m = /^\/i\/([a-z0-9][a-z0-9-]{0,62})\/account(\/[a-z/]*)?$/.exec(ctx.path);
    if (!m) return next();
    const instance = await store.repos.instances.getBySlug(m[1]!);
    if (
      !instance ||
      instance.dataKeyWrapped === null ||
      ['released', 'void'].includes(instance.state)
    )
      return next();
    ctx.state.instance = instance;
    const rest = (m[2] ?? '').replace(/\/$/, '');
    return handle(ctx, instance, rest);
  };
}
