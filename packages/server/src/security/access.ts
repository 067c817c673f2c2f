// Conditional access at sign-in (issue 6). SEAM: the signatures below are the contract
// between the sign-in flow (oidc/interactions.ts) and the conditional-access policies;
// the bodies are replaced by the real policy evaluation.
import type { Context } from 'koa';
import type { Instance, User } from '@idaas/core';
import type { ServerContext } from '../context.ts';

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
}

export async function evaluateSignIn(
  _sctx: ServerContext,
  _input: SignInContext,
): Promise<AccessDecision> {
  return { decision: 'allow', policy: null, explanation: ['no policies (seam)'] };
}

/** Whether the browser of `ctx` is a known device of the user. */
export async function deviceKnown(
  _sctx: ServerContext,
  _ctx: Context,
  _instance: Instance,
  _userId: string,
): Promise<boolean> {
  return true;
}

/** Remembers the browser of `ctx` as a device of the user (after a completed sign-in). */
export async function rememberDevice(
  _sctx: ServerContext,
  _ctx: Context,
  _instance: Instance,
  _userId: string,
): Promise<void> {}
