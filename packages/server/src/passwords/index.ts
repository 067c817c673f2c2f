// Hosted password pages of an instance (issue 6):
//   GET/POST /i/:slug/password/forgot   username or email → always the same answer; if a
//                                       user matches and has an email, a link is mailed
//   GET/POST /i/:slug/password/reset    ?token=… single use, 15 minutes, stored hashed;
//                                       new password twice, policy enforced; the user's
//                                       sessions and tokens are revoked
//   POST     /i/:slug/password/change   the forced change after sign-in (../oidc/password-change.ts)
// The forgot form is protected per IP by the lockout counters (every request counts),
// and an invalid reset link counts as a failure of that IP.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Instance, PasswordResetToken } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import type { ServerContext } from '../context.ts';
import { t, type Locale } from '../i18n.ts';
import { esc, pageLocale, readForm, renderError, renderPage } from '../pages/render.ts';
import { ipKey, lockoutSettings, loginKey } from '../security/lockout.ts';
import { SERVING_STATES, clauseOf, renderUnavailable } from '../oidc/interactions.ts';
import { handlePasswordChange, newPasswordFields, refusal } from '../oidc/password-change.ts';
import { findByLogin, inBackground, sendPasswordMail } from './mail.ts';
import './messages.ts';

export const RESET_TTL_MS = 15 * 60_000;
const CSRF_COOKIE = 'idaas_pwform';

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

function formCsrf(sctx: ServerContext, instance: Instance, nonce: string): string {
  return createHmac('sha256', sctx.config.cookieKeys[0]!)
    .update(`pwform:${instance.id}:${nonce}`)
    .digest('base64url');
}

/** A CSRF token bound to a per-browser cookie (SameSite=Lax: not sent on cross-site posts). */
function issueCsrf(sctx: ServerContext, ctx: Context, instance: Instance): string {
  let nonce = ctx.cookies.get(CSRF_COOKIE, { signed: false });
  if (!nonce || !/^[A-Za-z0-9_-]{22,64}$/.test(nonce)) {
    nonce = randomBytes(18).toString('base64url');
    ctx.cookies.set(CSRF_COOKIE, nonce, {
      httpOnly: true,
      sameSite: 'lax',
      signed: false,
      path: `/i/${instance.slug}/password`,
      overwrite: true,
    });
  }
  return formCsrf(sctx, instance, nonce);
}

function csrfOk(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
  presented: string | null,
): boolean {
  const nonce = ctx.cookies.get(CSRF_COOKIE, { signed: false });
  if (!nonce || !presented) return false;
  const want = Buffer.from(formCsrf(sctx, instance, nonce));
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got);
}

const base = (instance: Instance) => `/i/${encodeURIComponent(instance.slug)}/password`;

function forgotPage(
  sctx: ServerContext,
  ctx: Context,
  locale: Locale,
  instance: Instance,
  opts: { notice?: string; error?: string; status?: number } = {},
): void {
  const csrf = issueCsrf(sctx, ctx, instance);
  renderPage(ctx, {
    locale,
    status: opts.status ?? 200,
    titleKey: 'page.password.forgot.title',
    body: `<h1>${esc(t(locale, 'page.password.forgot.heading', { instance: instance.displayName }))}</h1>
${opts.notice ? `<p role="status" id="forgot-status">${esc(t(locale, opts.notice))}</p>` : ''}
${opts.error ? `<p class="alert" role="alert">${esc(t(locale, opts.error))}</p>` : ''}
<p id="forgot-prompt">${esc(t(locale, 'page.password.forgot.prompt'))}</p>
<form method="post" action="${esc(base(instance))}/forgot" novalidate>
<input type="hidden" name="csrf" value="${esc(csrf)}">
<label for="login">${esc(t(locale, 'page.password.forgot.login'))}</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required aria-describedby="forgot-prompt">
<button type="submit">${esc(t(locale, 'page.password.forgot.submit'))}</button>
</form>`,
  });
}

async function audit(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
  action: string,
  result: 'success' | 'failure' | 'denied',
  userId: string | null,
  details?: Record<string, unknown>,
): Promise<void> {
  await sctx.audit.record({
    instanceId: instance.id,
    actor: userId ? { type: 'user', id: userId } : { type: 'anonymous', id: null },
    action,
    target: userId ? { type: 'user', id: userId } : null,
    result,
    ...requestMeta(ctx),
    ...(details ? { details } : {}),
  });
}

