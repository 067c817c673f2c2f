// SCIM 2.0 service provider per instance under /i/:slug/scim/v2/* (RFC 7643/7644).
// Auth: a bearer access token of an application of THAT instance with scope `scim`
// (client credentials). Errors are SCIM error bodies; content type application/scim+json.
import type { Context, Middleware } from 'koa';
import { AppError, type Instance } from '@idaas/core';
import type { ServerContext, TokenVerifier } from '../context.ts';
import { requestMeta } from '../audit/index.ts';
import { readJson } from '../http/body.ts';
import { badRequest, ScimError } from './errors.ts';
import { getKey, lc, parseFilter, type Filter, type Json } from './filter.ts';
import { applyPatch } from './patch.ts';
import { parseAttrList, project, sortResources } from './project.ts';
import {
  BULK_REQUEST,
  BULK_RESPONSE,
  ENTERPRISE,
  GROUP,
  LIST,
  MAX_BULK_OPERATIONS,
  MAX_BULK_PAYLOAD,
  MAX_RESULTS,
  PATCH_OP,
  resourceTypeDocs,
  schemaDocs,
  serviceProviderConfig,
  USER,
} from './schemas.ts';
import { patchSchemas, scimFromAppError, ScimStore, type Kind } from './service.ts';
import { Outbound } from './outbound.ts';

const ROUTE = /^\/i\/([^/]+)\/scim\/v2(\/.*)?$/;
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const SCIM_SCOPE = 'scim';

interface Reply {
  status: number;
  body?: unknown;
  location?: string;
  etag?: string;
}

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function refersTo(f: Filter | null, attr: string): boolean {
  if (!f) return false;
  switch (f.op) {
    case 'and':
    case 'or':
      return refersTo(f.left, attr) || refersTo(f.right, attr);
    case 'not':
      return refersTo(f.filter, attr);
    default:
      return lc(f.path.attr) === attr;
  }
}

function intParam(v: unknown, name: string, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n))
    throw badRequest('invalidValue', `${name} must be an integer`);
  return n;
}

/** The version an If-Match names must be the current one (weak comparison). */
function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (!ifMatch || ifMatch.trim() === '*') return;
  const want = `W/"${version}"`;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (!tags.some((t) => t === want || t === `"${version}"`))
    throw new ScimError(412, `version mismatch: the resource is at ${want}`);
}

export function createScim(sctx: ServerContext, tokens: TokenVerifier): Middleware {
  new Outbound(sctx).register(); // the job handler of outbound pushes
  return async (ctx, next) => {
    const m = ROUTE.exec(ctx.path);
    if (!m) return next();
    const slug = decodeURIComponent(m[1]!);
    const rest = m[2] ?? '/';
    let reply: Reply;
    try {
      const { instance, clientId } = await authenticate(sctx, tokens, ctx, slug);
      const base = `${sctx.config.publicUrl}/i/${slug}/scim/v2`;
      const store = new ScimStore(sctx, instance, base);
      const meta = requestMeta(ctx);
      store.audit = (action, result, target, details) =>
        sctx.audit.record({
          instanceId: instance.id,
          actor: { type: 'client', id: clientId },
          action,
          target,
          result,
          ...meta,
          details: details ?? null,
        });
      const body = ['POST', 'PUT', 'PATCH'].includes(ctx.method) ? await readBody(ctx) : undefined;
      reply = await route(
        store,
        ctx.method,
        rest,
        ctx.query as Record<string, unknown>,
        body,
        ctx.get('if-match') || undefined,
      );
    } catch (e) {
      const err = scimFromAppError(e);
      if (err instanceof ScimError) reply = { status: err.status, body: err.body() };
      else if (err instanceof AppError && err.status < 500)
        reply = { status: err.status, body: new ScimError(err.status, err.message).body() };
      else {
        ctx.state.log?.error?.({ err }, 'scim request failed');
        reply = { status: 500, body: new ScimError(500, 'internal error').body() };
      }
      if (reply.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="scim"');
    }
    ctx.status = reply.status;
    if (reply.location) ctx.set('Location', reply.location);
    if (reply.etag) ctx.set('ETag', reply.etag);
    if (reply.body !== undefined) {
      ctx.type = CONTENT_TYPE;
      ctx.body = JSON.stringify(reply.body);
    }
  };
}

async function authenticate(
  sctx: ServerContext,
  tokens: TokenVerifier,
  ctx: Context,
  slug: string,
): Promise<{ instance: Instance; clientId: string }> {
  const auth = ctx.get('authorization');
  const mm = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!mm) throw new ScimError(401, 'a bearer token is required');
  const info = await tokens.verify(slug, mm[1]!).catch(() => null);
  if (!info || info.instanceSlug !== slug) throw new ScimError(401, 'invalid or expired token');
  if (!info.scopes.includes(SCIM_SCOPE))
    throw new ScimError(403, 'the token lacks the "scim" scope');
  const instance = await sctx.core.instances.find(slug);
  if (!instance) throw new ScimError(404, 'no such instance');
  return { instance, clientId: info.clientId };
}

