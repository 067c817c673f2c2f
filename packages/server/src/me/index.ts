// The end-user ("me") API of an instance (issue 7), for the portal SPA at /i/:slug/portal:
//   GET    /i/:slug/api/portal                   the portal's sign-in settings (no token; creates
//                                                the internal public client `portal` on first use)
//   GET    /i/:slug/api/me                       profile        PATCH  (display name)
//   POST   /i/:slug/api/me/password              change: current + new (the instance's policy)
//   GET    /i/:slug/api/me/mfa                   factors and recovery codes left
//   POST   /i/:slug/api/me/mfa/totp[/confirm]    TOTP enrollment (otpauth URI + QR SVG), first code
//   POST   /i/:slug/api/me/mfa/webauthn/options, /i/:slug/api/me/mfa/webauthn   passkeys
//   DELETE /i/:slug/api/me/mfa/:id               remove (sign-in within the last 10 minutes)
//   POST   /i/:slug/api/me/mfa/recovery-codes    new recovery codes (shown once)
//   GET    /i/:slug/api/me/sessions              sign-in sessions; DELETE one (/:id) or all
//   GET    /i/:slug/api/me/apps                  the launcher (OIDC and SAML applications)
// Authenticated by a bearer access token the instance issued to `portal` (no cookies, so
// no CSRF); errors are problem+json naming fields; every change is audited, never secrets.
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import {
  AppError,
  type Application,
  type Instance,
  type MfaFactor,
  type OidcModelRecord,
  type User,
} from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import { brandingOf } from '../branding/index.ts';
import type { ServerContext, TokenVerifier } from '../context.ts';
import { readJson } from '../http/body.ts';
import { negotiate, t } from '../i18n.ts';
import '../mfa/messages.ts';
import {
  beginTotp,
  confirmTotp,
  listFactors,
  MfaError,
  registerCredential,
  registrationOptions,
  regenerateRecoveryCodes,
  removeFactor,
} from '../mfa/service.ts';
import { validate } from '../api/index.ts';
import { samlBase } from '../saml/index.ts';
import { SERVING_STATES } from '../oidc/interactions.ts';
import { loginTsOf } from '../oidc/session.ts';
import { ensureInternalClient } from '../oidc/internal-clients.ts';

export const PORTAL_CLIENT = 'portal';
/** Removing a factor needs a sign-in this recent (as on the account pages). */
export const REAUTH_SECONDS = 10 * 60;
/** Wrong current passwords per user per 15 minutes before the password change refuses. */
export const PASSWORD_ATTEMPTS = 5;
/** Clients of idaas itself, never in the launcher. */
const OWN_CLIENTS = new Set([PORTAL_CLIENT, 'account-portal', 'saml-bridge']);

interface Me {
  instance: Instance;
  user: User;
  token: string;
  /** The oidc-provider session the token was issued in (its uid), if known. */
  sessionUid: string | null;
  loginTs: number | null;
}

const issue = (field: string, message: string, status?: number) =>
  new AppError('validation_failed', `${field}: ${message}`, {
    issues: [{ field, message }],
    ...(status ? { status } : {}),
  });

const ProfilePatch = z.strictObject({
  display_name: z.string().trim().min(1).max(200).nullable(),
});
const PasswordChange = z.strictObject({
  current_password: z.string().min(1).max(1024),
  new_password: z.string().min(1).max(1024),
});
const TotpConfirm = z.strictObject({
  enrollment_id: z.string().min(1).max(128),
  code: z.string().min(1).max(16),
  name: z.string().max(64).optional(),
});
const WebauthnRegister = z.strictObject({
  credential: z.union([z.string().max(65536), z.record(z.string(), z.unknown())]),
  name: z.string().max(64).optional(),
});

const profile = (u: User) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  email_verified: u.emailVerified,
  phone: u.phone,
  display_name: u.displayName,
  status: u.status,
  created_at: u.createdAt.toISOString(),
});

const factorOut = (f: MfaFactor) => ({
  id: f.id,
  kind: f.kind,
  name: f.name,
  device_type: f.deviceType,
  created_at: f.createdAt.toISOString(),
  last_used_at: f.lastUsedAt?.toISOString() ?? null,
});

