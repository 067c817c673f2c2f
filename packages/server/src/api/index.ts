// The admin API under /api/v1: bearer-token authentication against the platform
// instance, routing, request validation and response production through the zod
// schemas of ./routes.ts, RFC 9457 errors naming fields as the client sent them.
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { AppError, PLATFORM_SLUG, type FieldIssue, type Instance } from '@idaas/core';
import { ADMIN_SCOPE, isOperatorUser } from '../bootstrap.ts';
import type { ServerContext, TokenInfo, TokenVerifier } from '../context.ts';
import { readJson } from '../http/body.ts';
import { sendProblem } from '../http/problem.ts';
import { negotiate } from '../i18n.ts';
import { API_PREFIX, openApiDocument } from './openapi.ts';
import { compilePath, type AnyRoute, type Call } from './route.ts';
import { routes as directoryRoutes } from './routes.ts';
import { ACCOUNT_SCOPE, commerceRoutes } from './routes-commerce.ts';
import { actorOfToken, auditCall, authorizeCall, Denied, type Decision } from './authorize.ts';
import { lifecycleRoutes, refuseWritesUnlessServing } from './routes-lifecycle.ts';
import { operationsRoutes } from './routes-operations.ts';
import { accountOperationsRoutes } from './routes-account-operations.ts';
import { accountReceiptRoutes } from './routes-account-receipts.ts';
import { samlRoutes } from './routes-saml.ts';
import { provisioningRoutes } from './routes-provisioning.ts';
import { mfaRoutes } from './routes-mfa.ts';
import { auditRoutes } from './routes-audit.ts';
import { rolesRoutes } from './routes-roles.ts';
import { accessRoutes } from './routes-access.ts';
import { passwordRoutes } from './routes-passwords.ts';
import { consoleRoutes } from './routes-console.ts';
import { brandingRoutes } from './routes-branding.ts';
import { importRoutes } from './routes-imports.ts';
import { coreFieldToWire } from './schemas.ts';

/** Every route of the admin API: the directory's, then each business module's. */
export const routes: AnyRoute[] = [
  ...directoryRoutes,
  ...commerceRoutes,
  ...lifecycleRoutes,
  ...operationsRoutes,
  ...accountOperationsRoutes,
  ...accountReceiptRoutes,
  ...samlRoutes,
  ...provisioningRoutes,
  ...mfaRoutes,
  ...auditRoutes,
  ...rolesRoutes,
  ...accessRoutes,
  ...passwordRoutes,
  ...consoleRoutes,
  ...brandingRoutes,
  ...importRoutes,
];
export { openApiDocument, API_PREFIX } from './openapi.ts';

const REALM = 'Bearer realm="idaas"';

/** Validates `data` with a request schema; errors name each field as the client sent it. */
export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  where: 'body' | 'query',
): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues: FieldIssue[] = [];
  for (const i of r.error.issues) {
    const base = formatPath(i.path);
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys)
        issues.push({ field: base ? `${base}.${k}` : k, message: 'is not a known field' });
      continue;
    }
    const message = /received undefined$/.test(i.message) ? 'is required' : i.message;
    issues.push({ field: base || where, message });
  }
  const first = issues[0]!;
  throw new AppError('validation_failed', `${first.field}: ${first.message}`, { issues });
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Errors of the core name its camelCase input fields; the API's clients sent snake_case. */
function toWireError(err: unknown): unknown {
  if (!(err instanceof AppError) || err.issues.length === 0) return err;
  // (conflict messages of the core repeat the field: `username: already exists`)
  const issues = err.issues.map((i) => ({
    field: coreFieldToWire(i.field),
    message: i.message.startsWith(`${i.field}: `) ? i.message.slice(i.field.length + 2) : i.message,
  }));
  let detail = err.detail;
  const first = err.issues[0]!;
  if (first.field && detail.startsWith(`${first.field}:`))
    detail = issues[0]!.field + detail.slice(first.field.length);
  return new AppError(err.code, detail, { issues, extra: err.extra, status: err.status });
}