async function forgot(
  sctx: ServerContext,
  ctx: Context,
  locale: Locale,
  instance: Instance,
): Promise<void> {
  if (ctx.method === 'GET') return forgotPage(sctx, ctx, locale, instance);
  const form = await readForm(ctx);
  if (!csrfOk(sctx, ctx, instance, form.get('csrf')))
    return renderError(ctx, locale, { status: 403, messageKey: 'page.error.csrf' });
  const { lockout, clock } = sctx;
  const key = ipKey('reset', instance.id, ctx.ip);
  const now = clock.now().getTime();
  const block = await lockout.peek(key, now);
  if (block.retryAfterMs > 0) {
    await audit(sctx, ctx, instance, 'password.reset.request', 'denied', null, {
      reason: block.locked ? 'locked' : 'backoff',
    });
    ctx.set('Retry-After', String(Math.ceil(block.retryAfterMs / 1000)));
    return forgotPage(sctx, ctx, locale, instance, {
      error: 'page.password.forgot.rate_limited',
      status: 429,
    });
  }
  // every request counts towards the IP's backoff (each may send mail)
  await lockout.fail(key, now, lockoutSettings(sctx.config).reset);
  const login = (form.get('login') ?? '').trim().slice(0, 320);
  const meta = requestMeta(ctx);
  // Everything that depends on whether the account exists happens after the answer.
  if (login)
    inBackground(sctx, 'password.reset.request', async () => {
      const user = await findByLogin(sctx, instance, login);
      const usable = user && user.email && user.status === 'enabled';
      await sctx.audit.record({
        instanceId: instance.id,
        actor: { type: 'anonymous', id: null },
        action: 'password.reset.request',
        target: user ? { type: 'user', id: user.id } : null,
        result: usable ? 'success' : 'failure',
        ...meta,
        details: usable
          ? { mailed: true }
          : { reason: user ? 'no_email_or_disabled' : 'no_such_user' },
      });
      if (!usable) return;
      const token = randomBytes(32).toString('base64url');
      const at = sctx.clock.now();
      await sctx.store.repos.passwordResets.insert({
        instanceId: instance.id,
        tokenHash: hashToken(token),
        userId: user.id,
        createdAt: at,
        expiresAt: new Date(at.getTime() + RESET_TTL_MS),
        usedAt: null,
      });
      const link = `${sctx.config.publicUrl}${base(instance)}/reset?token=${token}`;
      await sendPasswordMail(sctx, user.email!, 'reset', {
        instance: instance.displayName,
        username: user.username,
        link,
      });
    });
  return forgotPage(sctx, ctx, locale, instance, { notice: 'page.password.forgot.sent' });
}

type TokenCheck =
  { ok: true; row: PasswordResetToken } | { ok: false; reason: 'invalid' | 'expired' | 'used' };

async function checkToken(
  sctx: ServerContext,
  instance: Instance,
  token: string | null,
): Promise<TokenCheck> {
  if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { ok: false, reason: 'invalid' };
  const row = await sctx.store.repos.passwordResets.get(instance.id, hashToken(token));
  if (!row) return { ok: false, reason: 'invalid' };
  if (row.usedAt) return { ok: false, reason: 'used' };
  if (row.expiresAt.getTime() <= sctx.clock.now().getTime())
    return { ok: false, reason: 'expired' };
  return { ok: true, row };
}

async function refuseToken(
  sctx: ServerContext,
  ctx: Context,
  locale: Locale,
  instance: Instance,
  check: Extract<TokenCheck, { ok: false }>,
  userId: string | null,
): Promise<void> {
  await sctx.lockout.fail(
    ipKey('reset', instance.id, ctx.ip),
    sctx.clock.now().getTime(),
    lockoutSettings(sctx.config).reset,
  );
  await audit(sctx, ctx, instance, 'password.reset.complete', 'failure', userId, {
    reason: check.reason,
  });
  renderPage(ctx, {
    locale,
    status: check.reason === 'invalid' ? 400 : 410,
    titleKey: 'page.password.reset.title',
    body: `<h1>${esc(t(locale, 'page.password.reset.heading'))}</h1>
<p class="alert" role="alert">${esc(t(locale, `page.password.reset.${check.reason}`))}</p>
<p><a href="${esc(base(instance))}/forgot">${esc(t(locale, 'page.password.reset.again'))}</a></p>`,
  });
}