async function readBody(ctx: Context): Promise<unknown> {
  try {
    return await readJson(ctx, MAX_BULK_PAYLOAD);
  } catch (e) {
    if (e instanceof AppError && e.status === 413) throw new ScimError(413, e.message, 'tooMany');
    throw badRequest('invalidSyntax', (e as Error).message);
  }
}

const RESOURCES: Record<string, Kind> = { users: 'User', groups: 'Group' };

async function route(
  store: ScimStore,
  method: string,
  rest: string,
  query: Record<string, unknown>,
  body: unknown,
  ifMatch: string | undefined,
): Promise<Reply> {
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, id, extra] = parts;
  const base = store.base;
  if (extra !== undefined) throw new ScimError(404, `no route for ${rest}`);
  const h = head ? lc(head) : '';
  if (method === 'GET' && !id && h === 'serviceproviderconfig')
    return {
      status: 200,
      body: serviceProviderConfig(base, `${store.sctx.config.publicUrl}/docs/scim`),
    };
  if (method === 'GET' && h === 'resourcetypes') {
    const docs = resourceTypeDocs(base);
    if (id) {
      const d = docs.find((x) => x.id === id);
      if (!d) throw new ScimError(404, `no resource type ${id}`);
      return { status: 200, body: d };
    }
    return { status: 200, body: listResponse(docs, docs.length, 1) };
  }
  if (method === 'GET' && h === 'schemas') {
    const docs = schemaDocs(base);
    if (id) {
      const d = docs.find((x) => x.id === id);
      if (!d) throw new ScimError(404, `no schema ${id}`);
      return { status: 200, body: d };
    }
    return { status: 200, body: listResponse(docs, docs.length, 1) };
  }
  if (h === 'me')
    throw new ScimError(
      501,
      '/Me is not supported: provisioning tokens stand for a client, not a user',
    );
  if (h === 'bulk' && !id) {
    if (method !== 'POST') throw new ScimError(405, 'use POST');
    return bulk(store, body);
  }
  const kind = RESOURCES[h];
  if (!kind) throw new ScimError(404, `no route for ${rest}`);
  if (id === '.search' && method === 'POST') {
    if (!isObj(body)) throw badRequest('invalidSyntax', 'body must be an object');
    const q: Record<string, unknown> = {};
    for (const k of ['filter', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes']) {
      const v = getKey(body, k);
      if (v !== undefined) q[k] = Array.isArray(v) ? v.join(',') : v;
    }
    for (const k of ['startIndex', 'count']) {
      const v = getKey(body, k);
      if (v !== undefined) q[k] = String(v);
    }
    return list(store, kind, q);
  }
  return resourceRoute(store, kind, method, id, query, body, ifMatch);
}

function listResponse(items: unknown[], total: number, startIndex: number): Json {
  return {
    schemas: [LIST],
    totalResults: total,
    itemsPerPage: items.length,
    startIndex,
    Resources: items,
  };
}

const extensionsOf = (kind: Kind) => (kind === 'User' ? [ENTERPRISE] : []);
const coreOf = (kind: Kind) => (kind === 'User' ? USER : GROUP);

function shape(kind: Kind, res: Json, query: Record<string, unknown>): Json {
  const inc = parseAttrList(query.attributes, extensionsOf(kind));
  const exc = parseAttrList(query.excludedAttributes, extensionsOf(kind));
  return project(res, inc, exc, coreOf(kind));
}

