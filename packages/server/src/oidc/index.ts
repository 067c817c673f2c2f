// The OIDC module: one oidc-provider Provider per instance behind `/i/:slug/...`,
// created lazily, kept in an LRU bounded by `config.providerCacheSize`, and rebuilt
// when the instance's `configVersion` changes (keys rotated, applications changed).
//
// Staleness bound: a cached provider re-reads its instance row at most every
// REVALIDATE_MS (2 s) of process time, so a state change (suspension), key rotation
// or client change takes effect within ~2 s on every server process. `invalidate(slug)`
// makes it immediate in this process.
import { performance } from 'node:perf_hooks';
import type { Context, Middleware, Next } from 'koa';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import { AppError, type Instance } from '@idaas/core';
import type { ServerContext, TokenInfo, TokenVerifier } from '../context.ts';
import { buildProvider, adminResource, issuerOf } from './provider.ts';
import { clauseOf, handleInteraction, renderUnavailable, SERVING_STATES } from './interactions.ts';

export interface OidcModule {
  /** Handles `/i/:slug/...` (provider endpoints and hosted pages); passes anything else on. */
  middleware: Middleware;
  tokens: TokenVerifier;
  /** Drops the cached provider of an instance (it is rebuilt on next use). */
  invalidate(slug: string): void;
  /** How many providers are cached (for tests and benchmarks). */
  cachedProviders(): number;
  close(): Promise<void>;
}

export const REVALIDATE_MS = 2000;

interface Entry {
  instance: Instance;
  provider: Provider | null;
  run: ((ctx: Context, next: Next) => Promise<unknown>) | null;
  jwks: ReturnType<typeof createLocalJWKSet> | null;
  publicJwks: { keys: Record<string, unknown>[] } | null;
  checkedAt: number;
}

/** koa-compose over the provider's own middleware, run on our context (koa-mount style). */
function composeProvider(provider: Provider): (ctx: Context, next: Next) => Promise<unknown> {
  const stack = provider.middleware as Middleware[];
  return (ctx, next) => {
    const dispatch = (i: number): Promise<unknown> => {
      const fn = i === stack.length ? next : stack[i];
      if (!fn) return Promise.resolve();
      return Promise.resolve(fn(ctx as never, () => dispatch(i + 1) as Promise<void>));
    };
    return dispatch(0);
  };
}

const SLUG_PATH = /^\/i\/([a-z0-9][a-z0-9-]{0,62})(\/.*)?$/;

/** Provider routes where end users sign in (refused unless the instance is serving). */
const SIGN_IN_ROUTES = /^\/(?:auth(?:\/[^/]+)?|device(?:\/[^/]+)?|request)$/;

function basicClientId(header: string): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  try {
    return decodeURIComponent(decoded.slice(0, i).replace(/\+/g, '%20'));
  } catch {
    return null;
  }
}