async function resetPage(
  sctx: ServerContext,
  ctx: Context,
  locale: Locale,
  instance: Instance,
  token: string,
  username: string,
  error?: string,
): Promise<void> {
  const policy = await sctx.core.passwords.policy(instance);
  renderPage(ctx, {
    locale,
    status: error ? 400 : 200,
    titleKey: 'page.password.reset.title',
    body: `<h1>${esc(t(locale, 'page.password.reset.heading'))}</h1>
<form method="post" action="${esc(base(instance))}/reset" novalidate>
<input type="hidden" name="token" value="${esc(token)}">
<input type="hidden" name="username" value="${esc(username)}" autocomplete="username">
${newPasswordFields(locale, policy.minLength, error)}
<button type="submit">${esc(t(locale, 'page.password.reset.submit'))}</button>
</form>`,
  });
}

async function reset(
  sctx: ServerContext,
  ctx: Context,
  locale: Locale,
  instance: Instance,
): Promise<void> {
  ctx.set('Referrer-Policy', 'no-referrer'); // the token is in the URL
  const form = ctx.method === 'POST' ? await readForm(ctx) : null;
  const token = form
    ? form.get('token')
    : typeof ctx.query.token === 'string'
      ? ctx.query.token
      : null;
  const check = await checkToken(sctx, instance, token);
  if (!check.ok) return refuseToken(sctx, ctx, locale, instance, check, null);
  const user = await sctx.store.repos.users.get(instance.id, check.row.userId);
  if (!user)
    return refuseToken(sctx, ctx, locale, instance, { ok: false, reason: 'invalid' }, null);
  if (!form) return resetPage(sctx, ctx, locale, instance, token!, user.username);

  const password = form.get('password') ?? '';
  const error = await refusal(sctx, instance, locale, password, form.get('confirm') ?? '', user);
  if (error) {
    await audit(sctx, ctx, instance, 'password.reset.complete', 'failure', user.id, {
      reason: 'policy_or_mismatch',
    });
    return resetPage(sctx, ctx, locale, instance, token!, user.username, error);
  }
  let raced = false;
  const { revoked } = await sctx.core.passwords
    .setPassword(instance, user, password, {
      revokeSessions: true,
      beforeWrite: async () => {
        // single use, even against a concurrent submission of the same link
        if (
          !(await sctx.store.repos.passwordResets.markUsed(
            instance.id,
            check.row.tokenHash,
            sctx.clock.now(),
          ))
        ) {
          raced = true;
          throw new Error('reset token already used');
        }
      },
    })
    .catch((err: unknown) => {
      if (raced) return { revoked: -1 };
      throw err;
    });
  if (revoked < 0)
    return refuseToken(sctx, ctx, locale, instance, { ok: false, reason: 'used' }, user.id);
  // the user proved control of the mailbox: a pending lockout of the login is lifted
  for (const login of [user.username, user.email])
    if (login) await sctx.lockout.reset(loginKey(instance.id, login));
  await audit(sctx, ctx, instance, 'password.reset.complete', 'success', user.id, {
    sessions_revoked: revoked,
  });
  renderPage(ctx, {
    locale,
    titleKey: 'page.password.reset.done_title',
    body: `<h1>${esc(t(locale, 'page.password.reset.done_title'))}</h1>
<p role="status">${esc(t(locale, 'page.password.reset.done'))}</p>`,
  });
}

const PATH = /^\/i\/([^/]+)\/password\/(forgot|reset|change)$/;

/** Koa middleware for the password pages (mounted before the OIDC provider). */
export function createPasswordPages(sctx: ServerContext): Middleware {
  return async (ctx, next) => {
    const m = PATH.exec(ctx.path);
    if (!m) return next();
    const locale = pageLocale(ctx);
    const page = m[2]!;
    const allowed = page === 'change' ? ['POST'] : ['GET', 'POST'];
    if (!allowed.includes(ctx.method)) {
      ctx.set('Allow', allowed.join(', '));
      return renderError(ctx, locale, { status: 405, messageKey: 'page.error.session' });
    }
    let slug: string;
    try {
      slug = decodeURIComponent(m[1]!);
    } catch {
      return renderError(ctx, locale, { status: 404, messageKey: 'page.error.session' });
    }
    const instance = await sctx.core.instances.find(slug);
    if (!instance)
      return renderError(ctx, locale, { status: 404, messageKey: 'page.error.session' });
    if (!SERVING_STATES.has(instance.state))
      return renderUnavailable(ctx, instance, await clauseOf(sctx, instance));
    if (page === 'forgot') return forgot(sctx, ctx, locale, instance);
    if (page === 'reset') return reset(sctx, ctx, locale, instance);
    return handlePasswordChange(sctx, ctx, instance, locale, await readForm(ctx));
  };
}