async function authenticate(
  ctx: Context,
  sctx: ServerContext,
  tokens: TokenVerifier,
): Promise<TokenInfo> {
  const header = ctx.get('authorization');
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!m) {
    ctx.set('WWW-Authenticate', REALM);
    throw new AppError(
      'unauthorized',
      header
        ? 'authorization: must be "Bearer <access token>"'
        : 'authorization: a bearer access token from the platform instance is required',
      { issues: [{ field: 'authorization', message: header ? 'malformed' : 'missing' }] },
    );
  }
  let info = await tokens.verify(PLATFORM_SLUG, m[1]!);
  if (!info || info.instanceSlug !== PLATFORM_SLUG) {
    ctx.set(
      'WWW-Authenticate',
      `${REALM}, error="invalid_token", error_description="invalid or expired access token"`,
    );
    throw new AppError('unauthorized', 'authorization: invalid or expired access token', {
      issues: [{ field: 'authorization', message: 'invalid or expired access token' }],
    });
  }
  // Defence in depth: a user's token is the operator's only when its user is an operator
  // user (the grant keeps the scope from anyone else; this also covers tokens issued
  // before that rule). Service clients' tokens (no sub) keep what their application holds.
  if (
    info.sub &&
    info.scopes.includes(ADMIN_SCOPE) &&
    !(await isOperatorUser(sctx.store, info.sub))
  ) {
    ctx.state.log?.warn(
      { sub: info.sub, client: info.clientId },
      "admin scope ignored: the token's user is not an operator user",
    );
    info = { ...info, scopes: info.scopes.filter((s) => s !== ADMIN_SCOPE) };
  }
  // commerce: a platform user's token with idaas:account acts as an account member on
  // the routes that allow it (checked per route below, permissions per handler)
  const member = !!info.sub && info.scopes.includes(ACCOUNT_SCOPE);
  if (!info.scopes.includes(ADMIN_SCOPE) && !member) insufficientScope(ctx);
  return info;
}

function insufficientScope(ctx: Context): never {
  ctx.set('WWW-Authenticate', `${REALM}, error="insufficient_scope", scope="${ADMIN_SCOPE}"`);
  throw new AppError('forbidden', `the access token lacks the ${ADMIN_SCOPE} scope`);
}

function nextLink(ctx: Context, publicUrl: string, cursor: string): string {
  const params = new URLSearchParams(ctx.querystring);
  params.set('cursor', cursor);
  return `<${publicUrl}${ctx.path}?${params.toString()}>; rel="next"`;
}

/** What the dispatcher learnt about a call, for its audit record. */
interface CallAudit {
  admin: TokenInfo | null;
  route: AnyRoute | null;
  params: Map<string, string>;
  decision: Decision | null;
}