async function list(store: ScimStore, kind: Kind, query: Record<string, unknown>): Promise<Reply> {
  const filterRaw = query.filter;
  if (filterRaw !== undefined && typeof filterRaw !== 'string')
    throw badRequest('invalidFilter', 'one filter only');
  const filter = filterRaw ? parseFilter(filterRaw) : null;
  const startIndex = Math.max(1, intParam(query.startIndex, 'startIndex', 1));
  const count = Math.min(MAX_RESULTS, Math.max(0, intParam(query.count, 'count', 100)));
  const sortByRaw = query.sortBy;
  const order = query.sortOrder === undefined ? 'ascending' : String(query.sortOrder);
  if (order !== 'ascending' && order !== 'descending')
    throw badRequest('invalidValue', 'sortOrder is ascending or descending');
  // validate projections before the (possibly long) scan
  parseAttrList(query.attributes, extensionsOf(kind));
  parseAttrList(query.excludedAttributes, extensionsOf(kind));
  const inner = kind === 'User' ? 'groups' : 'members';
  const sortBy =
    typeof sortByRaw === 'string' && sortByRaw ? parseAttrList(sortByRaw, [])[0] : undefined;
  const needInner = refersTo(filter, inner) || lc(sortBy?.attr ?? '') === inner;
  let all =
    kind === 'User'
      ? await store.queryUsers(filter, needInner)
      : await store.queryGroups(filter, needInner);
  if (sortBy) all = sortResources(all, sortBy, order === 'descending', coreOf(kind));
  const pageItems = all.slice(startIndex - 1, startIndex - 1 + count);
  const filled: Json[] = [];
  for (const r of pageItems) {
    let res = r;
    if (!needInner) {
      const wanted = parseAttrList(query.attributes, []).map((p) => lc(p.attr));
      const excluded = parseAttrList(query.excludedAttributes, []).map((p) => lc(p.attr));
      const skip = (wanted.length && !wanted.includes(inner)) || excluded.includes(inner);
      if (!skip)
        res =
          kind === 'User'
            ? (await store.getUser(r.id as string)).res
            : (await store.getGroup(r.id as string)).res;
    }
    filled.push(shape(kind, res, query));
  }
  return { status: 200, body: listResponse(filled, all.length, startIndex) };
}

async function resourceRoute(
  store: ScimStore,
  kind: Kind,
  method: string,
  id: string | undefined,
  query: Record<string, unknown>,
  body: unknown,
  ifMatch: string | undefined,
): Promise<Reply> {
  const get = (rid: string) => (kind === 'User' ? store.getUser(rid) : store.getGroup(rid));
  const ok = async (rid: string, status: number): Promise<Reply> => {
    const { res, version } = await get(rid);
    return {
      status,
      body: shape(kind, res, query),
      etag: `W/"${version}"`,
      ...(status === 201 ? { location: `${store.base}/${kind}s/${rid}` } : {}),
    };
  };
  const type = kind === 'User' ? ('user' as const) : ('group' as const);
  /**
   * One write in one transaction, audited: the success record joins the transaction (it
   * is durable exactly when the change is); a failure is recorded after the rollback.
   */
  const write = async <T>(
    op: 'create' | 'replace' | 'patch' | 'delete',
    targetId: string | null,
    run: () => Promise<T>,
  ): Promise<T> => {
    const action = `scim.${type}.${op}`;
    try {
      return await store.sctx.store.transaction(async () => {
        const r = await run();
        await store.audit?.(action, 'success', {
          type,
          id: typeof r === 'string' ? r : targetId,
        });
        return r;
      });
    } catch (e) {
      const err = scimFromAppError(e);
      const status =
        err instanceof ScimError ? err.status : err instanceof AppError ? err.status : 500;
      await store.audit?.(
        action,
        'failure',
        { type, id: targetId },
        {
          status,
          ...(err instanceof ScimError && err.scimType ? { scim_type: err.scimType } : {}),
        },
      );
      throw e;
    }
  };
  if (!id) {
    if (method === 'GET') return list(store, kind, query);
    if (method === 'POST') {
      const newId = await write('create', null, async () => {
        checkSchemas(kind, body);
        const created = await (kind === 'User' ? store.createUser(body) : store.createGroup(body));
        await new Outbound(store.sctx).changed(store.instance, kind, created, 'upsert');
        return created;
      });
      return ok(newId, 201);
    }
    throw new ScimError(405, `${method} is not allowed on /${kind}s`);
  }
  if (method === 'GET') return ok(id, 200);
  if (method === 'DELETE') {
    await write('delete', id, async () => {
      const { version } = await get(id);
      checkIfMatch(ifMatch, version);
      await (kind === 'User' ? store.deleteUser(id) : store.deleteGroup(id));
      await new Outbound(store.sctx).changed(store.instance, kind, id, 'delete');
    });
    return { status: 204 };
  }
  if (method === 'PUT' || method === 'PATCH') {
    await write(method === 'PUT' ? 'replace' : 'patch', id, async () => {
      const { res, version } = await get(id);
      checkIfMatch(ifMatch, version);
      let next: unknown;
      if (method === 'PUT') {
        checkSchemas(kind, body);
        const idIn = isObj(body) ? getKey(body, 'id') : undefined;
        if (idIn !== undefined && idIn !== id)
          throw new ScimError(400, 'id is immutable', 'mutability');
        next = body;
      } else {
        const current = structuredClone(res);
        delete current.meta;
        if (kind === 'User') delete current.groups;
        next = applyPatch(current, patchSchemas[kind], body, PATCH_OP);
      }
      if (kind === 'User') await store.replaceUser(id, next, version);
      else await store.replaceGroup(id, next, version);
      await new Outbound(store.sctx).changed(store.instance, kind, id, 'upsert');
    });
    return ok(id, 200);
  }
  throw new ScimError(405, `${method} is not allowed here`);
}

