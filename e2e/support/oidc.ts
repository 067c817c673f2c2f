// Shared set-up for the OIDC end-to-end suites: a real server, a user and an
// application in an instance, openid-client configured against our discovery, and a
// browser that signs in through the hosted pages.
import * as client from 'openid-client';
import type { Application, Instance, User } from '@idaas/core';
import { startTestServer, type TestServer } from '../../packages/server/src/testing.ts';
import type { StoreKind } from '@idaas/storage';
import { Browser, type Page } from './browser.ts';

export const PASSWORD = 'correct horse battery staple';

export async function startOidcServer(
  kind: StoreKind,
  env: Record<string, string> = {},
): Promise<TestServer> {
  return startTestServer(kind, { env });
}

export async function instance(server: TestServer, slug: string): Promise<Instance> {
  const core = server.sctx.core;
  return (await core.instances.find(slug)) ?? (await core.instances.create({ slug }));
}

export async function createUser(
  server: TestServer,
  inst: Instance,
  username: string,
  extra: Record<string, unknown> = {},
): Promise<User> {
  return server.sctx.core.directory.createUser(inst, {
    username,
    password: PASSWORD,
    email: `${username}@example.test`,
    emailVerified: true,
    phone: '+8613800138000',
    displayName: `User ${username}`,
    ...extra,
  });
}

export async function createApp(
  server: TestServer,
  inst: Instance,
  input: Record<string, unknown>,
): Promise<{ application: Application; clientSecret: string | null }> {
  const r = await server.sctx.core.applications.create(inst, { name: 'Test app', ...input });
  server.app.oidc.invalidate?.(inst.slug);
  return r;
}

export function issuer(server: TestServer, slug: string): string {
  return `${server.url}/i/${slug}`;
}

export async function rp(
  server: TestServer,
  slug: string,
  clientId: string,
  clientSecret: string | null,
): Promise<client.Configuration> {
  return client.discovery(
    new URL(issuer(server, slug)),
    clientId,
    undefined,
    clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
    { execute: [client.allowInsecureRequests] },
  );
}

/**
 * Drives the hosted pages from an authorization URL to the client's redirect URI:
 * sign-in form, then consent (when asked). Returns the callback URL.
 */
export async function signIn(
  browser: Browser,
  authUrl: string,
  redirectUri: string,
  creds: { username: string; password?: string },
): Promise<{ callback: string; pages: Page[] }> {
  const stop = (l: string) => l.startsWith(redirectUri);
  const pages: Page[] = [];
  let page = await browser.go(authUrl, {}, stop);
  for (let i = 0; i < 5 && !stop(page.url); i++) {
    pages.push(page);
    if (page.status >= 400) throw new Error(`page ${page.url} → ${page.status}\n${page.text}`);
    if (/name="password"/.test(page.text)) {
      page = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: creds.username, password: creds.password ?? PASSWORD },
        stop,
      });
    } else if (/\/confirm"/.test(page.text)) {
      page = await browser.submit(page, { action: /\/confirm$/, stop });
    } else {
      throw new Error(`unexpected page ${page.url}\n${page.text}`);
    }
  }
  if (!stop(page.url)) throw new Error(`did not reach the redirect URI: ${page.url}\n${page.text}`);
  return { callback: page.url, pages };
}

export async function codeFlow(
  server: TestServer,
  config: client.Configuration,
  redirectUri: string,
  username: string,
  opts: { scope?: string; browser?: Browser; resource?: string } = {},
): Promise<{
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  browser: Browser;
}> {
  const browser = opts.browser ?? new Browser();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const scope = opts.scope ?? 'openid profile email phone groups offline_access';
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    // OIDC Core 11: offline_access is only honoured together with prompt=consent
    ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(opts.resource ? { resource: opts.resource } : {}),
  });
  const { callback } = await signIn(browser, url.href, redirectUri, { username });
  const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  void server;
  return { tokens, browser };
}
