// The HTTP edge: one Koa application for every instance.
//   /healthz /readyz /metrics       operations
//   /api/v1/...                      admin API (problem+json errors, OpenAPI at /api/v1/openapi.json)
//   /i/:slug/...                     an instance's OIDC provider and hosted pages
import Koa from 'koa';
import { randomUUID } from 'node:crypto';
import { AppError } from '@idaas/core';
import type { ServerContext } from './context.ts';
import { sendProblem } from './http/problem.ts';
import { routeLabel } from './http/metrics.ts';
import { securityHeaders } from './http/security.ts';
import { negotiate } from './i18n.ts';
import { createOidc, type OidcModule } from './oidc/index.ts';
import { createApi } from './api/index.ts';
import { createSaml } from './saml/index.ts';
import { createAccountPages } from './account/index.ts';
import { mfaAssets } from './mfa/assets.ts';
import { createScim } from './scim/index.ts';
import { createPasswordPages } from './passwords/index.ts';
import { createMe } from './me/index.ts';
import { brandingMiddleware } from './branding/index.ts';
import { registerImportJobs } from './imports/index.ts';
import { createConsole } from './console/index.ts';

export interface App {
  koa: Koa;
  oidc: OidcModule;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function createApp(sctx: ServerContext): App {
  const { config, logger, metrics, store } = sctx;
  const koa = new Koa({ proxy: config.trustProxy, keys: config.cookieKeys });
  const oidc = createOidc(sctx);
  // A lifecycle transition (suspension, payment restoring service, release) takes effect
  // in this process's OIDC providers as soon as it commits; other processes see it
  // within the providers' revalidation interval.
  sctx.business.ports.lifecycle.onTransition(async (t, tx) => {
    const inst = await tx.instances.get(t.instanceId);
    if (inst) sctx.store.afterCommit(() => oidc.invalidate?.(inst.slug));
  });

  // request id, access log and metrics. The per-request child logger is created only
  // when something logs through ctx.state.log (the access log line carries the same
  // fields itself); route labels and labelled histogram children are memoised.
  const routes = new Map<string, string>();
  const observers = new Map<string, ReturnType<typeof metrics.httpDuration.labels>>();
  const observe = (method: string, path: string, status: number, seconds: number) => {
    let route = routes.get(path);
    if (route === undefined) {
      route = routeLabel(path);
      if (routes.size >= 2000) routes.clear();
      routes.set(path, route);
    }
    const key = `${method} ${status} ${route}`;
    let o = observers.get(key);
    if (!o) {
      o = metrics.httpDuration.labels(method, route, String(status));
      if (observers.size >= 2000) observers.clear();
      observers.set(key, o);
    }
    o.observe(seconds);
  };
  koa.use(async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const reqId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.reqId = reqId;
    ctx.set('X-Request-Id', reqId);
    const slug = /^\/i\/([^/]+)/.exec(ctx.path)?.[1];
    const bindings = slug ? { reqId, instance: slug } : { reqId };
    let log: typeof logger | undefined;
    Object.defineProperty(ctx.state, 'log', {
      configurable: true,
      enumerable: true,
      get: () => (log ??= logger.child(bindings)),
      set: (v: typeof logger) => (log = v),
    });
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = ctx.res.statusCode || ctx.status;
      if (slug)
        sctx.events.emit('instanceRequest', { instanceSlug: slug, status, at: sctx.clock.now() });
      observe(ctx.method, ctx.path, status, seconds);
      if ((log ?? logger).isLevelEnabled('info'))
        (log ?? logger).info(
          {
            ...(log ? {} : bindings),
            method: ctx.method,
            path: ctx.path,
            status,
            ms: Math.round(seconds * 1e4) / 10,
            ip: ctx.ip,
          },
          'request',
        );
    }
  });

  // errors → problem+json (the OIDC provider renders its own OAuth errors)
  koa.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500)
        ctx.state.log.error({ err }, 'request failed');
      sendProblem(
        ctx,
        err,
        negotiate(ctx.query.lang as string | undefined, ctx.get('accept-language')),
      );
    }
  });

  koa.use(securityHeaders({ https: config.publicUrl.startsWith('https://') }));

  koa.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz') {
      try {
        await store.repos.settings.get('ready-check');
        ctx.body = { status: 'ready' };
      } catch {
        ctx.status = 503;
        ctx.body = { status: 'unavailable', detail: 'database unreachable' };
      }
      return;
    }
    if (ctx.path === '/metrics') {
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
      return;
    }
    await next();
  });

  koa.use(createConsole()); // /console/* and /i/:slug/portal/* (the single-page app)
  koa.use(createApi(sctx, oidc.tokens));
  registerImportJobs(sctx); // the background job of user imports
  koa.use(createMe(sctx, oidc.tokens, (slug) => oidc.invalidate(slug))); // /i/:slug/api/*
  koa.use(brandingMiddleware(sctx)); // ctx.state.branding for hosted pages
  koa.use(createSaml(sctx, oidc)); // /i/:slug/saml/*
  koa.use(mfaAssets()); // /assets/mfa/* (WebAuthn page scripts)
  koa.use(createAccountPages(sctx, oidc)); // /i/:slug/account/*
  koa.use(createScim(sctx, oidc.tokens)); // /i/:slug/scim/v2/*
  koa.use(createPasswordPages(sctx)); // /i/:slug/password/{forgot,reset,change}
  koa.use(oidc.middleware);

  koa.use(async (ctx) => {
    if (ctx.path === '/' && ctx.method === 'GET') {
      ctx.body = { service: 'idaas', api: `${config.publicUrl}/api/v1/openapi.json` };
      return;
    }
    throw new AppError('not_found', `no route for ${ctx.method} ${ctx.path}`);
  });

  return { koa, oidc };
}
