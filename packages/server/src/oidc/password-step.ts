// The password step of the hosted sign-in: rate limits, credential check, metrics and
// log lines. It decides only whether the first factor passed; what follows (MFA, step-up,
// conditional access, finishing the interaction) is the sign-in flow's (interactions.ts).
import type { Context } from 'koa';
import type { Instance, User } from '@idaas/core';
import type { ServerContext } from '../context.ts';

export type PasswordStepResult =
  | { ok: true; user: User }
  | {
      ok: false;
      /** HTTP status of the page shown again: 401 wrong credentials, 429 too many attempts. */
      status: 401 | 429;
      /** Message key of the error shown on the sign-in page. */
      errorKey: string;
      /** Seconds until another attempt may succeed (429 only). */
      retryAfterSeconds?: number;
    };

export async function passwordStep(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
  login: string,
  password: string,
): Promise<PasswordStepResult> {
  const { limiter, metrics, config } = sctx;
  const limit = config.rateLimit.loginPerMinute;
  const byIp = await limiter.hit(`login:ip:${instance.id}:${ctx.ip}`, limit, 60_000);
  const byUser = login
    ? await limiter.hit(`login:user:${instance.id}:${login.toLowerCase()}`, limit, 60_000)
    : { allowed: true, retryAfterMs: 0 };
  if (!byIp.allowed || !byUser.allowed) {
    metrics.logins.inc({ result: 'rate_limited' });
    ctx.state.log?.warn({ event: 'login.rate_limited' }, 'sign-in rate limited');
    return {
      ok: false,
      status: 429,
      errorKey: 'page.signin.rate_limited',
      retryAfterSeconds: Math.ceil(Math.max(byIp.retryAfterMs, byUser.retryAfterMs) / 1000),
    };
  }
  const r =
    login && password
      ? await sctx.core.directory.authenticate(instance, login, password)
      : ({ ok: false, reason: 'invalid_credentials' } as const);
  if (!r.ok) {
    metrics.logins.inc({ result: 'failure' });
    ctx.state.log?.info({ event: 'login.failed', reason: r.reason }, 'sign-in failed');
    return { ok: false, status: 401, errorKey: 'page.signin.failed' };
  }
  metrics.logins.inc({ result: 'success' });
  return { ok: true, user: r.user };
}
