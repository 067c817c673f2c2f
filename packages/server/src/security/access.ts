// Conditional access at sign-in (issue 6). The signatures below are the contract between
// the sign-in flow (oidc/interactions.ts) and the conditional-access policies: the flow
// calls `evaluateSignIn` once the first factor passed, audits the decision it returns,
// and calls `rememberDevice` after a completed sign-in.
//
// Known devices: a browser carries a random device id (256 bits) in a signed, httpOnly
// cookie scoped to `/i/:slug`; the store keeps only its SHA-256 per user, with first and
// last seen, at most MAX_DEVICES_PER_USER per user (the least recently seen go first).
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import {
  evaluate,
  type AccessDecisionKind,
  type EvaluationStep,
  type Instance,
  type User,
} from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { requestMeta } from '../audit/index.ts';
import { ACR, acrRank } from '../mfa/service.ts';
import { BRIDGE_CLIENT } from '../saml/pending.ts';

export interface SignInContext {
  instance: Instance;
  user: User;
  /** The application signing the user in: an OIDC client id or a SAML SP entity id. */
  application: { kind: 'oidc' | 'saml'; id: string } | null;
  ip: string;
  /** Whether this browser is a device the user signed in from before (see deviceKnown). */
  deviceKnown: boolean;
}

export interface AccessDecision {
  decision: 'allow' | 'deny' | 'mfa';
  /** The policy that decided; null when the instance default applied. */
  policy: { id: string; name: string } | null;
  /** Human-readable reasons, in order (dry-run output and log lines). */
  explanation: string[];
  /** The policy's priority (absent when the default applied). */
  priority?: number;
  /** Each policy considered, in priority order, with the checks of its conditions. */
  steps?: EvaluationStep[];
}

/** The decision when an instance never set one. */
export const DEFAULT_DECISION: AccessDecisionKind = 'allow';

/** Known devices kept per user; the least recently seen are forgotten beyond this. */
export const MAX_DEVICES_PER_USER = 20;

export const DEVICE_COOKIE = 'idaas_device';
const DEVICE_COOKIE_MAX_AGE_MS = 400 * 86_400_000; // the longest browsers keep a cookie

/** The instance's default decision (`allow` unless set). */
export async function defaultDecision(
  sctx: ServerContext,
  instance: Instance,
): Promise<AccessDecisionKind> {
  return (
    (await sctx.store.repos.accessPolicies.getDefault(instance.id))?.decision ?? DEFAULT_DECISION
  );
}

export async function evaluateSignIn(
  sctx: ServerContext,
  input: SignInContext,
): Promise<AccessDecision> {
  const { instance, user } = input;
  const repos = sctx.store.repos;
  const [policies, def] = await Promise.all([
    repos.accessPolicies.list(instance.id),
    defaultDecision(sctx, instance),
  ]);
  // the user's groups matter only to policies (none: the default decides)
  const groupIds = policies.length
    ? await repos.accessPolicies.groupIdsOf(instance.id, user.id)
    : [];
  const r = evaluate(policies, def, {
    application: input.application,
    userId: user.id,
    groupIds,
    ip: input.ip,
    deviceKnown: input.deviceKnown,
  });
  return {
    decision: r.decision,
    policy: r.policy ? { id: r.policy.id, name: r.policy.name } : null,
    explanation: r.explanation,
    ...(r.policy ? { priority: r.policy.priority } : {}),
    steps: r.steps,
  };
}

const deviceIdPattern = /^[A-Za-z0-9_-]{43}$/;
const hashDevice = (deviceId: string): string =>
  createHash('sha256').update(deviceId).digest('base64url');

/** The device id of the browser of `ctx` (from its signed cookie), or null. */
function deviceIdOf(ctx: Context): string | null {
  const v = ctx.cookies.get(DEVICE_COOKIE, { signed: true });
  return v && deviceIdPattern.test(v) ? v : null;
}

/** Whether the browser of `ctx` is a known device of the user. */
export async function deviceKnown(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
  userId: string,
): Promise<boolean> {
  const id = deviceIdOf(ctx);
  if (!id) return false;
  return sctx.store.repos.knownDevices.has(instance.id, userId, hashDevice(id));
}

