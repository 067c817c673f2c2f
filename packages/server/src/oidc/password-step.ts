// The password step of the hosted sign-in: rate limits, brute-force protection (backoff
// and temporary lockout per login and per IP, security/lockout.ts), credential check,
// metrics, audit and log lines. It decides only whether the first factor passed; what
// follows (forced password change, MFA, step-up, conditional access, finishing the
// interaction) is the sign-in flow's (interactions.ts).
//
// No enumeration: counters are keyed by the normalised login whether or not such a user
// exists, messages are the same, and a blocked attempt is refused before any lookup or
// hash (for every login alike); an allowed attempt always verifies a hash (a dummy one
// for unknown users, services/directory.ts).
import type { Context } from 'koa';
import type { Instance, User } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { requestMeta } from '../audit/index.ts';
import { ipKey, lockoutSettings, loginKey, type Block } from '../security/lockout.ts';
import { notifyLockout } from '../passwords/mail.ts';
import '../passwords/messages.ts';

export type PasswordStepResult =
  | {
      ok: true;
      user: User;
      /** An administrator requires a new password before the sign-in may go on. */
      changeRequired: boolean;
    }
  | {
      ok: false;
      /** HTTP status of the page shown again: 401 wrong credentials, 429 too many attempts. */
      status: 401 | 429;
      /** Message key of the error shown on the sign-in page. */
      errorKey: string;
      /** Seconds until another attempt may succeed (429 only). */
      retryAfterSeconds?: number;
    };

const worst = (a: Block, b: Block): Block =>
  a.locked !== b.locked ? (a.locked ? a : b) : a.retryAfterMs >= b.retryAfterMs ? a : b;

export async function passwordStep(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
  login: string,
  password: string,
): Promise<PasswordStepResult> {
  const { limiter, metrics, config, lockout, clock } = sctx;
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

  const settings = lockoutSettings(config);
  const userK = login ? loginKey(instance.id, login) : null;
  const ipK = ipKey('login', instance.id, ctx.ip);
  const now = clock.now().getTime();
  const [ipBlock, userBlock] = await Promise.all([
    lockout.peek(ipK, now),
    userK ? lockout.peek(userK, now) : Promise.resolve({ retryAfterMs: 0, locked: false }),
  ]);
  const block = worst(ipBlock, userBlock);
  if (block.retryAfterMs > 0) {
    const what = block.locked ? 'locked' : 'backoff';
    metrics.logins.inc({ result: 'rate_limited' });
    ctx.state.log?.warn({ event: `login.${what}` }, 'sign-in refused: too many failures');
    await sctx.audit.record({
      instanceId: instance.id,
      actor: { type: 'anonymous', id: null },
      action: block.locked ? 'login.refused.locked' : 'login.refused.backoff',
      target: null,
      result: 'denied',
      ...requestMeta(ctx),
      details: {
        by:
          ipBlock.retryAfterMs >= userBlock.retryAfterMs && ipBlock.retryAfterMs > 0
            ? 'ip'
            : 'login',
        retry_after_seconds: Math.ceil(block.retryAfterMs / 1000),
      },
    });
    return {
      ok: false,
      status: 429,
      errorKey: block.locked ? 'page.signin.locked' : 'page.signin.backoff',
      retryAfterSeconds: Math.ceil(block.retryAfterMs / 1000),
    };
  }

  const r =
    login && password
      ? await sctx.core.directory.authenticate(instance, login, password)
      : ({ ok: false, reason: 'invalid_credentials' } as const);
  if (!r.ok) {
    metrics.logins.inc({ result: 'failure' });
    ctx.state.log?.info({ event: 'login.failed', reason: r.reason }, 'sign-in failed');
    const at = clock.now().getTime();
    const [ipFail, userFail] = await Promise.all([
      lockout.fail(ipK, at, settings.ip),
      userK ? lockout.fail(userK, at, settings.user) : Promise.resolve(null),
    ]);
    for (const [f, by] of [
      [ipFail, 'ip'],
      [userFail, 'login'],
    ] as const)
      if (f?.lockedNow) {
        ctx.state.log?.warn({ event: 'login.lockout', by }, 'sign-in locked after failures');
        await sctx.audit.record({
          instanceId: instance.id,
          actor: { type: 'anonymous', id: null },
          action: 'login.lockout',
          target: null,
          result: 'denied',
          ...requestMeta(ctx),
          details: { by, failures: f.failures, lock_seconds: Math.ceil(f.retryAfterMs / 1000) },
        });
        // the owner of the login (if any) is told once per lockout, off the response path
        if (by === 'login') notifyLockout(sctx, instance, login, f.retryAfterMs);
      }
    return { ok: false, status: 401, errorKey: 'page.signin.failed' };
  }
  if (userK) await lockout.reset(userK);
  metrics.logins.inc({ result: 'success' });
  const changeRequired = await sctx.core.passwords.changeRequired(instance, r.user.id);
  return { ok: true, user: r.user, changeRequired };
}