export function createOidc(sctx: ServerContext): OidcModule {
  const { config, store } = sctx;
  const publicHost = new URL(config.publicUrl).host;
  const capacity = Math.max(1, config.providerCacheSize);
  const cache = new Map<string, Entry>();
  const building = new Map<string, Promise<Entry | null>>();

  const touch = (slug: string, e: Entry) => {
    cache.delete(slug);
    cache.set(slug, e);
    while (cache.size > capacity) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
    }
  };

  async function build(instance: Instance): Promise<Entry> {
    const serving =
      instance.dataKeyWrapped !== null && !['released', 'void'].includes(instance.state);
    if (!serving)
      return {
        instance,
        provider: null,
        run: null,
        jwks: null,
        publicJwks: null,
        checkedAt: performance.now(),
      };
    const { provider, publicJwks } = await buildProvider(sctx, instance);
    return {
      instance,
      provider,
      run: composeProvider(provider),
      jwks: null,
      publicJwks,
      checkedAt: performance.now(),
    };
  }

  async function load(slug: string): Promise<Entry | null> {
    const cached = cache.get(slug);
    if (cached && performance.now() - cached.checkedAt < REVALIDATE_MS) {
      touch(slug, cached);
      return cached;
    }
    const pending = building.get(slug);
    if (pending) return pending;
    const p = (async () => {
      const instance = await store.repos.instances.getBySlug(slug);
      if (!instance) {
        cache.delete(slug);
        return null;
      }
      let entry: Entry;
      if (
        cached &&
        cached.instance.configVersion === instance.configVersion &&
        (cached.provider !== null) ===
          (instance.dataKeyWrapped !== null && !['released', 'void'].includes(instance.state))
      ) {
        cached.instance = instance;
        cached.checkedAt = performance.now();
        entry = cached;
      } else {
        entry = await build(instance);
      }
      touch(slug, entry);
      return entry;
    })().finally(() => building.delete(slug));
    building.set(slug, p);
    return p;
  }

  const oauthError = (ctx: Context, status: number, error: string, description: string) => {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error, error_description: description };
  };

  const middleware: Middleware = async (ctx, next) => {
    const m = SLUG_PATH.exec(ctx.path);
    if (!m) return next();
    const slug = m[1]!;
    const rest = m[2] ?? '/';
    const entry = await load(slug);
    if (!entry) throw new AppError('not_found', `no instance "${slug}"`);
    const { instance } = entry;
    ctx.state.instance = instance;
    const serving = SERVING_STATES.has(instance.state);

    if (!entry.provider || !entry.run) {
      if (ctx.method === 'GET' && (SIGN_IN_ROUTES.test(rest) || rest.startsWith('/interaction/')))
        return renderUnavailable(ctx, instance, await clauseOf(sctx, instance));
      if (rest === '/token')
        return oauthError(
          ctx,
          400,
          'access_denied',
          `instance ${instance.state}: no tokens are issued (service agreement ${await clauseOf(sctx, instance)})`,
        );
      throw new AppError('instance_unavailable', `instance "${slug}" is ${instance.state}`);
    }
    const provider = entry.provider;

    if (rest.startsWith('/interaction/'))
      return handleInteraction(sctx, ctx, provider, instance, rest);

    if (!serving && SIGN_IN_ROUTES.test(rest) && (ctx.method === 'GET' || ctx.method === 'POST')) {
      if (rest === '/request' || rest === '/device/auth')
        return oauthError(
          ctx,
          400,
          'access_denied',
          `instance ${instance.state}: end users cannot sign in (service agreement ${await clauseOf(sctx, instance)})`,
        );
      return renderUnavailable(ctx, instance, await clauseOf(sctx, instance));
    }

    if (rest === '/token' && ctx.method === 'POST') {
      if (!serving)
        return oauthError(
          ctx,
          400,
          'access_denied',
          `instance ${instance.state}: no new grants are issued (service agreement ${await clauseOf(sctx, instance)})`,
        );
      const clientId = basicClientId(ctx.get('authorization'));
      const key = clientId
        ? `token:${instance.id}:${clientId}`
        : `token:${instance.id}:ip:${ctx.ip}`;
      const rl = await sctx.limiter.hit(key, config.rateLimit.tokenPerSecond, 1000);
      if (!rl.allowed) {
        ctx.set('Retry-After', String(Math.max(1, Math.ceil(rl.retryAfterMs / 1000))));
        return oauthError(
          ctx,
          429,
          'slow_down',
          'token endpoint rate limit exceeded for this client',
        );
      }
    }
    if (rest === '/device/auth' && ctx.method === 'POST' && !serving)
      return oauthError(
        ctx,
        400,
        'access_denied',
        `instance ${instance.state}: end users cannot sign in (service agreement ${await clauseOf(sctx, instance)})`,
      );

    // Endpoint URLs are built from the request's host: pin it to PUBLIC_URL's, so that a
    // forged Host header cannot put another origin into discovery or redirects, and
    // endpoints always share the issuer's origin.
    if (!config.trustProxy) ctx.request.header.host = publicHost;

    // mount: the provider sees paths relative to its issuer
    const prev = ctx.path;
    (ctx as { mountPath?: string }).mountPath = `/i/${slug}`;
    ctx.path = rest;
    try {
      await entry.run(ctx, async () => {
        ctx.path = prev;
        await next();
        ctx.path = rest;
      });
    } finally {
      ctx.path = prev;
    }
    if (rest === '/token' && ctx.status === 200) {
      const oidc = (
        ctx as unknown as {
          oidc?: {
            params?: { grant_type?: unknown };
            client?: { clientId?: string };
            entities?: { Account?: { accountId?: string }; AccessToken?: { accountId?: string } };
          };
        }
      ).oidc;
      const grant =
        typeof oidc?.params?.grant_type === 'string' ? oidc.params.grant_type : 'unknown';
      sctx.metrics.tokensIssued.inc({ grant_type: grant });
      if (entry.instance)
        sctx.events.emit('tokenIssued', {
          instanceId: entry.instance.id,
          clientId: oidc?.client?.clientId ?? '',
          grantType: grant,
          userId:
            oidc?.entities?.Account?.accountId ?? oidc?.entities?.AccessToken?.accountId ?? null,
          at: sctx.clock.now(),
        });
    }
  };

  async function verify(slug: string, token: string): Promise<TokenInfo | null> {
    if (!token || token.length > 4096) return null;
    const entry = await load(slug).catch(() => null);
    if (!entry?.provider) return null;
    const { provider, instance } = entry;
    const nowSec = Math.floor(sctx.clock.now().getTime() / 1000);
    const admin = adminResource(config.publicUrl);
    if (token.split('.').length === 3) {
      // a JWT access token (resource indicator with accessTokenFormat=jwt)
      entry.jwks ??= createLocalJWKSet(entry.publicJwks as never);
      try {
        const { payload } = await jwtVerify(token, entry.jwks, {
          issuer: issuerOf(config.publicUrl, instance.slug),
          audience: admin,
          typ: 'at+jwt',
          currentDate: sctx.clock.now(),
        });
        if (typeof payload.client_id !== 'string' || typeof payload.exp !== 'number') return null;
        return {
          instanceSlug: instance.slug,
          clientId: payload.client_id,
          sub: payload.sub && payload.sub !== payload.client_id ? payload.sub : null,
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
          expiresAt: new Date(payload.exp * 1000),
        };
      } catch {
        return null;
      }
    }
    const found =
      (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
    if (!found || typeof found.exp !== 'number' || found.exp <= nowSec) return null;
    const aud = (found as { aud?: unknown }).aud;
    if (aud !== undefined && aud !== admin && !(Array.isArray(aud) && aud.includes(admin)))
      return null;
    // the client must still exist
    const clientId = found.clientId;
    if (typeof clientId !== 'string' || !(await provider.Client.find(clientId))) return null;
    return {
      instanceSlug: instance.slug,
      clientId,
      sub: 'accountId' in found && typeof found.accountId === 'string' ? found.accountId : null,
      scopes: [...found.scopes],
      expiresAt: new Date(found.exp * 1000),
    };
  }

  return {
    middleware,
    tokens: { verify },
    invalidate(slug) {
      cache.delete(slug);
    },
    cachedProviders: () => cache.size,
    async close() {
      cache.clear();
    },
  };
}
