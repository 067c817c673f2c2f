// Interactions: the hosted sign-in and consent pages of an instance.
//   GET  /i/:slug/interaction/:uid          sign-in or consent, whichever the provider asks for
//   POST /i/:slug/interaction/:uid/login    username + password (CSRF token, rate limits)
//   POST /i/:slug/interaction/:uid/confirm  consent granted
//   POST /i/:slug/interaction/:uid/abort    cancel → access_denied to the client
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Instance, InstanceState } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { t, type Locale } from '../i18n.ts';
import {
  checkCsrf,
  csrfToken,
  esc,
  pageLocale,
  readForm,
  renderError,
  renderPage,
} from '../pages/render.ts';
import { passwordStep } from './password-step.ts';

/** States in which end users may sign in (clauses ID1/ID2: otherwise refused). */
export const SERVING_STATES: ReadonlySet<InstanceState> = new Set([
  'active',
  'grace',
  'downgraded',
]);

export function unavailableKey(state: InstanceState): string {
  if (state === 'pending-payment') return 'page.unavailable.pending';
  if (state === 'released' || state === 'void' || state === 'terminated')
    return 'page.unavailable.released';
  return 'page.unavailable.suspended';
}

/**
 * The clause that put the instance where it is: the last transition of its lifecycle
 * (ID1, ID2, G3.2.1 …); ID1/ID2 for an instance without a lifecycle row.
 */
export async function clauseOf(sctx: ServerContext, instance: Instance): Promise<string> {
  return (await sctx.store.repos.lifecycles.get(instance.id))?.clause ?? 'ID1/ID2';
}

/** The localized "sign-in unavailable" page, naming the clause. */
export function renderUnavailable(ctx: Context, instance: Instance, clause: string): void {
  const locale = pageLocale(ctx);
  renderPage(ctx, {
    locale,
    status: 403,
    titleKey: 'page.unavailable.title',
    body: `<h1>${esc(t(locale, 'page.unavailable.heading', { instance: instance.displayName }))}</h1>
<p role="alert">${esc(t(locale, unavailableKey(instance.state), { clause }))}</p>`,
  });
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

function origins(uris: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const u of uris ?? [])
    try {
      out.push(new URL(u).origin);
    } catch {
      /* skip */
    }
  return out;
}

interface ClientView {
  name: string;
  origins: string[];
}

async function clientView(provider: Provider, clientId: unknown): Promise<ClientView> {
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  return {
    name: client?.clientName ?? String(clientId ?? ''),
    origins: origins(client?.redirectUris),
  };
}

function signInPage(
  ctx: Context,
  locale: Locale,
  instance: Instance,
  uid: string,
  csrf: string,
  client: ClientView,
  opts: { error?: string; login?: string; status?: number } = {},
): void {
  const base = `/i/${encodeURIComponent(instance.slug)}/interaction/${encodeURIComponent(uid)}`;
  renderPage(ctx, {
    locale,
    status: opts.status ?? 200,
    titleKey: 'page.signin.title',
    formOrigins: client.origins,
    body: `<h1>${esc(t(locale, 'page.signin.heading', { instance: instance.displayName }))}</h1>
<p>${esc(t(locale, 'page.signin.client', { client: client.name }))}</p>
${opts.error ? `<p class="alert" role="alert" id="signin-error">${esc(t(locale, opts.error))}</p>` : ''}
<form method="post" action="${esc(base)}/login" novalidate>
<input type="hidden" name="csrf" value="${esc(csrf)}">
<label for="login">${esc(t(locale, 'page.signin.username'))}</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${esc(opts.login ?? '')}"${opts.error ? ' aria-describedby="signin-error"' : ''} autofocus>
<label for="password">${esc(t(locale, 'page.signin.password'))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${esc(t(locale, 'page.signin.submit'))}</button>
</form>
<form method="post" action="${esc(base)}/abort">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<button type="submit" class="secondary">${esc(t(locale, 'page.signin.cancel'))}</button>
</form>`,
  });
}

function scopeLabel(locale: Locale, scope: string): string {
  const key = `page.scope.${scope}`;
  const msg = t(locale, key);
  return msg === key ? t(locale, 'page.scope.other', { scope }) : msg;
}

