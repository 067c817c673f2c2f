// Test support for the admin API (imported by *.test.ts only): a real server, a real
// admin access token from the platform instance (client credentials grant), and a
// request helper that checks every response against the served OpenAPI document.
import assert from 'node:assert/strict';
import type { StoreKind } from '@idaas/storage';
import { startTestServer, type TestServer } from '../testing.ts';
import { ADMIN_SCOPE } from '../bootstrap.ts';
import { codeFlow, createApp, instance, rp } from '../../../../e2e/support/oidc.ts';
import { ACCOUNT_SCOPE } from './routes-commerce.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  /** The body as a record (for convenience in assertions). */
  json: Record<string, unknown>;
}

export interface ApiHarness {
  server: TestServer;
  token: string;
  doc: OpenApiDoc;
  /** `METHOD template status` of every documented operation called so far. */
  seen: Set<string>;
  /** Calls /api/v1 + path with the admin token; validates the response against the document. */
  api(
    method: string,
    path: string,
    body?: unknown,
    opts?: { token?: string | null; headers?: Record<string, string>; raw?: string },
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** A service client of the platform instance and a token from its token endpoint. */
export async function adminToken(
  server: TestServer,
  opts: { scopes?: string[]; requestScope?: string } = {},
): Promise<string> {
  const platform = await server.sctx.core.instances.get('platform');
  const { application, clientSecret } = await server.sctx.core.applications.create(platform, {
    name: 'api tests',
    grantTypes: ['client_credentials'],
    scopes: opts.scopes ?? [ADMIN_SCOPE],
  });
  const basic = Buffer.from(
    `${encodeURIComponent(application.clientId)}:${encodeURIComponent(clientSecret!)}`,
  ).toString('base64');
  const res = await fetch(`${server.url}/i/platform/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: opts.requestScope ?? ADMIN_SCOPE,
    }).toString(),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `token endpoint: ${res.status} ${text}`);
  const token = (JSON.parse(text) as { access_token?: string }).access_token;
  assert.ok(token, `no access_token in ${text}`);
  return token;
}

/** The redirect URI of `memberTokens`' client (nothing listens; the code flow stops there). */
export const MEMBER_REDIRECT = 'http://127.0.0.1:9/cb';

/**
 * Access tokens of platform users with the account scope, as account members use the admin
 * API (G5.6): one confidential authorization-code client of the platform instance, then a
 * browser-like code flow per user (the user must exist with the test password).
 */
export async function memberTokens(
  server: TestServer,
): Promise<(username: string) => Promise<string>> {
  const platform = await instance(server, 'platform');
  const { application, clientSecret } = await createApp(server, platform, {
    grantTypes: ['authorization_code'],
    redirectUris: [MEMBER_REDIRECT],
    scopes: ['openid', ACCOUNT_SCOPE],
  });
  const config = await rp(server, 'platform', application.clientId, clientSecret);
  return async (username) =>
    (
      await codeFlow(server, config, MEMBER_REDIRECT, username, {
        scope: `openid ${ACCOUNT_SCOPE}`,
      })
    ).tokens.access_token;
}

export async function startApi(kind: StoreKind): Promise<ApiHarness> {
  const server = await startTestServer(kind);
  try {
    const docRes = await fetch(`${server.url}/api/v1/openapi.json`);
    assert.equal(docRes.status, 200);
    const doc = (await docRes.json()) as OpenApiDoc;
    const seen = new Set<string>();
    const token = await adminToken(server);
    const api: ApiHarness['api'] = async (method, path, body, opts = {}) => {
      const headers: Record<string, string> = { ...opts.headers };
      const bearer = opts.token === undefined ? token : opts.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      let payload: string | undefined = opts.raw;
      if (body !== undefined) payload = JSON.stringify(body);
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
      });
      const text = await res.text();
      const json = /[/+]json\b/.test(res.headers.get('content-type') ?? '/json');
      const parsed: unknown = json ? (text ? JSON.parse(text) : null) : text; // exports are text
      const op = checkAgainstDocument(doc, method, `/api/v1${path}`, res, parsed);
      if (op) seen.add(`${method.toUpperCase()} ${op} ${res.status}`);
      return {
        status: res.status,
        headers: res.headers,
        body: parsed,
        json: (parsed ?? {}) as Record<string, unknown>,
      };
    };
    return { server, token, doc, seen, api, close: () => server.close() };
  } catch (e) {
    await server.close();
    throw e;
  }
}

/** Collects every page of a list by following next_cursor; asserts the Link header agrees. */
export async function collectAll(
  h: ApiHarness,
  path: string,
  limit: number,
): Promise<{ items: Record<string, unknown>[]; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let pages = 0;
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const r: ApiResponse = await h.api(
      'GET',
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    pages++;
    items.push(...(r.json.items as Record<string, unknown>[]));
    cursor = r.json.next_cursor as string | null;
    const link = r.headers.get('link');
    if (cursor) {
      assert.ok(link?.includes('rel="next"'), 'Link rel="next" on a page with a next cursor');
      assert.ok(link?.includes(`cursor=${cursor}`));
    } else assert.equal(link, null);
    assert.ok(pages < 1000, 'pagination does not terminate');
  } while (cursor);
  return { items, pages };
}

// ---- a small JSON Schema (2020-12 subset) validator, to check responses against the
// generated document independently of zod

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, unknown> };
  [k: string]: unknown;
}
interface Operation {
  operationId?: string;
  responses: Record<
    string,
    { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }
  >;
  [k: string]: unknown;
}
export type Schema = Record<string, unknown>;

export function operationFor(
  doc: OpenApiDoc,
  method: string,
  path: string,
): { template: string; op: Operation } | null {
  const clean = path.split('?')[0]!;
  for (const [template, item] of Object.entries(doc.paths)) {
    const re = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    const op = item[method.toLowerCase()];
    if (re.test(clean) && op) return { template, op };
  }
  return null;
}

function checkAgainstDocument(
  doc: OpenApiDoc,
  method: string,
  path: string,
  res: Response,
  body: unknown,
): string | null {
  const found = operationFor(doc, method, path);
  if (!found) return null; // unknown routes (404/405 tests) have no operation
  const documented = found.op.responses[String(res.status)];
  assert.ok(
    documented,
    `${method} ${found.template}: status ${res.status} is not documented (${JSON.stringify(body)})`,
  );
  if (res.status === 204) {
    assert.equal(body, null, '204 has no body');
    return found.template;
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
  const media = documented.content?.[type];
  assert.ok(
    media,
    `${method} ${found.template} ${res.status}: content type ${type} not documented`,
  );
  const errors = validateSchema(doc, media.schema, body, '$');
  assert.deepEqual(errors, [], `${method} ${found.template} ${res.status} response`);
  return found.template;
}

export function validateSchema(
  doc: OpenApiDoc,
  schema: Schema,
  value: unknown,
  at: string,
): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) return [`${at}: unresolvable $ref ${schema.$ref}`];
    return validateSchema(doc, target, value, at);
  }
  const errs: string[] = [];
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const alts = (schema.anyOf ?? schema.oneOf) as Schema[];
    const ok = alts.filter((s) => validateSchema(doc, s, value, at).length === 0).length;
    if (ok === 0 || (schema.oneOf && ok > 1))
      errs.push(`${at}: matches ${ok} of the ${schema.oneOf ? 'oneOf' : 'anyOf'} alternatives`);
  }
  if (Array.isArray(schema.allOf))
    for (const s of schema.allOf as Schema[]) errs.push(...validateSchema(doc, s, value, at));
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => typeMatches(t, value)))
      return [...errs, `${at}: expected ${types.join('|')}, got ${JSON.stringify(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errs.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if ('const' in schema && schema.const !== value) errs.push(`${at}: not the constant`);
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      errs.push(`${at}: too short`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
      errs.push(`${at}: too long`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      errs.push(`${at}: does not match ${schema.pattern}`);
    if (
      schema.format === 'date-time' &&
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)
    )
      errs.push(`${at}: not a date-time`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errs.push(`${at}: < min`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errs.push(`${at}: > max`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errs.push(`${at}: too few items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      errs.push(`${at}: too many items`);
    if (schema.items && typeof schema.items === 'object')
      value.forEach((v, i) =>
        errs.push(...validateSchema(doc, schema.items as Schema, v, `${at}[${i}]`)),
      );
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[])
      if (!(r in obj)) errs.push(`${at}: missing required ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errs.push(...validateSchema(doc, props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}: unexpected member ${k}`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        errs.push(...validateSchema(doc, schema.additionalProperties as Schema, v, `${at}.${k}`));
    }
  }
  return errs;
}

function typeMatches(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    default:
      return false;
  }
}
