// The provider-driven hosted pages (device code entry/confirm/success, sign-out
// confirmation/done, OAuth error page) rendered with our layout and messages.
// oidc-provider hands us its own forms; we keep their hidden anti-CSRF field (`xsrf`,
// checked by the library) and render accessible, localized controls around them.
import type { Context } from 'koa';
import type { Instance } from '@idaas/core';
import { t } from '../i18n.ts';
import { esc, pageLocale, renderPage } from '../pages/render.ts';

function attr(form: string, name: string): string {
  const re = new RegExp(`name="${name}" value="([^"]*)"`);
  return re.exec(form)?.[1] ?? '';
}
function action(form: string): string {
  return /action="([^"]*)"/.exec(form)?.[1] ?? '';
}

function instanceName(ctx: Context): string {
  const inst = (ctx.state as { instance?: Instance }).instance;
  return inst?.displayName ?? inst?.slug ?? '';
}

function clientOrigins(ctx: Context): string[] {
  const client = (
    ctx as unknown as {
      oidc?: { client?: { redirectUris?: string[]; postLogoutRedirectUris?: string[] } };
    }
  ).oidc?.client;
  const uris = [...(client?.redirectUris ?? []), ...(client?.postLogoutRedirectUris ?? [])];
  const out: string[] = [];
  for (const u of uris) {
    try {
      out.push(new URL(u).origin);
    } catch {
      /* ignore */
    }
  }
  return out;
}

export async function userCodeInputSource(
  ctx: Context,
  form: string,
  _out?: unknown,
  err?: Error & { userCode?: string },
): Promise<void> {
  const locale = pageLocale(ctx);
  let msg = '';
  if (err && (err.userCode || err.name === 'NoCodeError')) msg = 'page.device.invalid';
  else if (err && err.name === 'AbortedError') msg = 'page.device.aborted';
  else if (err) msg = 'page.device.error';
  renderPage(ctx, {
    locale,
    status: err ? 400 : 200,
    titleKey: 'page.device.title',
    body: `<h1>${esc(t(locale, 'page.device.heading'))}</h1>
${msg ? `<p class="alert" role="alert">${esc(t(locale, msg))}</p>` : `<p>${esc(t(locale, 'page.device.prompt'))}</p>`}
<form method="post" action="${esc(action(form))}">
<input type="hidden" name="xsrf" value="${esc(attr(form, 'xsrf'))}">
<label for="user_code">${esc(t(locale, 'page.device.code'))}</label>
<input id="user_code" name="user_code" type="text" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus>
<button type="submit">${esc(t(locale, 'page.device.submit'))}</button>
</form>`,
  });
}

export async function userCodeConfirmSource(
  ctx: Context,
  form: string,
  client: { clientName?: string; clientId: string },
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  const locale = pageLocale(ctx);
  const xsrf = esc(attr(form, 'xsrf'));
  renderPage(ctx, {
    locale,
    titleKey: 'page.device.title',
    body: `<h1>${esc(t(locale, 'page.device.confirm_heading'))}</h1>
<p>${esc(t(locale, 'page.device.confirm_text', { client: client.clientName ?? client.clientId }))}</p>
<p class="code" aria-label="${esc(t(locale, 'page.device.code'))}">${esc(userCode)}</p>
<form method="post" action="${esc(action(form))}">
<input type="hidden" name="xsrf" value="${xsrf}">
<input type="hidden" name="user_code" value="${esc(userCode)}">
<button type="submit" name="confirm" value="yes">${esc(t(locale, 'page.device.confirm'))}</button>
<button type="submit" name="abort" value="yes" class="secondary">${esc(t(locale, 'page.device.abort'))}</button>
</form>`,
  });
}

export async function successSource(ctx: Context): Promise<void> {
  const locale = pageLocale(ctx);
  renderPage(ctx, {
    locale,
    titleKey: 'page.device.success_title',
    body: `<h1>${esc(t(locale, 'page.device.success_title'))}</h1>
<p role="status">${esc(t(locale, 'page.device.success'))}</p>`,
  });
}

export async function logoutSource(ctx: Context, form: string): Promise<void> {
  const locale = pageLocale(ctx);
  renderPage(ctx, {
    locale,
    titleKey: 'page.signout.title',
    formOrigins: clientOrigins(ctx),
    body: `<h1>${esc(t(locale, 'page.signout.heading', { instance: instanceName(ctx) }))}</h1>
<form method="post" action="${esc(action(form))}">
<input type="hidden" name="xsrf" value="${esc(attr(form, 'xsrf'))}">
<button type="submit" name="logout" value="yes" autofocus>${esc(t(locale, 'page.signout.yes'))}</button>
<button type="submit" class="secondary">${esc(t(locale, 'page.signout.no'))}</button>
</form>`,
  });
}

export async function postLogoutSuccessSource(ctx: Context): Promise<void> {
  const locale = pageLocale(ctx);
  renderPage(ctx, {
    locale,
    titleKey: 'page.signout.done_title',
    body: `<h1>${esc(t(locale, 'page.signout.done_title'))}</h1>
<p role="status">${esc(t(locale, 'page.signout.done'))}</p>`,
  });
}

export async function renderProviderError(
  ctx: Context,
  out: { error?: string; error_description?: string },
): Promise<void> {
  const locale = pageLocale(ctx);
  renderPage(ctx, {
    locale,
    status: ctx.status >= 400 ? ctx.status : 400,
    titleKey: 'page.error.title',
    body: `<h1>${esc(t(locale, 'page.error.heading'))}</h1>
${out.error_description ? `<p role="alert">${esc(out.error_description)}</p>` : ''}
<p>${esc(t(locale, 'page.error.code', { code: out.error ?? 'server_error' }))}</p>`,
  });
}
