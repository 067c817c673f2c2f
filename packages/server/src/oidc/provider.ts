// One oidc-provider Provider per instance. Everything per-instance lives in the
// configuration built here; the functions it references are shared module-level or
// tiny closures, so a cached provider stays small.
import Provider, {
  errors,
  interactionPolicy,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { ADMIN_SCOPE, isOperatorUser } from '../bootstrap.ts';
import { adapterFor } from './adapter.ts';
import { CLAIMS, findAccountFor } from './account.ts';
import { ACR_VALUES, acrRank } from '../mfa/service.ts';
import { requestedRank, STEP_UP_REASON } from './interactions.ts';
import { ACCESS_MFA_REASON, sessionReuseCheck } from '../security/access.ts';
import {
  logoutSource,
  postLogoutSuccessSource,
  renderProviderError,
  successSource,
  userCodeConfirmSource,
  userCodeInputSource,
} from './views.ts';

export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'groups'];

export function issuerOf(publicUrl: string, slug: string): string {
  return `${publicUrl}/i/${slug}`;
}

/** The admin API as a resource server (RFC 8707 resource indicator). */
export function adminResource(publicUrl: string): string {
  return `${publicUrl}/api/v1`;
}

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/;

/**
 * Outgoing requests (back-channel logout): oidc-provider's SSRF guard refuses
 * special-use addresses. Outside production we let loopback through, so a relying
 * party on the same machine (development, tests) receives its logout tokens.
 */
function outgoingFetch(production: boolean) {
  return (url: URL | string, options: RequestInit & { dispatcher?: unknown }) => {
    if (!production && LOOPBACK.test(new URL(url).hostname)) delete options.dispatcher;
    return globalThis.fetch(url, options);
  };
}

const ACCESS_TOKEN_FORMAT = 'urn:idaas:access_token_format';

/**
 * The interaction policy: the built-in prompts plus a step-up check on `login` — a
 * session whose acr is weaker than the client's `acr_values` asks for goes through the
 * second step again (max_age and prompt=login are built in) — and conditional access on
 * a reused session (`accessCheck`, see security/access.ts).
 */
