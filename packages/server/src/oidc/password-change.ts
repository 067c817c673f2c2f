// The forced password change (issue 6): an administrator set `password_change_required`;
// after a correct password the sign-in shows this page (new password twice, the policy
// enforced) instead of going on. Once changed, the user signs in again in the same
// interaction with the new password, and the flow goes on from there (second step,
// consent) — nothing of the sign-in is skipped.
//
// The page carries a proof that the password step passed: instance, user, interaction
// and expiry, MACed under the server's cookie key. It is good only while the flag is set,
// so it works once.
//   POST /i/:slug/password/change   (served by ../passwords/index.ts)
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Instance, User } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import type { ServerContext } from '../context.ts';
import { t, type Locale } from '../i18n.ts';
import { esc, renderError, renderPage } from '../pages/render.ts';
import '../passwords/messages.ts';

const PROOF_TTL_MS = 10 * 60_000;

interface Proof {
  i: string; // instance id
  u: string; // user id
  x: string; // interaction uid
  e: number; // expiry, ms
}

function mac(key: string, body: string): string {
  return createHmac('sha256', key).update(`pwchange:${body}`).digest('base64url');
}

export function issueProof(sctx: ServerContext, p: Omit<Proof, 'e'>): string {
  const body = Buffer.from(
    JSON.stringify({ ...p, e: sctx.clock.now().getTime() + PROOF_TTL_MS }),
  ).toString('base64url');
  return `${body}.${mac(sctx.config.cookieKeys[0]!, body)}`;
}

/** The proof's content if its MAC holds and it has not expired; null otherwise. */
export function readProof(sctx: ServerContext, token: string | null): Proof | null {
  const [body, sig] = (token ?? '').split('.');
  if (!body || !sig) return null;
  const want = Buffer.from(mac(sctx.config.cookieKeys[0]!, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Proof;
    return p.e > sctx.clock.now().getTime() ? p : null;
  } catch {
    return null;
  }
}

export function newPasswordFields(locale: Locale, minLength: number, error?: string): string {
  const described = error
    ? ' aria-describedby="password-error password-hint"'
    : ' aria-describedby="password-hint"';
  return `${error ? `<p class="alert" role="alert" id="password-error">${esc(error)}</p>` : ''}
<label for="password">${esc(t(locale, 'page.password.reset.new'))}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required${described}>
<p id="password-hint">${esc(t(locale, 'page.password.reset.hint', { min: minLength }))}</p>
<label for="confirm">${esc(t(locale, 'page.password.reset.confirm'))}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required>`;
}

/** Renders the change page after a correct password (called by the sign-in flow). */
export async function passwordChangePage(
  sctx: ServerContext,
  ctx: Context,
  opts: {
    locale: Locale;
    instance: Instance;
    uid: string;
    user: User;
    error?: string;
    status?: number;
  },
): Promise<void> {
  const { locale, instance, uid, user } = opts;
  const policy = await sctx.core.passwords.policy(instance);
  const proof = issueProof(sctx, { i: instance.id, u: user.id, x: uid });
  renderPage(ctx, {
    locale,
    status: opts.status ?? 200,
    titleKey: 'page.password.change.title',
    body: `<h1>${esc(t(locale, 'page.password.change.heading'))}</h1>
<form method="post" action="/i/${esc(encodeURIComponent(instance.slug))}/password/change" novalidate>
<input type="hidden" name="proof" value="${esc(proof)}">
<input type="hidden" name="username" value="${esc(user.username)}" autocomplete="username">
${newPasswordFields(locale, policy.minLength, opts.error)}
<button type="submit">${esc(t(locale, 'page.password.reset.submit'))}</button>
</form>`,
  });
}

/** The reason a new password was refused, in the page's language. */
export async function refusal(
  sctx: ServerContext,
  instance: Instance,
  locale: Locale,
  password: string,
  confirm: string,
  user: User,
): Promise<string | null> {
  if (password !== confirm) return t(locale, 'page.password.mismatch');
  const v = await sctx.core.passwords.violations(instance, password, { user });
  if (!v.length) return null;
  return t(locale, 'page.password.rejected', {
    reason: v.map((x) => t(locale, x.key, x.params)).join('; '),
  });
}

/** POST /i/:slug/password/change */
export async function handlePasswordChange(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
  locale: Locale,
  form: URLSearchParams,
): Promise<void> {
  const proof = readProof(sctx, form.get('proof'));
  const user =
    proof && proof.i === instance.id
      ? await sctx.store.repos.users.get(instance.id, proof.u)
      : null;
  if (!proof || !user || !(await sctx.core.passwords.changeRequired(instance, user.id))) {
    await sctx.audit.record({
      instanceId: instance.id,
      actor: { type: user ? 'user' : 'anonymous', id: user?.id ?? null },
      action: 'password.change.forced',
      target: user ? { type: 'user', id: user.id } : null,
      result: 'failure',
      ...requestMeta(ctx),
      details: { reason: proof ? 'not_required' : 'invalid_or_expired' },
    });
    return renderError(ctx, locale, { status: 400, messageKey: 'page.password.change.expired' });
  }
  const password = form.get('password') ?? '';
  const error = await refusal(sctx, instance, locale, password, form.get('confirm') ?? '', user);
  if (error) {
    await sctx.audit.record({
      instanceId: instance.id,
      actor: { type: 'user', id: user.id },
      action: 'password.change.forced',
      target: { type: 'user', id: user.id },
      result: 'failure',
      ...requestMeta(ctx),
      details: { reason: 'policy_or_mismatch' },
    });
    return passwordChangePage(sctx, ctx, {
      locale,
      instance,
      uid: proof.x,
      user,
      error,
      status: 400,
    });
  }
  await sctx.core.passwords.setPassword(instance, user, password);
  await sctx.audit.record({
    instanceId: instance.id,
    actor: { type: 'user', id: user.id },
    action: 'password.change.forced',
    target: { type: 'user', id: user.id },
    result: 'success',
    ...requestMeta(ctx),
  });
  const back = `/i/${encodeURIComponent(instance.slug)}/interaction/${encodeURIComponent(proof.x)}`;
  renderPage(ctx, {
    locale,
    titleKey: 'page.password.reset.done_title',
    body: `<h1>${esc(t(locale, 'page.password.reset.done_title'))}</h1>
<p role="status">${esc(t(locale, 'page.password.change.done'))}</p>
<p><a href="${esc(back)}">${esc(t(locale, 'page.password.change.continue'))}</a></p>`,
  });
}
