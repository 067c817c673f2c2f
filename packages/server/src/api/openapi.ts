// The OpenAPI 3.1 document, generated from the same route table and zod schemas that
// validate requests and produce responses.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ADMIN_SCOPE } from '../bootstrap.ts';
import type { AnyRoute } from './route.ts';
import { Problem } from './schemas.ts';

export const API_PREFIX = '/api/v1';
export const SECURITY_SCHEME = 'platformOAuth';

const errorText: Record<number, string> = {
  400: 'Invalid request (malformed JSON, or a field fails validation; `errors` names it)',
  401: 'Missing, invalid or expired bearer token',
  403: 'Forbidden: the caller lacks the permission this operation requires (named in `detail`)',
  404: 'No such instance or resource',
  405: 'Method not allowed on this path',
  409: 'Conflict (e.g. the username, slug or name already exists)',
  413: 'Request body larger than the limit',
  415: 'Request body is not application/json',
  500: 'Internal error',
};

/** Who may call an operation (delegated administration, issue 6). */
function requiresText(permission: string): string {
  if (permission === 'platform:operate') return 'Requires `platform:operate`: the operator only.';
  if (permission === 'account:member')
    return 'Requires `account:member`: the operator, or a member of the account in the path within its sub-account actions (G5.6).';
  if (permission === 'instance:member')
    return 'Requires `instance:member`: the operator, or an account member holding any role on the instance in the path.';
  return `Requires \`${permission}\` on the instance: the operator, or an account member whose roles on it grant it.`;
}

function pathParams(path: string) {
  const shape: Record<string, z.ZodString> = {};
  for (const [, name] of path.matchAll(/\{(\w+)\}/g))
    shape[name!] = z
      .string()
      .meta({ description: name === 'slug' ? 'Instance slug' : `The ${name} of the resource` });
  return Object.keys(shape).length ? z.object(shape) : undefined;
}

export function openApiDocument(routes: AnyRoute[], publicUrl: string): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
    type: 'oauth2',
    description:
      "Bearer access tokens issued by the platform's admin instance; service clients use the client credentials grant with scope idaas:admin",
    flows: {
      clientCredentials: {
        tokenUrl: `${publicUrl}/i/platform/token`,
        scopes: { [ADMIN_SCOPE]: 'Administer the identity service' },
      },
      authorizationCode: {
        authorizationUrl: `${publicUrl}/i/platform/auth`,
        tokenUrl: `${publicUrl}/i/platform/token`,
        scopes: { [ADMIN_SCOPE]: 'Administer the identity service' },
      },
    },
  });
  const problem = Problem;
  const problemResponse = (status: number) => ({
    description: errorText[status] ?? 'Error',
    content: { 'application/problem+json': { schema: problem } },
  });

  for (const r of routes) {
    const status = r.status ?? 200;
    const errors = new Set<number>([401, 403, 500, ...(r.errors ?? [])]);
    if (r.path.includes('{')) errors.add(404);
    if (r.body || r.query) errors.add(400);
    if (r.body) {
      errors.add(413);
      errors.add(415);
    }
    const responses: Record<string, unknown> = {
      [status]: r.response
        ? {
            description: r.summary,
            content: { 'application/json': { schema: r.response } },
            ...(r.query
              ? {
                  headers: z.object({
                    Link: z
                      .string()
                      .optional()
                      .meta({ description: 'RFC 8288 link to the next page: <url>; rel="next"' }),
                  }),
                }
              : {}),
          }
        : r.produces
          ? {
              description: r.summary,
              content: Object.fromEntries(
                r.produces.map((t) => [t, { schema: { type: 'string' } }]),
              ),
            }
          : { description: r.summary },
    };
    for (const e of [...errors].sort()) responses[e] = problemResponse(e);
    const params = pathParams(r.path);
    registry.registerPath({
      method: r.method,
      path: API_PREFIX + r.path,
      operationId: r.operationId,
      summary: r.summary,
      description: [r.description, requiresText(r.permission)].filter(Boolean).join('\n\n'),
      tags: [r.tag],
      security: [{ [SECURITY_SCHEME]: [ADMIN_SCOPE] }],
      request: {
        ...(params ? { params } : {}),
        ...(r.query ? { query: r.query } : {}),
        ...(r.body
          ? { body: { required: true, content: { 'application/json': { schema: r.body } } } }
          : {}),
      },
      responses: responses as never,
    });
  }

  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/openapi.json`,
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document (no authentication)',
    tags: ['meta'],
    security: [],
    responses: {
      200: {
        description: 'The OpenAPI document',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
    },
  });

  return new OpenApiGeneratorV31(registry.definitions, {
    sortComponents: 'alphabetically',
  }).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'idaas admin API',
      version: '1.0.0',
      description:
        'Administration of identity instances and their directories, applications and signing keys. ' +
        'JSON fields are snake_case. Errors are RFC 9457 problem+json naming the offending field. ' +
        'Lists use cursor pagination (`limit`, `cursor` → `next_cursor` and a Link rel="next" header).',
    },
    servers: [{ url: publicUrl }],
    security: [{ [SECURITY_SCHEME]: [ADMIN_SCOPE] }],
  }) as unknown as Record<string, unknown>;
}
