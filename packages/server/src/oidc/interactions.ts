// Interactions: the hosted sign-in and consent pages of an instance.
//   GET  /i/:slug/interaction/:uid          sign-in, second step or consent, whichever is due
//   POST /i/:slug/interaction/:uid/login    username + password (CSRF token, rate limits)
//   POST /i/:slug/interaction/:uid/passkey  passwordless sign-in with a discoverable credential
//   POST /i/:slug/interaction/:uid/mfa/:m   second step: totp | webauthn | email | sms | recovery
//   POST /i/:slug/interaction/:uid/mfa/send a one-time code by email or SMS
//   POST /i/:slug/interaction/:uid/enroll   inline authenticator-app set-up (MFA required, none yet)
//   POST /i/:slug/interaction/:uid/continue after the recovery codes of an inline set-up
//   POST /i/:slug/interaction/:uid/confirm  consent granted
//   POST /i/:slug/interaction/:uid/abort    cancel → access_denied to the client
//
// After the first factor, conditional access (security/access.ts) decides allow / deny /
// mfa; the second step is due when it says mfa, when the user has enrolled factors, or
// when the client asked for a stronger acr (acr_values, step-up of an existing session).
// The pending first-factor state lives in the interaction's stored result, server-side.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Instance, InstanceState, User } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import { ADMIN_SCOPE, isOperatorUser } from '../bootstrap.ts';
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
import { passwordChangePage } from './password-change.ts';
import {
  ACCESS_DECIDED,
  ACCESS_MFA_REASON,
  deviceKnown,
  evaluateSignIn,
  rememberDevice,
} from '../security/access.ts';
import { BRIDGE_CLIENT, samlApplicationOf } from '../saml/pending.ts';
import {
  ACR,
  acrRank,
  amrOf,
  authenticateCredential,
  beginTotp,
  confirmTotp,
  MfaError,
  pendingTotp,
  regenerateRecoveryCodes,
  sendOtp,
  useRecoveryCode,
  usableKinds,
  verifyOtp,
  verifyTotp,
} from '../mfa/service.ts';
import {
  deniedPage,
  enrollPage,
  mfaPage,
  passkeyPage,
  recoveryCodesPage,
  type MfaPageState,
} from '../mfa/step.ts';

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
<p><a href="/i/${esc(encodeURIComponent(instance.slug))}/password/forgot">${esc(t(locale, 'page.signin.forgot'))}</a></p>
<form method="post" action="${esc(base)}/passkey">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<button type="submit" class="secondary">${esc(t(locale, 'mfa.passkey.signin'))}</button>
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

/** The first factor passed, waiting for the second step (kept in the interaction's result). */
interface Pending {
  userId: string;
  /** amr of the factors passed so far. */
  amr: string[];
  /** A step-up of an existing session (no first factor on this interaction). */
  stepUp?: boolean;
  /** Inline set-up done: the sign-in completes with this acr once the codes were shown. */
  done?: { acr: string; amr: string[] };
}

const PENDING = 'idaas_pending';
/** Reasons of the login prompt that a second step alone satisfies (see provider.ts). */
export const STEP_UP_REASON = 'idaas_acr';

function readPending(details: Details): Pending | null {
  const p = (details.result as Record<string, unknown> | undefined)?.[PENDING] as
    Pending | undefined;
  return p && typeof p.userId === 'string' && Array.isArray(p.amr) ? p : null;
}

async function savePending(details: Details, pending: Pending): Promise<void> {
  details.result = { [PENDING]: pending };
  await details.persist();
}

/** The weakest of the requested acr values we know (acr_values is a preference list). */
export function requestedRank(acrValues: unknown): number {
  if (typeof acrValues !== 'string') return 0;
  const ranks = acrValues
    .split(' ')
    .map(acrRank)
    .filter((r) => r > 0);
  return ranks.length ? Math.min(...ranks) : 0;
}