async function consentPage(
  ctx: Context,
  locale: Locale,
  instance: Instance,
  details: Details,
  csrf: string,
  client: ClientView,
  sctx: ServerContext,
): Promise<void> {
  const d = details.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const scopes = new Set<string>(d.missingOIDCScope ?? []);
  for (const list of Object.values(d.missingResourceScopes ?? {}))
    for (const s of list) scopes.add(s);
  if (!scopes.size)
    for (const s of String(details.params.scope ?? '').split(' ')) if (s) scopes.add(s);
  const accountId = details.session?.accountId;
  const user = accountId ? await sctx.store.repos.users.get(instance.id, accountId) : null;
  const base = `/i/${encodeURIComponent(instance.slug)}/interaction/${encodeURIComponent(details.uid)}`;
  renderPage(ctx, {
    locale,
    titleKey: 'page.consent.title',
    formOrigins: client.origins,
    body: `<h1>${esc(t(locale, 'page.consent.heading', { client: client.name }))}</h1>
${user ? `<p>${esc(t(locale, 'page.consent.signed_in_as', { user: user.username }))}</p>` : ''}
<p id="scopes-label">${esc(t(locale, 'page.consent.scopes'))}</p>
<ul aria-labelledby="scopes-label">${[...scopes].map((s) => `<li>${esc(scopeLabel(locale, s))}</li>`).join('')}</ul>
<form method="post" action="${esc(base)}/confirm">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<button type="submit" autofocus>${esc(t(locale, 'page.consent.allow'))}</button>
</form>
<form method="post" action="${esc(base)}/abort">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<button type="submit" class="secondary">${esc(t(locale, 'page.consent.deny'))}</button>
</form>`,
  });
}

/** Handles `/interaction/...` (path relative to the instance mount). */
export async function handleInteraction(
  sctx: ServerContext,
  ctx: Context,
  provider: Provider,
  instance: Instance,
  rest: string,
): Promise<void> {
  const m = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|confirm|abort))?$/.exec(rest);
  const locale = pageLocale(ctx);
  if (!m) return renderError(ctx, locale, { status: 404, messageKey: 'page.error.session' });
  const uid = m[1]!;
  const action = m[2];
  if (!SERVING_STATES.has(instance.state))
    return renderUnavailable(ctx, instance, await clauseOf(sctx, instance));

  let details: Details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
  }
  if (details.uid !== uid)
    return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
  const key = sctx.config.cookieKeys[0]!;
  const csrf = csrfToken(key, `${instance.id}:${uid}`);
  const client = await clientView(provider, details.params.client_id);

  if (ctx.method === 'GET' && !action) {
    if (details.prompt.name === 'login')
      return signInPage(ctx, locale, instance, uid, csrf, client);
    return consentPage(ctx, locale, instance, details, csrf, client, sctx);
  }
  if (ctx.method !== 'POST' || !action)
    return renderError(ctx, locale, { status: 405, messageKey: 'page.error.session' });

  const form = await readForm(ctx);
  if (!checkCsrf(key, `${instance.id}:${uid}`, form.get('csrf')))
    return renderError(ctx, locale, { status: 403, messageKey: 'page.error.csrf' });

  const finish = async (result: Record<string, unknown>, merge = true) => {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: merge,
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };

  if (action === 'abort')
    return finish(
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      false,
    );

  if (action === 'login') {
    if (details.prompt.name !== 'login')
      return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
    const login = (form.get('login') ?? '').trim().slice(0, 320);
    const password = form.get('password') ?? '';
    const r = await passwordStep(sctx, ctx, instance, login, password);
    if (!r.ok) {
      if (r.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(r.retryAfterSeconds));
      return signInPage(ctx, locale, instance, uid, csrf, client, {
        error: r.errorKey,
        login,
        status: r.status,
      });
    }
    sctx.events.emit('authenticated', {
      instanceId: instance.id,
      userId: r.user.id,
      at: sctx.clock.now(),
    });
    ctx.state.log?.info({ event: 'login.succeeded', userId: r.user.id }, 'sign-in succeeded');
    return finish({ login: { accountId: r.user.id, amr: ['pwd'] } }, false);
  }

  // confirm (consent)
  if (details.prompt.name !== 'consent')
    return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
  const accountId = details.session?.accountId;
  if (!accountId)
    return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
  const d = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  if (!grant) return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  return finish({ consent: details.grantId ? {} : { grantId } }, true);
}