export function createApi(sctx: ServerContext, tokens: TokenVerifier): Middleware {
  const table = routes.map((r) => ({ r, ...compilePath(r.path) }));
  let doc: string | null = null;

  async function handle(ctx: Context, audit: CallAudit): Promise<void> {
    const sub = ctx.path.slice(API_PREFIX.length) || '/';
    const method = ctx.method === 'HEAD' ? 'get' : ctx.method.toLowerCase();
    if (sub === '/openapi.json' && method === 'get') {
      doc ??= JSON.stringify(openApiDocument(routes, sctx.config.publicUrl));
      ctx.type = 'application/json';
      ctx.body = doc;
      return;
    }

    const matching = table.filter((t) => t.regex.test(sub));
    audit.route = matching.find((t) => t.r.method === method)?.r ?? null;
    const admin = await authenticate(ctx, sctx, tokens);
    audit.admin = admin;

    if (matching.length === 0)
      throw new AppError('not_found', `no API route for ${ctx.method} ${ctx.path}`);
    const hit = matching.find((t) => t.r.method === method);
    if (!hit) {
      const allow = [...new Set(matching.map((t) => t.r.method.toUpperCase()))].join(', ');
      ctx.set('Allow', allow);
      throw new AppError(
        'method_not_allowed',
        `method ${ctx.method} is not allowed here; use ${allow}`,
      );
    }

    const r: AnyRoute = hit.r;
    const values = hit.regex.exec(sub)!.slice(1);
    const params = new Map<string, string>();
    hit.names.forEach((name, i) => {
      try {
        params.set(name, decodeURIComponent(values[i]!));
      } catch {
        throw new AppError('validation_failed', `${name}: malformed percent-encoding`, {
          issues: [{ field: name, message: 'malformed percent-encoding' }],
        });
      }
    });
    audit.params = params;
    const slug = params.get('slug');
    // delegated administration (issue 6): the route's permission, before anything else
    const decision = await authorizeCall(sctx, r, admin, params);
    audit.decision = decision;
    ctx.state.log = ctx.state.log.child({
      admin: admin.clientId,
      ...(admin.sub ? { sub: admin.sub } : {}),
      ...(slug ? { instance: slug } : {}),
    });

    // Lifecycle enforcement (ID1, ID2): a suspended (restricted, …) instance's directory is read-only.
    if (slug !== undefined && method !== 'get' && directoryRoutes.includes(r))
      await refuseWritesUnlessServing(sctx, slug);

    const query = r.query ? validate(r.query, ctx.query, 'query') : undefined;
    const body = r.body
      ? validate(r.body, await readJson(ctx, sctx.config.bodyLimitBytes), 'body')
      : undefined;

    let instance: Promise<Instance> | null = null;
    const call: Call<z.ZodObject | undefined, z.ZodType | undefined> = {
      ctx,
      sctx,
      admin,
      param(name) {
        const v = params.get(name);
        if (v === undefined) throw new Error(`route ${r.path} has no parameter ${name}`);
        return v;
      },
      instance() {
        if (slug === undefined) throw new Error(`route ${r.path} has no {slug}`);
        instance ??= sctx.core.instances.get(slug);
        return instance;
      },
      access: decision.access,
      operator: decision.principal.type === 'operator',
      query,
      body,
    };

    let result: unknown;
    try {
      result = await r.handler(call);
    } catch (err) {
      throw toWireError(err);
    }
    if (r.produces) return; // the handler has set a non-JSON body (an export)
    if (!r.response) {
      ctx.status = 204;
      return;
    }
    // Responses are produced through their schema: undeclared members never leave.
    const out = (r.response as z.ZodType).parse(result) as Record<string, unknown>;
    ctx.status = r.status ?? 200;
    ctx.type = 'application/json';
    ctx.body = out;
    if (typeof out.next_cursor === 'string')
      ctx.set('Link', nextLink(ctx, sctx.config.publicUrl, out.next_cursor));
    if (ctx.status === 201 && typeof out.id === 'string')
      ctx.set('Location', `${sctx.config.publicUrl}${ctx.path}/${encodeURIComponent(out.id)}`);
  }

  return async (ctx, next) => {
    if (ctx.path !== API_PREFIX && !ctx.path.startsWith(`${API_PREFIX}/`)) return next();
    ctx.set('Cache-Control', 'no-store');
    const audit: CallAudit = { admin: null, route: null, params: new Map(), decision: null };
    let failure: unknown = null;
    try {
      await handle(ctx, audit);
    } catch (err) {
      failure = err;
      if (!(err instanceof AppError) || err.status >= 500)
        ctx.state.log.error({ err }, 'admin API request failed');
      else if (err instanceof Denied)
        ctx.state.log.warn({ actor: err.actor, detail: err.detail }, 'admin API call denied');
      sendProblem(
        ctx,
        err,
        negotiate(ctx.query.lang as string | undefined, ctx.get('accept-language')),
      );
    }
    // Audit (G4.6): every call that may change something, succeeded or failed, and every
    // refusal; reads that succeed are not recorded. Never the request body.
    const denied = failure instanceof Denied ? failure : null;
    if (audit.route && (denied || (ctx.method !== 'GET' && ctx.method !== 'HEAD')))
      await auditCall(sctx, ctx, {
        route: audit.route,
        params: audit.params,
        actor: denied ? denied.actor : (audit.decision?.actor ?? actorOfToken(audit.admin)),
        instance: denied ? denied.instance : (audit.decision?.instance ?? null),
        result: denied ? 'denied' : failure ? 'failure' : 'success',
        status: ctx.status,
        ...(failure instanceof AppError
          ? { code: failure.code }
          : failure
            ? { code: 'internal' }
            : {}),
      });
  };
}
