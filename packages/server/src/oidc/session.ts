// The instance's sign-in session of a browser, read from oidc-provider's own session cookie
// (`_session`, signed, scoped to /i/:slug) by the pages that live beside the provider
// (the SAML bridge, the account pages) and by the portal API (through an access token's
// session). One reading of the Session payload for all of them.
import type { Context } from 'koa';
import type { Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { adapterFor } from './adapter.ts';

/** oidc-provider's session cookie name (its default; signed with the instance keys). */
export const SESSION_COOKIE = '_session';
/** Longer cookie values are not session ids (oidc-provider's are 21 characters). */
const MAX_SID = 200;

export interface BrowserSession {
  /** The session id from the cookie (a secret: never log or audit it as such). */
  sid: string;
  accountId: string;
  /** When the user last signed in (seconds since the epoch), if recorded. */
  loginTs: number | null;
  acr: string | null;
}

/** `loginTs` of a Session payload (seconds since the epoch), or null. */
export function loginTsOf(payload: Record<string, unknown> | null | undefined): number | null {
  return typeof payload?.loginTs === 'number' ? payload.loginTs : null;
}

/** The session id in this request's cookie, if it looks like one. */
export function sessionId(ctx: Context): string | null {
  const sid = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  return sid && sid.length <= MAX_SID ? sid : null;
}

/** The signed-in user of this browser at the instance: a live session with an account. */
export async function browserSession(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
): Promise<BrowserSession | null> {
  const sid = sessionId(ctx);
  if (!sid) return null;
  const payload = (await adapterFor(sctx, instance)('Session').find(sid)) as
    { accountId?: string; exp?: number; loginTs?: number; acr?: string } | undefined;
  if (!payload?.accountId) return null;
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= sctx.clock.now().getTime())
    return null;
  return {
    sid,
    accountId: payload.accountId,
    loginTs: loginTsOf(payload),
    acr: payload.acr ?? null,
  };
}

/** Ends this browser's session at the instance (record and cookie); returns its id, if any. */
export async function endBrowserSession(
  sctx: ServerContext,
  ctx: Context,
  instance: Instance,
): Promise<string | null> {
  const sid = sessionId(ctx);
  if (sid) await adapterFor(sctx, instance)('Session').destroy(sid);
  ctx.cookies.set(SESSION_COOKIE, null, { path: `/i/${instance.slug}`, signed: true });
  return sid;
}
