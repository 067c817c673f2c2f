// Server-side state of SAML sign-ins that go through the OIDC bridge, kept in the
// instance's protocol-state table (oidc-provider's adapter, models `SamlPending` and
// `SamlNameId`):
//   - a pending SSO request, keyed by the nonce that is the bridge's `state` (and `nonce`):
//     the browser only carries the nonce (signed cookie), so nothing it could change names
//     the SP; the sign-in interaction reads the SP entity id from here (conditional access);
//   - the persistent NameIDs issued so far (per user and SP), for `AllowCreate="false"`.
import { createHash } from 'node:crypto';
import type { Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import type { RequestedContext } from './authn-context.ts';
import { adapterFor } from '../oidc/adapter.ts';

/** The internal public OIDC client through which SAML sign-ins reach the hosted pages. */
export const BRIDGE_CLIENT = 'saml-bridge';

/** How long a pending SSO request waits for the sign-in. */
export const PENDING_TTL_MS = 10 * 60_000;

/** An SSO request waiting for the sign-in (server-side). */
export interface Pending {
  /** Nonce: the bridge's `state` and `nonce`, and the value of the browser's cookie. */
  n: string;
  /** SAML application id and entity id. */
  app: string;
  sp: string;
  /** AuthnRequest ID (null: IdP-initiated). */
  id: string | null;
  acs: string;
  rs: string | null;
  /** ForceAuthn: a fresh sign-in is required. */
  force?: boolean;
  /** The acr rank the SP's RequestedAuthnContext (or an `mfa` policy) requires (0: none). */
  rank?: number;
  /** RequestedAuthnContext, to answer with a class the SP asked for. */
  ctx?: RequestedContext | null;
  /** NameIDPolicy AllowCreate="false". */
  noCreate?: boolean;
  /** Expiry (ms since the epoch, from the injected clock). */
  exp: number;
}

export async function savePending(
  sctx: ServerContext,
  instance: Instance,
  p: Pending,
): Promise<void> {
  await adapterFor(
    sctx,
    instance,
  )('SamlPending').upsert(p.n, p as never, Math.ceil(PENDING_TTL_MS / 1000));
}

export async function loadPending(
  sctx: ServerContext,
  instance: Instance,
  nonce: unknown,
): Promise<Pending | null> {
  if (typeof nonce !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return null;
  const p = (await adapterFor(sctx, instance)('SamlPending').find(nonce)) as unknown as
    Pending | undefined;
  if (!p || p.n !== nonce || typeof p.sp !== 'string') return null;
  if (p.exp <= sctx.clock.now().getTime()) return null;
  return p;
}

export async function dropPending(
  sctx: ServerContext,
  instance: Instance,
  nonce: string,
): Promise<void> {
  await adapterFor(sctx, instance)('SamlPending').destroy(nonce);
}

/**
 * The application of a bridge sign-in for conditional access: the SAML SP of the pending
 * request named by the bridge's `state` (server-side, so the browser cannot choose it);
 * null when there is no such request (expired, or a state the browser made up).
 */
export async function samlApplicationOf(
  sctx: ServerContext,
  instance: Instance,
  state: unknown,
): Promise<{ kind: 'saml'; id: string } | null> {
  const p = await loadPending(sctx, instance, state);
  return p ? { kind: 'saml', id: p.sp } : null;
}

const nameIdKey = (appId: string, nameId: string) =>
  createHash('sha256').update(`${appId}\n${nameId}`).digest('base64url');

/** Whether this persistent NameID was issued to the SP before. */
export async function nameIdIssued(
  sctx: ServerContext,
  instance: Instance,
  appId: string,
  nameId: string,
): Promise<boolean> {
  return !!(await adapterFor(sctx, instance)('SamlNameId').find(nameIdKey(appId, nameId)));
}

/** Remembers that a persistent NameID was issued to the SP (no expiry). */
export async function rememberNameId(
  sctx: ServerContext,
  instance: Instance,
  appId: string,
  nameId: string,
): Promise<void> {
  await adapterFor(
    sctx,
    instance,
  )('SamlNameId').upsert(nameIdKey(appId, nameId), { app: appId } as never, 0);
}