function checkSchemas(kind: Kind, body: unknown): void {
  if (!isObj(body)) throw badRequest('invalidSyntax', 'body must be a JSON object');
  const schemas = getKey(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && lc(s) === lc(coreOf(kind)))
  )
    throw badRequest('invalidSyntax', `schemas must include ${coreOf(kind)}`);
  for (const s of schemas)
    if (
      typeof s !== 'string' ||
      ![coreOf(kind), ...extensionsOf(kind)].some((u) => lc(u) === lc(s))
    )
      throw badRequest('invalidValue', `unknown schema ${JSON.stringify(s)}`);
}

// ---- bulk (RFC 7644 §3.7): operations in order, bulkId references resolved as they come

async function bulk(store: ScimStore, body: unknown): Promise<Reply> {
  if (!isObj(body)) throw badRequest('invalidSyntax', 'body must be an object');
  const schemas = getKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(BULK_REQUEST))
    throw badRequest('invalidSyntax', `schemas must include ${BULK_REQUEST}`);
  const ops = getKey(body, 'Operations');
  if (!Array.isArray(ops)) throw badRequest('invalidSyntax', 'Operations must be an array');
  if (ops.length > MAX_BULK_OPERATIONS)
    throw new ScimError(413, `at most ${MAX_BULK_OPERATIONS} operations`, 'tooMany');
  const failRaw = getKey(body, 'failOnErrors');
  if (
    failRaw !== undefined &&
    (typeof failRaw !== 'number' || !Number.isInteger(failRaw) || failRaw < 1)
  )
    throw badRequest('invalidValue', 'failOnErrors must be a positive integer');
  const failOnErrors = (failRaw as number | undefined) ?? Infinity;
  const ids = new Map<string, string>();
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const mm = /^bulkId:(.+)$/.exec(v);
      if (mm) {
        const r = ids.get(mm[1]!);
        if (!r) throw new ScimError(409, `unresolved reference bulkId:${mm[1]}`, 'invalidValue');
        return r;
      }
      return v;
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  const results: Json[] = [];
  let errors = 0;
  for (const raw of ops) {
    if (errors >= failOnErrors) break;
    const op = isObj(raw) ? raw : {};
    const method = String(getKey(op, 'method') ?? '').toUpperCase();
    const bulkId = getKey(op, 'bulkId') as string | undefined;
    const path = String(getKey(op, 'path') ?? '');
    const version = getKey(op, 'version') as string | undefined;
    let reply: Reply;
    try {
      if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method))
        throw badRequest('invalidSyntax', `bad method ${method}`);
      if (method === 'POST' && !bulkId)
        throw badRequest('invalidSyntax', 'POST operations need a bulkId');
      const pathResolved = resolve(path) as string;
      const m = /^\/(Users|Groups)(?:\/([^/]+))?$/i.exec(
        pathResolved.replace(/bulkId:[^/]+/, (x) => resolve(x) as string),
      );
      if (!m) throw badRequest('invalidPath', `bad path ${path}`);
      const data = getKey(op, 'data');
      reply = await route(
        store,
        method,
        `/${m[1]}${m[2] ? `/${m[2]}` : ''}`,
        {},
        data === undefined ? undefined : resolve(data),
        version,
      );
      if (method === 'POST' && bulkId && isObj(reply.body))
        ids.set(bulkId, reply.body.id as string);
    } catch (e) {
      const err = scimFromAppError(e);
      const se = err instanceof ScimError ? err : new ScimError(500, 'internal error');
      reply = { status: se.status, body: se.body() };
    }
    const failed = reply.status >= 400;
    if (failed) errors++;
    results.push({
      method,
      ...(bulkId ? { bulkId } : {}),
      ...(reply.location
        ? { location: reply.location }
        : isObj(reply.body) && isObj(reply.body.meta)
          ? { location: reply.body.meta.location }
          : {}),
      ...(reply.etag ? { version: reply.etag } : {}),
      status: String(reply.status),
      ...(failed ? { response: reply.body } : {}),
    });
  }
  await store.audit?.('scim.bulk', errors ? 'failure' : 'success', null, {
    operations: results.length,
    errors,
  });
  return { status: 200, body: { schemas: [BULK_RESPONSE], Operations: results } };
}