export function createMe(
  sctx: ServerContext,
  tokens: TokenVerifier,
  invalidate: (slug: string) => void,
): Middleware {
  const { config, store } = sctx;
  const redirectUri = (i: Instance) => `${config.publicUrl}/i/${i.slug}/portal/callback`;
  const issuer = (i: Instance) => `${config.publicUrl}/i/${i.slug}`;

  /** The portal's public client (code + PKCE, first-party, unlisted), created on first use. */
  const ensureClient = (instance: Instance) =>
    ensureInternalClient(
      sctx,
      instance,
      {
        clientId: PORTAL_CLIENT,
        name: 'Portal',
        redirectUris: [redirectUri(instance)],
        postLogoutRedirectUris: [`${config.publicUrl}/i/${instance.slug}/portal`],
        scopes: ['openid', 'profile', 'email'],
      },
      invalidate,
    );

  async function authenticate(ctx: Context, instance: Instance): Promise<Me> {
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(ctx.get('authorization'));
    const realm = `Bearer realm="${issuer(instance)}"`;
    if (!m) {
      ctx.set('WWW-Authenticate', realm);
      throw new AppError(
        'unauthorized',
        'authorization: a bearer access token of the portal is required',
        {
          issues: [{ field: 'authorization', message: 'missing or malformed' }],
        },
      );
    }
    const info = await tokens.verify(instance.slug, m[1]!);
    const user =
      info && info.clientId === PORTAL_CLIENT && info.sub
        ? await store.repos.users.get(instance.id, info.sub)
        : null;
    if (!info || !user || user.status !== 'enabled') {
      ctx.set('WWW-Authenticate', `${realm}, error="invalid_token"`);
      throw new AppError('unauthorized', 'authorization: invalid or expired access token', {
        issues: [{ field: 'authorization', message: 'invalid or expired access token' }],
      });
    }
    // the session the token belongs to (for "this session" and recent sign-in)
    const at = await store.repos.oidc.find(instance.id, 'AccessToken', m[1]!);
    const sessionUid =
      typeof at?.payload.sessionUid === 'string' ? (at.payload.sessionUid as string) : null;
    const session = sessionUid ? await store.repos.oidc.findByUid(instance.id, sessionUid) : null;
    const loginTs = loginTsOf(session?.payload);
    return { instance, user, token: m[1]!, sessionUid, loginTs };
  }

  const audit = (
    ctx: Context,
    me: Me,
    action: string,
    result: 'success' | 'failure' | 'denied',
    details: Record<string, unknown> = {},
  ) =>
    sctx.audit.record({
      instanceId: me.instance.id,
      actor: { type: 'user', id: me.user.id },
      action,
      target: { type: 'user', id: me.user.id },
      result,
      ...requestMeta(ctx),
      details: { via: 'portal', ...details },
    });

  const body = async <S extends z.ZodType>(ctx: Context, schema: S): Promise<z.output<S>> =>
    validate(schema, await readJson(ctx, 64 * 1024), 'body');

  const mfaProblem = (ctx: Context, err: MfaError, field: string) =>
    issue(field, t(negotiate(undefined, ctx.get('accept-language')), err.key));

  async function afterEnroll(me: Me, ctx: Context): Promise<string[] | null> {
    if ((await store.repos.mfaRecoveryCodes.remaining(me.instance.id, me.user.id)) > 0) return null;
    const codes = await regenerateRecoveryCodes(sctx, me.instance, me.user.id);
    await audit(ctx, me, 'mfa.recovery.generate', 'success', { count: codes.length });
    return codes;
  }

  // ------------------------------------------------------------------ sessions

  async function sessionsOf(me: Me) {
    const nowS = Math.floor(sctx.clock.now().getTime() / 1000);
    const rows = await store.repos.userSessions.listOfUser(me.instance.id, me.user.id, 'Session');
    const live = rows.filter(
      (r) => typeof r.payload.exp !== 'number' || (r.payload.exp as number) > nowS,
    );
    const names = new Map<string, string>();
    const out = [];
    for (const r of live) {
      const auth = (r.payload.authorizations ?? {}) as Record<string, { grantId?: string }>;
      const apps: string[] = [];
      for (const clientId of Object.keys(auth)) {
        if (OWN_CLIENTS.has(clientId) && clientId !== PORTAL_CLIENT) continue;
        if (!names.has(clientId)) {
          const app = await store.repos.applications.getByClientId(me.instance.id, clientId);
          names.set(clientId, clientId === PORTAL_CLIENT ? 'Portal' : (app?.name ?? clientId));
        }
        apps.push(names.get(clientId)!);
      }
      const uid = typeof r.payload.uid === 'string' ? r.payload.uid : r.uid;
      if (!uid) continue;
      const loginTs = loginTsOf(r.payload);
      out.push({
        id: uid,
        signed_in_at: loginTs === null ? null : new Date(loginTs * 1000).toISOString(),
        expires_at: r.expiresAt?.toISOString() ?? null,
        current: uid === me.sessionUid,
        applications: apps,
        acr: typeof r.payload.acr === 'string' ? r.payload.acr : null,
      });
    }
    return out.sort((a, b) => (b.signed_in_at ?? '').localeCompare(a.signed_in_at ?? ''));
  }

  /** Ends a session: the session record and every grant (tokens) issued in it. */
  async function endSession(instance: Instance, r: OidcModelRecord): Promise<number> {
    const auth = (r.payload.authorizations ?? {}) as Record<string, { grantId?: string }>;
    let grants = 0;
    await store.transaction(async (tx) => {
      for (const a of Object.values(auth))
        if (typeof a.grantId === 'string') {
          await tx.oidc.revokeByGrantId(instance.id, a.grantId);
          await tx.oidc.destroy(instance.id, 'Grant', a.grantId);
          grants++;
        }
      await tx.oidc.destroy(instance.id, 'Session', r.id);
    });
    return grants;
  }

  // ------------------------------------------------------------------ launcher

  async function apps(me: Me) {
    const inst = me.instance;
    const out: { id: string; name: string; protocol: 'oidc' | 'saml'; launch_url: string }[] = [];
    const oidcApps: Application[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.repos.applications.list(inst.id, { limit: 200, cursor });
      oidcApps.push(...page.items);
      cursor = page.next;
    } while (cursor && oidcApps.length < 2000);
    for (const a of oidcApps) {
      if (a.internal || OWN_CLIENTS.has(a.clientId)) continue;
      if (!a.grantTypes.includes('authorization_code') || !a.redirectUris.length) continue;
      const redirect = a.redirectUris[0]!;
      let launch: string;
      if (a.clientType === 'confidential') {
        // the authorization request the application would make; with a session the user
        // lands on the application's redirect URI with a code
        const u = new URL(`${issuer(inst)}/auth`);
        u.search = new URLSearchParams({
          client_id: a.clientId,
          response_type: 'code',
          scope: 'openid',
          redirect_uri: redirect,
        }).toString();
        launch = u.href;
      } else {
        // a public client must start its own request (PKCE): open the application
        launch = new URL(redirect).origin + '/';
      }
      out.push({ id: a.id, name: a.name, protocol: 'oidc', launch_url: launch });
    }
    for (const s of await store.repos.samlApps.list(inst.id)) {
      const u = new URL(`${samlBase(config.publicUrl, inst.slug)}/init`);
      u.searchParams.set('sp', s.entityId);
      out.push({ id: s.id, name: s.name, protocol: 'saml', launch_url: u.href });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  // ------------------------------------------------------------------ dispatch

  async function handle(ctx: Context, instance: Instance, rest: string): Promise<void> {
    const method = ctx.method;
    const send = (status: number, payload?: unknown) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.status = status;
      if (payload !== undefined) {
        ctx.type = 'application/json';
        ctx.body = payload;
      }
    };
    if (rest === '/portal' && method === 'GET') {
      await ensureClient(instance);
      return send(200, {
        issuer: issuer(instance),
        client_id: PORTAL_CLIENT,
        redirect_uri: redirectUri(instance),
        scope: 'openid profile email',
        instance: { slug: instance.slug, name: instance.displayName || instance.slug },
        branding: await brandingOf(sctx, instance),
      });
    }
    if (!rest.startsWith('/me'))
      throw new AppError('not_found', `no route for ${method} ${ctx.path}`);
    const me = await authenticate(ctx, instance);
    const { user } = me;
    const notAllowed = () => {
      throw new AppError('method_not_allowed', `method ${method} is not allowed here`);
    };

    if (rest === '/me') {
      if (method === 'GET') return send(200, profile(user));
      if (method !== 'PATCH') return notAllowed();
      const b = await body(ctx, ProfilePatch);
      await sctx.core.directory.updateUser(instance, user.id, { displayName: b.display_name });
      await audit(ctx, me, 'user.profile.update', 'success', { fields: ['display_name'] });
      return send(200, profile(await sctx.core.directory.getUser(instance, user.id)));
    }

    if (rest === '/me/password') {
      if (method !== 'POST') return notAllowed();
      const b = await body(ctx, PasswordChange);
      const rl = await sctx.limiter.hit(
        `me-password:${instance.id}:${user.id}`,
        PASSWORD_ATTEMPTS,
        15 * 60_000,
      );
      if (!rl.allowed) {
        await audit(ctx, me, 'password.change', 'denied', { reason: 'rate_limited' });
        ctx.set('Retry-After', String(Math.max(1, Math.ceil(rl.retryAfterMs / 1000))));
        throw new AppError('rate_limited', 'current_password: too many attempts; try again later', {
          issues: [{ field: 'current_password', message: 'too many attempts' }],
        });
      }
      const ok =
        user.passwordHash !== null &&
        (await sctx.core.directory.authenticate(instance, user.username, b.current_password)).ok;
      if (!ok) {
        await audit(ctx, me, 'password.change', 'failure', { reason: 'current_password' });
        throw issue('current_password', 'is not your current password');
      }
      try {
        await sctx.core.passwords.assertAcceptable(
          instance,
          b.new_password,
          { user },
          'new_password',
        );
      } catch (err) {
        await audit(ctx, me, 'password.change', 'failure', { reason: 'policy' });
        throw err;
      }
      await sctx.core.passwords.setPassword(instance, user, b.new_password);
      await audit(ctx, me, 'password.change', 'success');
      return send(204);
    }

    if (rest === '/me/mfa') {
      if (method !== 'GET') return notAllowed();
      const factors = await listFactors(sctx, instance, user.id);
      return send(200, {
        items: factors.map(factorOut),
        recovery_codes_remaining: await store.repos.mfaRecoveryCodes.remaining(
          instance.id,
          user.id,
        ),
      });
    }
    if (rest === '/me/mfa/totp') {
      if (method !== 'POST') return notAllowed();
      const e = await beginTotp(sctx, instance, user);
      return send(201, {
        enrollment_id: e.enrollmentId,
        secret: e.secret,
        otpauth_uri: e.uri,
        qr_svg: e.qrSvg,
      });
    }
    if (rest === '/me/mfa/totp/confirm') {
      if (method !== 'POST') return notAllowed();
      const b = await body(ctx, TotpConfirm);
      try {
        const f = await confirmTotp(sctx, instance, user, b.enrollment_id, b.code, b.name ?? '');
        await audit(ctx, me, 'mfa.enroll', 'success', { factor: 'totp', factorId: f.id });
        return send(201, { factor: factorOut(f), recovery_codes: await afterEnroll(me, ctx) });
      } catch (err) {
        if (!(err instanceof MfaError)) throw err;
        await audit(ctx, me, 'mfa.enroll', 'failure', { factor: 'totp', reason: err.reason });
        throw mfaProblem(ctx, err, err.key === 'mfa.error.code' ? 'code' : 'enrollment_id');
      }
    }
    if (rest === '/me/mfa/webauthn/options') {
      if (method !== 'POST') return notAllowed();
      return send(200, await registrationOptions(sctx, instance, user));
    }
    if (rest === '/me/mfa/webauthn') {
      if (method !== 'POST') return notAllowed();
      const b = await body(ctx, WebauthnRegister);
      const raw = typeof b.credential === 'string' ? b.credential : JSON.stringify(b.credential);
      try {
        const f = await registerCredential(sctx, instance, user, raw, b.name ?? '');
        await audit(ctx, me, 'mfa.enroll', 'success', {
          factor: 'webauthn',
          factorId: f.id,
          deviceType: f.deviceType,
        });
        return send(201, { factor: factorOut(f), recovery_codes: await afterEnroll(me, ctx) });
      } catch (err) {
        if (!(err instanceof MfaError)) throw err;
        await audit(ctx, me, 'mfa.enroll', 'failure', {
          factor: 'webauthn',
          reason: err.reason.slice(0, 200),
        });
        throw mfaProblem(ctx, err, 'credential');
      }
    }
    if (rest === '/me/mfa/recovery-codes') {
      if (method !== 'POST') return notAllowed();
      if (!(await listFactors(sctx, instance, user.id)).length)
        throw issue('factors', 'recovery codes need a second factor first', 409);
      const codes = await regenerateRecoveryCodes(sctx, instance, user.id);
      await audit(ctx, me, 'mfa.recovery.generate', 'success', { count: codes.length });
      return send(201, { codes });
    }
    const factor = /^\/me\/mfa\/([A-Za-z0-9_-]{1,128})$/.exec(rest);
    if (factor) {
      if (method !== 'DELETE') return notAllowed();
      const nowS = Math.floor(sctx.clock.now().getTime() / 1000);
      if (me.loginTs === null || nowS - me.loginTs > REAUTH_SECONDS) {
        await audit(ctx, me, 'mfa.remove', 'denied', { reason: 'reauth' });
        throw new AppError(
          'forbidden',
          `sign in again: removing a factor needs a sign-in within the last ${REAUTH_SECONDS / 60} minutes`,
          {
            extra: { reauthenticate: true, max_age: 0 },
          },
        );
      }
      const removed = await removeFactor(sctx, instance, user.id, factor[1]!);
      if (!removed) throw new AppError('not_found', 'factor not found');
      await audit(ctx, me, 'mfa.remove', 'success', { factor: removed.kind, factorId: removed.id });
      return send(204);
    }

    if (rest === '/me/sessions') {
      if (method === 'GET') return send(200, { items: await sessionsOf(me) });
      if (method !== 'DELETE') return notAllowed();
      const rows = await store.repos.userSessions.listOfUser(instance.id, user.id, 'Session');
      let grants = 0;
      for (const r of rows) grants += await endSession(instance, r);
      await audit(ctx, me, 'session.revoke', 'success', {
        sessions: rows.length,
        grants,
        all: true,
      });
      return send(204);
    }
    const session = /^\/me\/sessions\/([A-Za-z0-9_-]{1,128})$/.exec(rest);
    if (session) {
      if (method !== 'DELETE') return notAllowed();
      const r = await store.repos.oidc.findByUid(instance.id, session[1]!);
      if (!r || r.model !== 'Session' || r.payload.accountId !== user.id)
        throw new AppError('not_found', 'session not found');
      const grants = await endSession(instance, r);
      await audit(ctx, me, 'session.revoke', 'success', {
        session: session[1],
        grants,
        current: session[1] === me.sessionUid,
      });
      return send(204);
    }

    if (rest === '/me/apps') {
      if (method !== 'GET') return notAllowed();
      return send(200, { items: await apps(me) });
    }
    throw new AppError('not_found', `no route for ${method} ${ctx.path}`);
  }

  return async (ctx, next) => {
    const m = /^\/i\/([a-z0-9][a-z0-9-]{0,62})\/api(\/[A-Za-z0-9/_-]*)?$/.exec(ctx.path);
    if (!m) return next();
    const instance = await store.repos.instances.getBySlug(m[1]!);
    if (
      !instance ||
      instance.dataKeyWrapped === null ||
      ['released', 'void'].includes(instance.state)
    )
      throw new AppError('not_found', `no instance "${m[1]}"`);
    ctx.state.instance = instance;
    // a suspended instance's users may look, not change (ID1, ID2)
    if (ctx.method !== 'GET' && !SERVING_STATES.has(instance.state))
      throw new AppError(
        'instance_unavailable',
        `instance "${instance.slug}" is ${instance.state}`,
      );
    return handle(ctx, instance, (m[2] ?? '').replace(/\/$/, ''));
  };
}