/** Remembers the browser of `ctx` as a device of the user (after a completed sign-in). */
export async function rememberDevice(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
  userId: string,
): Promise<void> {
  let id = deviceIdOf(ctx);
  if (!id) {
    id = randomBytes(32).toString('base64url');
    ctx.cookies.set(DEVICE_COOKIE, id, {
      path: `/i/${instance.slug}`,
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      overwrite: true,
      maxAge: DEVICE_COOKIE_MAX_AGE_MS,
    });
  }
  await sctx.store.repos.knownDevices.remember(
    instance.id,
    userId,
    hashDevice(id),
    sctx.clock.now(),
    MAX_DEVICES_PER_USER,
  );
}

// ---- session reuse (OIDC)
//
// A browser with a session skips the hosted sign-in, so `afterFirstFactor` never sees the
// application it now signs in to. The login prompt of every instance's provider carries a
// check (oidc/provider.ts) that calls `sessionReuseCheck` on each authorization request
// (and its resumption) that would reuse the session: the policies are evaluated afresh
// for that client, the session's user, the request's IP and device — nothing is cached
// across requests, so a policy change applies to the next authorization.
//   deny → `access_denied` to the client (oidc-provider's authorization error handler
//          redirects to the already validated redirect URI with `state` and `iss`);
//   mfa  → when the session's acr is weaker than MFA, the login prompt with reason
//          ACCESS_MFA_REASON: the hosted pages run the second step only, as for a step-up.

/** Reason of the login prompt when an `mfa` policy needs a second step on a reused session. */
export const ACCESS_MFA_REASON = 'idaas_access_mfa';

/**
 * Key of an interaction result whose sign-in was decided by conditional access in that
 * interaction (after the first factor): its resumption does not evaluate (nor audit) again.
 */
export const ACCESS_DECIDED = 'idaas_access_decided';

/**
 * Conditional access for an authorization request that reuses a session. Returns true when
 * the login prompt is needed (an `mfa` decision on a weaker session); throws
 * `access_denied` on `deny`; false otherwise (no session, nothing to evaluate, allowed).
 *
 * Internal clients: `saml-bridge` is skipped — the SAML endpoint evaluated the policies
 * for the service provider before sending the browser through the bridge, and the hosted
 * sign-in does so with the SP when there is no session. `account-portal` (the hosted
 * account pages) and `portal` (the end-user portal) act for no other application: they are
 * evaluated as themselves, as the hosted sign-in does.
 */
export async function sessionReuseCheck(
  sctx: ServerContext,
  instance: Instance,
  ctx: KoaContextWithOIDC,
): Promise<boolean> {
  const { oidc } = ctx;
  const accountId = oidc.session?.accountId;
  const clientId = oidc.client?.clientId;
  if (!accountId || !clientId || clientId === BRIDGE_CLIENT) return false;
  const result = oidc.result as Record<string, unknown> | undefined;
  if (result?.[ACCESS_DECIDED] === true) return false;
  const user = await sctx.store.repos.users.get(instance.id, accountId);
  if (!user || user.status !== 'enabled') return false; // findAccount refuses it already
  const decision = await evaluateSignIn(sctx, {
    instance,
    user,
    application: { kind: 'oidc', id: clientId },
    ip: ctx.ip,
    deviceKnown: await deviceKnown(sctx, ctx, instance, user.id),
  });
  const acr = oidc.session.acr;
  const stepUp = decision.decision === 'mfa' && acrRank(acr) < acrRank(ACR.mfa);
  await sctx.audit.record({
    instanceId: instance.id,
    actor: { type: 'user', id: user.id },
    action: 'access.decision',
    target: { type: 'user', id: user.id },
    result: decision.decision === 'deny' ? 'denied' : 'success',
    ...requestMeta(ctx),
    details: {
      client: clientId,
      decision: decision.decision,
      policy: decision.policy?.id ?? null,
      session: true,
      ...(decision.decision === 'mfa' ? { step_up: stepUp } : {}),
    },
  });
  if (decision.decision === 'deny') {
    ((ctx.state as { log?: ServerContext['logger'] } | undefined)?.log ?? sctx.logger).info(
      { event: 'access.denied', userId: user.id, clientId, policy: decision.policy?.id ?? null },
      'authorization refused by an access policy (session reuse)',
    );
    throw new errors.AccessDenied('refused by an access policy');
  }
  return stepUp;
}