/** Handles `/interaction/...` (path relative to the instance mount). */
export async function handleInteraction(
  sctx: ServerContext,
  ctx: Context,
  provider: Provider,
  instance: Instance,
  rest: string,
): Promise<void> {
  const m =
    /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|confirm|abort|passkey|enroll|continue|mfa\/(?:totp|webauthn|email|sms|recovery|send)))?$/.exec(
      rest,
    );
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
  const base = `/i/${encodeURIComponent(instance.slug)}/interaction/${encodeURIComponent(uid)}`;
  const required = requestedRank(details.params.acr_values);
  const meta = requestMeta(ctx);
  const audit = (
    action: string,
    result: 'success' | 'failure' | 'denied',
    userId: string | null,
    detailsOut: Record<string, unknown> = {},
  ) =>
    sctx.audit.record({
      instanceId: instance.id,
      actor: userId ? { type: 'user', id: userId } : { type: 'anonymous', id: null },
      action,
      target: userId ? { type: 'user', id: userId } : null,
      result,
      ...meta,
      details: { client: client.name, ...detailsOut },
    });

  // What provider.interactionResult does, on the interaction this request already loaded
  // (and whose cookie it already checked) instead of reading it once more.
  const finish = async (result: Record<string, unknown>, merge = true) => {
    details.result =
      merge && !('error' in result) ? { ...details.lastSubmission, ...result } : result;
    await details.persist();
    ctx.status = 303;
    ctx.redirect(details.returnTo);
  };

  /**
   * The sign-in is complete: session acr/amr, metering, device memory, audit. `earlier`
   * records (the access decision) are queued with the success so one audit write holds both.
   * `decided`: conditional access decided this sign-in after its first factor (not a
   * step-up of a session), so the resumed authorization does not evaluate it again.
   */
  const complete = async (
    user: User,
    acr: string,
    amr: string[],
    decided: boolean,
    earlier?: () => Promise<void>,
  ) => {
    sctx.events.emit('authenticated', {
      instanceId: instance.id,
      userId: user.id,
      at: sctx.clock.now(),
    });
    await rememberDevice(sctx, ctx, instance, user.id);
    await Promise.all([earlier?.(), audit('login.succeeded', 'success', user.id, { acr, amr })]);
    ctx.state.log?.info({ event: 'login.succeeded', userId: user.id, acr }, 'sign-in succeeded');
    return finish(
      {
        login: { accountId: user.id, acr, amr, remember: true },
        ...(decided ? { [ACCESS_DECIDED]: true } : {}),
      },
      false,
    );
  };

  const pageState = (user: User, _pending: Pending): Omit<MfaPageState, 'kinds'> => ({
    locale,
    instance,
    base,
    csrf,
    formOrigins: client.origins,
    user,
  });

  const showMfa = async (
    user: User,
    pending: Pending,
    extra: {
      error?: string;
      status?: number;
      sent?: { channel: 'email' | 'sms'; id: string };
    } = {},
  ) => {
    const factors = await sctx.store.repos.mfaFactors.list(instance.id, user.id);
    let kinds = usableKinds(user, factors);
    if (required >= acrRank(ACR.phr) && kinds.has('webauthn')) kinds = new Set(['webauthn']);
    return mfaPage(sctx, ctx, { ...pageState(user, pending), kinds }, extra);
  };

  /**
   * After a first factor (password, or a passkey that stands for two): conditional access,
   * then either the second step or completion.
   */
  const afterFirstFactor = async (user: User, amr: string[], passwordless: boolean) => {
    const clientId = String(details.params.client_id ?? '');
    // a SAML sign-in (the bridge client): the SP of the pending SSO request, looked up
    // server-side by the bridge's state
    const application =
      clientId === BRIDGE_CLIENT
        ? ((await samlApplicationOf(sctx, instance, details.params.state)) ?? {
            kind: 'oidc' as const,
            id: clientId,
          })
        : clientId
          ? { kind: 'oidc' as const, id: clientId }
          : null;
    const decision = await evaluateSignIn(sctx, {
      instance,
      user,
      application,
      ip: ctx.ip,
      deviceKnown: await deviceKnown(sctx, ctx, instance, user.id),
    });
    const decided = () =>
      audit('access.decision', decision.decision === 'deny' ? 'denied' : 'success', user.id, {
        decision: decision.decision,
        policy: decision.policy?.id ?? null,
      });
    if (decision.decision === 'deny') {
      await decided();
      await audit('login.failed', 'denied', user.id, { reason: 'access_policy', factors: amr });
      sctx.metrics.logins.inc({ result: 'failure' });
      return deniedPage(ctx, locale, client.origins);
    }
    if (passwordless) return complete(user, ACR.phr, amr, true, decided);
    const factors = await sctx.store.repos.mfaFactors.list(instance.id, user.id);
    const kinds = usableKinds(user, factors);
    const mfaNeeded = decision.decision === 'mfa' || kinds.size > 0 || required >= acrRank(ACR.mfa);
    if (!mfaNeeded) return complete(user, ACR.pwd, amr, true, decided);
    await decided();
    const pending: Pending = { userId: user.id, amr };
    await savePending(details, pending);
    if (kinds.size === 0) {
      // MFA required but nothing enrolled: set up an authenticator app inline
      const enrollment = await beginTotp(sctx, instance, user);
      return enrollPage(ctx, { ...pageState(user, pending), kinds: new Set() }, enrollment, {
        notice: 'mfa.required_none',
      });
    }
    return showMfa(user, pending);
  };

  const pendingUser = async (pending: Pending | null): Promise<User | null> => {
    if (!pending) return null;
    const user = await sctx.store.repos.users.get(instance.id, pending.userId);
    return user && user.status === 'enabled' ? user : null;
  };

  if (ctx.method === 'GET' && !action) {
    if (details.prompt.name === 'login') {
      let pending = readPending(details);
      const sessionAccount = details.session?.accountId;
      const reasons = details.prompt.reasons ?? [];
      if (
        !pending &&
        sessionAccount &&
        reasons.length > 0 &&
        reasons.every((r) => r === STEP_UP_REASON || r === ACCESS_MFA_REASON)
      ) {
        // step-up: the session is good but its acr is weaker than the client asks for, or
        // than an access policy for this client requires (security/access.ts)
        const sessionAmr = (details.session as { amr?: string[] } | undefined)?.amr;
        pending = { userId: sessionAccount, amr: sessionAmr ?? ['pwd'], stepUp: true };
        const user = await pendingUser(pending);
        if (user) {
          const factors = await sctx.store.repos.mfaFactors.list(instance.id, user.id);
          await savePending(details, pending);
          if (usableKinds(user, factors).size === 0) {
            const enrollment = await beginTotp(sctx, instance, user);
            return enrollPage(ctx, { ...pageState(user, pending), kinds: new Set() }, enrollment, {
              notice: 'mfa.required_none',
            });
          }
          return showMfa(user, pending);
        }
        pending = null;
      }
      const user = await pendingUser(pending);
      if (pending && user && !pending.done) return showMfa(user, pending);
      return signInPage(ctx, locale, instance, uid, csrf, client);
    }
    return consentPage(ctx, locale, instance, details, csrf, client, sctx);
  }
  if (ctx.method !== 'POST' || !action)
    return renderError(ctx, locale, { status: 405, messageKey: 'page.error.session' });

  const form = await readForm(ctx, 64 * 1024);
  if (!checkCsrf(key, `${instance.id}:${uid}`, form.get('csrf')))
    return renderError(ctx, locale, { status: 403, messageKey: 'page.error.csrf' });

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
      await audit('login.failed', 'failure', null, {
        factor: 'pwd',
        reason: r.status === 429 ? 'rate_limited' : 'invalid_credentials',
      });
      return signInPage(ctx, locale, instance, uid, csrf, client, {
        error: r.errorKey,
        login,
        status: r.status,
      });
    }
    // forced password change (issue 6): a new password first, then the user signs in again
    if (r.changeRequired)
      return passwordChangePage(sctx, ctx, { locale, instance, uid, user: r.user });
    return afterFirstFactor(r.user, ['pwd'], false);
  }

  if (action === 'passkey') {
    if (details.prompt.name !== 'login')
      return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
    const credential = form.get('credential');
    if (!credential)
      return passkeyPage(sctx, ctx, { locale, instance, base, csrf, formOrigins: client.origins });
    const limit = sctx.config.rateLimit.loginPerMinute;
    const byIp = await sctx.limiter.hit(`login:ip:${instance.id}:${ctx.ip}`, limit, 60_000);
    if (!byIp.allowed)
      return passkeyPage(
        sctx,
        ctx,
        { locale, instance, base, csrf, formOrigins: client.origins },
        {
          error: 'mfa.error.rate_limited',
          status: 429,
        },
      );
    try {
      const { factor, userVerified } = await authenticateCredential(
        sctx,
        instance,
        null,
        credential,
      );
      const user = await sctx.store.repos.users.get(instance.id, factor.userId);
      if (!user || user.status !== 'enabled')
        throw new MfaError('user cannot sign in', 'mfa.error.webauthn');
      sctx.metrics.logins.inc({ result: 'success' });
      return afterFirstFactor(user, [...amrOf('webauthn', userVerified), 'mfa'], true);
    } catch (err) {
      if (!(err instanceof MfaError)) throw err;
      sctx.metrics.logins.inc({ result: 'failure' });
      await audit('login.failed', 'failure', null, {
        factor: 'webauthn',
        reason: err.reason.slice(0, 200),
      });
      return passkeyPage(
        sctx,
        ctx,
        { locale, instance, base, csrf, formOrigins: client.origins },
        {
          error: err.key,
          status: 401,
        },
      );
    }
  }

  if (action === 'enroll' || action === 'continue' || action.startsWith('mfa/')) {
    const pending = details.prompt.name === 'login' ? readPending(details) : null;
    const user = await pendingUser(pending);
    if (!pending || !user)
      return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });

    if (action === 'continue') {
      if (!pending.done)
        return renderError(ctx, locale, { status: 400, messageKey: 'page.error.session' });
      return complete(user, pending.done.acr, pending.done.amr, !pending.stepUp);
    }

    if (action === 'enroll') {
      const enrollmentId = form.get('enrollment') ?? '';
      try {
        await confirmTotp(
          sctx,
          instance,
          user,
          enrollmentId,
          form.get('code') ?? '',
          form.get('name') ?? '',
        );
      } catch (err) {
        if (!(err instanceof MfaError)) throw err;
        await audit('mfa.enroll', 'failure', user.id, { factor: 'totp', reason: err.reason });
        const enrollment =
          (await pendingTotp(sctx, instance, user, enrollmentId)) ??
          (await beginTotp(sctx, instance, user));
        return enrollPage(ctx, { ...pageState(user, pending), kinds: new Set() }, enrollment, {
          error: err.key,
          status: 401,
        });
      }
      await audit('mfa.enroll', 'success', user.id, { factor: 'totp', inline: true });
      const codes = await regenerateRecoveryCodes(sctx, instance, user.id);
      await audit('mfa.recovery.generate', 'success', user.id, { count: codes.length });
      const amr = [...new Set([...pending.amr, ...amrOf('totp'), 'mfa'])];
      await savePending(details, { ...pending, done: { acr: ACR.mfa, amr } });
      return recoveryCodesPage(ctx, locale, codes, {
        action: `${base}/continue`,
        csrf,
        formOrigins: client.origins,
      });
    }

    const method = action.slice(4) as 'totp' | 'webauthn' | 'email' | 'sms' | 'recovery' | 'send';
    const factors = await sctx.store.repos.mfaFactors.list(instance.id, user.id);
    const kinds = usableKinds(user, factors);

    if (method === 'send') {
      const channel = form.get('channel');
      if ((channel !== 'email' && channel !== 'sms') || !kinds.has(channel))
        return showMfa(user, pending, { error: 'mfa.error.method', status: 400 });
      try {
        const id = await sendOtp(sctx, instance, user, channel, locale);
        await audit('mfa.challenge.sent', 'success', user.id, { factor: channel });
        return showMfa(user, pending, { sent: { channel, id } });
      } catch (err) {
        if (!(err instanceof MfaError)) throw err;
        return showMfa(user, pending, { error: err.key, status: 429 });
      }
    }

    if (method !== 'recovery' && !kinds.has(method))
      return showMfa(user, pending, { error: 'mfa.error.method', status: 400 });
    const limit = await sctx.limiter.hit(
      `mfa:verify:${instance.id}:${user.id}`,
      sctx.config.rateLimit.loginPerMinute,
      60_000,
    );
    const code = form.get('code') ?? '';
    try {
      if (!limit.allowed) throw new MfaError('rate limited', 'mfa.error.rate_limited');
      let userVerified = false;
      let remaining: number | null = null;
      if (method === 'totp') await verifyTotp(sctx, instance, user.id, code);
      else if (method === 'email' || method === 'sms')
        await verifyOtp(sctx, instance, user.id, method, form.get('challenge') ?? '', code);
      else if (method === 'webauthn')
        ({ userVerified } = await authenticateCredential(
          sctx,
          instance,
          user.id,
          form.get('credential') ?? '',
        ));
      else remaining = await useRecoveryCode(sctx, instance, user.id, code);
      await audit('mfa.challenge.passed', 'success', user.id, { factor: method });
      if (remaining !== null) await audit('mfa.recovery.used', 'success', user.id, { remaining });
      const amr = [...new Set([...pending.amr, ...amrOf(method, userVerified), 'mfa'])];
      return complete(user, method === 'webauthn' ? ACR.phr : ACR.mfa, amr, !pending.stepUp);
    } catch (err) {
      if (!(err instanceof MfaError)) throw err;
      await audit('mfa.challenge.failed', 'failure', user.id, {
        factor: method,
        reason: err.reason.slice(0, 200),
      });
      const channel = method === 'email' || method === 'sms' ? method : null;
      const challenge = form.get('challenge');
      return showMfa(user, pending, {
        error: err.key,
        status: err.key === 'mfa.error.rate_limited' ? 429 : 401,
        ...(channel &&
        challenge &&
        err.key !== 'mfa.error.too_many' &&
        err.key !== 'mfa.error.expired'
          ? { sent: { channel, id: challenge } }
          : {}),
      });
    }
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
  // the admin scope only ever goes to operator users (see isOperatorUser)
  const noAdmin =
    instance.platform && !(await isOperatorUser(sctx.store, accountId))
      ? (scopes: string[]) => scopes.filter((s) => s !== ADMIN_SCOPE)
      : (scopes: string[]) => scopes;
  const oidcScopes = noAdmin(d.missingOIDCScope ?? []);
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
    if (noAdmin(scopes).length) grant.addResourceScope(indicator, noAdmin(scopes).join(' '));
  const grantId = await grant.save();
  return finish({ consent: details.grantId ? {} : { grantId } }, true);
}