function loginPolicy(accessCheck: (ctx: KoaContextWithOIDC) => Promise<boolean>) {
  const { base, Check } = interactionPolicy;
  const policy = base();
  const login = policy.get('login')!;
  login.checks.add(
    new Check(ACCESS_MFA_REASON, 'an access policy requires a second factor', async (ctx) => {
      // a full sign-in is due anyway (no session, prompt=login, max_age, id_token_hint …):
      // conditional access runs there, with whoever signs in
      for (const other of login.checks)
        if (
          other.reason !== ACCESS_MFA_REASON &&
          other.reason !== STEP_UP_REASON &&
          (await other.check(ctx))
        )
          return Check.NO_NEED_TO_PROMPT;
      return (await accessCheck(ctx)) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  login.checks.add(
    new Check(STEP_UP_REASON, 'a stronger authentication is requested', (ctx) => {
      const { oidc } = ctx;
      if (!oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
      const wanted = requestedRank(oidc.params?.acr_values);
      if (wanted === 0 || acrRank(oidc.session.acr) >= wanted) return Check.NO_NEED_TO_PROMPT;
      // already done in this interaction (the login result carries the new acr)
      if (acrRank((oidc.result?.login as { acr?: string } | undefined)?.acr) >= wanted)
        return Check.NO_NEED_TO_PROMPT;
      return Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}
const FIRST_PARTY = 'urn:idaas:first_party';

/**
 * oidc-provider's default (the grant the session holds for the client), except that a
 * first-party application (the SAML bridge, or any application flagged first_party) is
 * granted what it asks for without a consent page: its grant is created or extended here.
 * On the platform instance, `adminGate` keeps the admin scope out of the grant of a user
 * who is not an operator user: it is rejected in the grant (so no consent page offers it
 * and no token carries it), and a rejection is lifted once the user is an operator.
 */
async function loadGrantSkippingConsent(ctx: KoaContextWithOIDC, adminGate: AdminGate | null) {
  const o = ctx.oidc;
  const client = o.client!;
  const grantId = o.result?.consent?.grantId || o.session!.grantIdFor(client.clientId);
  let grant = grantId ? await o.provider.Grant.find(grantId) : undefined;
  const accountId = o.session?.accountId;
  const firstParty = client.metadata()[FIRST_PARTY] === true;
  let changed = false;
  if (firstParty && accountId) {
    grant ??= new o.provider.Grant({ clientId: client.clientId, accountId });
    grant.addOIDCScope([...o.requestParamOIDCScopes].join(' '));
    if (o.requestParamClaims.size) grant.addOIDCClaims([...o.requestParamClaims]);
    for (const [indicator, server] of Object.entries(o.resourceServers ?? {})) {
      const asked = (server.scope ?? '').split(' ').filter((s) => o.requestParamScopes.has(s));
      if (asked.length) grant.addResourceScope(indicator, asked.join(' '));
    }
    changed = true;
  }
  if (adminGate && accountId) {
    // the platform's provider also knows idaas:admin as an OpenID scope: gate both
    const wanted = o.requestParamScopes.has(ADMIN_SCOPE);
    const has = (list: string | undefined) => (list ?? '').split(' ').includes(ADMIN_SCOPE);
    const held =
      grant && (has(grant.getOIDCScope()) || has(grant.getResourceScope(adminGate.indicator)));
    const refused =
      grant &&
      (has(grant.getRejectedOIDCScope()) ||
        has(grant.getRejectedResourceScope(adminGate.indicator)));
    if (wanted || held || refused) {
      const operator = await adminGate.isOperator(accountId);
      if (!operator && (wanted || held)) {
        grant ??= new o.provider.Grant({ clientId: client.clientId, accountId });
        grant.rejectOIDCScope(ADMIN_SCOPE);
        grant.rejectResourceScope(adminGate.indicator, ADMIN_SCOPE);
        changed = true;
      } else if (operator && refused && grant) {
        liftRejection(grant, adminGate.indicator, ADMIN_SCOPE);
        changed = true;
      }
    }
  }
  if (grant && changed) await grant.save();
  return grant;
}

export interface AdminGate {
  /** The admin API's resource indicator. */
  indicator: string;
  isOperator(userId: string): Promise<boolean>;
}

/** Removes `scope` from a grant's rejected scopes (OpenID and `indicator`'s); oidc-provider has no API for it. */
function liftRejection(grant: object, indicator: string, scope: string): void {
  const rejected = (
    grant as { rejected?: { openid?: { scope?: string }; resources?: Record<string, string> } }
  ).rejected;
  const without = (list: string) =>
    list
      .split(' ')
      .filter((s) => s && s !== scope)
      .join(' ');
  if (rejected?.openid?.scope !== undefined) rejected.openid.scope = without(rejected.openid.scope);
  const list = rejected?.resources?.[indicator];
  if (rejected?.resources && list !== undefined) {
    const rest = without(list);
    if (rest) rejected.resources[indicator] = rest;
    else delete rejected.resources[indicator];
  }
}

function clientBasedCORS(_ctx: unknown, origin: string, client: { redirectUris?: string[] }) {
  return (client.redirectUris ?? []).some((u) => {
    try {
      return new URL(u).origin === origin;
    } catch {
      return false;
    }
  });
}

export interface BuiltProvider {
  provider: Provider;
  /** Public JWKS, for verifying JWT access tokens without the provider. */
  publicJwks: { keys: Record<string, unknown>[] };
}

export async function buildProvider(
  sctx: ServerContext,
  instance: Instance,
): Promise<BuiltProvider> {
  const { config } = sctx;
  const issuer = issuerOf(config.publicUrl, instance.slug);
  const mount = `/i/${instance.slug}`;
  const keys = await sctx.core.signingKeys.privateJwks(instance);
  const publicJwks = {
    keys: (await sctx.core.signingKeys.published(instance)).map((k) => ({
      ...k.publicJwk,
      kid: k.kid,
      alg: k.alg,
      use: 'sig',
    })),
  };
  const admin = adminResource(config.publicUrl);
  // Supported scopes: OpenID ones, the admin scope on the platform, and every scope an
  // application of the instance is registered with (client changes bump configVersion,
  // so this set is rebuilt with the provider).
  const scopes = new Set(instance.platform ? [...OIDC_SCOPES, ADMIN_SCOPE] : OIDC_SCOPES);
  for (let cursor: string | null = null, i = 0; i < 100; i++) {
    const page = await sctx.store.repos.applications.list(instance.id, { limit: 200, cursor });
    for (const app of page.items)
      for (const s of app.scopes) if (s !== ADMIN_SCOPE || instance.platform) scopes.add(s);
    cursor = page.next;
    if (!cursor) break;
  }
  const cookie = { path: mount, httpOnly: true, sameSite: 'lax' as const, signed: true };

  const configuration: Configuration = {
    adapter: adapterFor(sctx, instance),
    findAccount: findAccountFor(sctx, instance),
    jwks: { keys: keys as never },
    cookies: {
      keys: config.cookieKeys,
      long: cookie,
      short: cookie,
    },
    // acr/amr/auth_time in ID tokens: acr from the sign-in (urn:idaas:acr:*), amr per RFC 8176
    // (under `openid` so every ID token carries them, not only when a client asks)
    claims: { ...CLAIMS, openid: [...CLAIMS.openid, 'acr', 'amr', 'auth_time'] },
    acrValues: ACR_VALUES,
    scopes: [...scopes],
    conformIdTokenClaims: false,
    fetch: outgoingFetch(config.production) as never,
    clientBasedCORS: clientBasedCORS as never,
    extraClientMetadata: { properties: [ACCESS_TOKEN_FORMAT, FIRST_PARTY] },
    loadExistingGrant: (ctx) =>
      loadGrantSkippingConsent(
        ctx,
        instance.platform
          ? { indicator: admin, isOperator: (id) => isOperatorUser(sctx.store, id) }
          : null,
      ),
    pkce: {
      // S256 only (the default method list); required for public clients.
      required: (_ctx, client) => client.clientAuthMethod === 'none',
    },
    interactions: {
      policy: loginPolicy((ctx) => sessionReuseCheck(sctx, instance, ctx)),
      url: (_ctx, interaction) => `${mount}/interaction/${interaction.uid}`,
    },
    rotateRefreshToken: true,
    ttl: {
      AccessToken: config.ttl.accessToken,
      ClientCredentials: config.ttl.accessToken,
      IdToken: config.ttl.idToken,
      RefreshToken: config.ttl.refreshToken,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 3600,
      Session: 14 * 86400,
      Grant: config.ttl.refreshToken,
      PushedAuthorizationRequest: 60,
    },
    renderError: renderProviderError,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // a client may introspect only its own tokens (and not at all when public)
        allowedPolicy: async (_ctx, client, token) =>
          client.clientAuthMethod !== 'none' && token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        // a client may revoke only its own tokens
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource,
        userCodeConfirmSource,
        successSource,
      },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: KoaContextWithOIDC, indicator, client) => {
          const format = client.metadata()[ACCESS_TOKEN_FORMAT] === 'jwt' ? 'jwt' : 'opaque';
          let url: URL;
          try {
            url = new URL(indicator);
          } catch {
            throw new errors.InvalidTarget();
          }
          if (!/^https?:$/.test(url.protocol) || url.hash) throw new errors.InvalidTarget();
          const isAdmin = indicator === admin;
          if (isAdmin && !instance.platform) throw new errors.InvalidTarget();
          // scopes a resource server accepts: the client's non-OpenID scopes
          const own = (client.scope ?? '')
            .split(' ')
            .filter((s) => s && !OIDC_SCOPES.includes(s) && (isAdmin || s !== ADMIN_SCOPE));
          return {
            // the admin API accepts operators' and account members' (idaas:account) tokens
            scope: isAdmin ? `${ADMIN_SCOPE} idaas:account` : own.join(' '),
            audience: indicator,
            accessTokenTTL: config.ttl.accessToken,
            accessTokenFormat: format,
            ...(format === 'jwt' ? { jwt: { sign: { alg: 'ES256' as const } } } : {}),
          };
        },
      },
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = config.trustProxy;
  const log = (ctx: unknown) =>
    (ctx as { state?: { log?: ServerContext['logger'] } } | undefined)?.state?.log ?? sctx.logger;
  provider.on('server_error', (ctx, err) => log(ctx).error({ err }, 'oidc server error'));
  provider.on('backchannel.error', (ctx, err, client) =>
    log(ctx).warn(
      { err: { message: (err as Error).message }, clientId: client.clientId },
      'back-channel logout delivery failed',
    ),
  );
  return { provider, publicJwks };
}
