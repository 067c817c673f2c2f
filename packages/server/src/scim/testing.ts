// Test support for the SCIM suites: a server, a provisioning application of an instance
// and a real client-credentials token with scope `scim`.
import type { Instance } from '@idaas/core';
import type { StoreKind } from '@idaas/storage';
import { startTestServer, type TestServer } from '../testing.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are read loosely
export type ScimBody = any;

export interface ScimClient {
  server: TestServer;
  instance: Instance;
  base: string;
  token: string;
  req(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    body: ScimBody;
    headers: Headers;
  }>;
}

export async function clientCredentialsToken(
  server: TestServer,
  slug: string,
  clientId: string,
  secret: string,
  scope: string,
): Promise<string> {
  const conf = (await (
    await fetch(`${server.url}/i/${slug}/.well-known/openid-configuration`)
  ).json()) as { token_endpoint: string };
  const res = await fetch(conf.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
  const j = (await res.json()) as { access_token?: string };
  if (!j.access_token) throw new Error(`no token: ${JSON.stringify(j)}`);
  return j.access_token;
}

export async function provisioningApp(
  server: TestServer,
  instance: Instance,
  scopes = ['scim'],
): Promise<{ clientId: string; secret: string }> {
  const { application, clientSecret } = await server.sctx.core.applications.create(instance, {
    name: 'SCIM provisioning',
    grantTypes: ['client_credentials'],
    scopes,
  });
  server.app.oidc.invalidate?.(instance.slug);
  return { clientId: application.clientId, secret: clientSecret! };
}

export async function scimClient(
  kind: StoreKind,
  slug = 'default',
  server?: TestServer,
): Promise<ScimClient> {
  const s = server ?? (await startTestServer(kind));
  const core = s.sctx.core;
  const instance = (await core.instances.find(slug)) ?? (await core.instances.create({ slug }));
  const app = await provisioningApp(s, instance);
  const token = await clientCredentialsToken(s, slug, app.clientId, app.secret, 'scim');
  const base = `${s.url}/i/${slug}/scim/v2`;
  return {
    server: s,
    instance,
    base,
    token,
    async req(method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...headers,
        },
        ...(body !== undefined
          ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
          : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
  };
}
