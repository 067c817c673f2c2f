// Authorization code + PKCE through the hosted sign-in and consent pages, driven by
// openid-client (certified RP library) against a real server, on every store.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as jose from 'jose';
import { availableStoreKinds } from '@idaas/storage';
import type { TestServer } from '../packages/server/src/testing.ts';
import { Browser } from './support/browser.ts';
import {
  codeFlow,
  createApp,
  createUser,
  instance,
  issuer,
  rp,
  signIn,
  startOidcServer,
} from './support/oidc.ts';

const REDIRECT = 'https://rp.example.test/cb';

for (const kind of availableStoreKinds()) {
  describe(`OIDC code + PKCE (${kind})`, () => {
    let server: TestServer;
    let config: client.Configuration;
    let publicConfig: client.Configuration;
    let userId: string;

    before(async () => {
      server = await startOidcServer(kind);
      const inst = await instance(server, 'default');
      const user = await createUser(server, inst, 'alice');
      userId = user.id;
      const g = await server.sctx.core.directory.createGroup(inst, { name: 'engineers' });
      await server.sctx.core.directory.addGroupMember(inst, g.id, user.id);
      const { application, clientSecret } = await createApp(server, inst, {
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT],
      });
      config = await rp(server, 'default', application.clientId, clientSecret);
      const pub = await createApp(server, inst, {
        public: true,
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT],
      });
      publicConfig = await rp(server, 'default', pub.application.clientId, null);
    });
    after(() => server?.close());

    it('serves discovery and a public JWKS', async () => {
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, issuer(server, 'default'));
      assert.equal(meta.authorization_endpoint, `${issuer(server, 'default')}/auth`);
      assert.ok(meta.code_challenge_methods_supported?.includes('S256'));
      assert.ok(!meta.code_challenge_methods_supported?.includes('plain'));
      for (const s of ['openid', 'profile', 'email', 'phone', 'groups', 'offline_access'])
        assert.ok(meta.scopes_supported?.includes(s), s);
      assert.ok(!meta.scopes_supported?.includes('idaas:admin'), 'admin scope only on platform');
      assert.ok(
        meta.grant_types_supported?.includes('urn:ietf:params:oauth:grant-type:device_code'),
      );
      assert.ok(meta.pushed_authorization_request_endpoint);
      assert.ok(meta.backchannel_logout_supported);
      const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: jose.JWK[] };
      const algs = jwks.keys.map((k) => k.alg).sort();
      assert.deepEqual(algs, ['ES256', 'RS256']);
      for (const k of jwks.keys) {
        assert.ok(k.kid);
        assert.equal(k.d, undefined, 'no private parts');
      }
    });

    it('signs in through the hosted pages and returns directory claims', async () => {
      const { tokens } = await codeFlow(server, config, REDIRECT, 'alice');
      const claims = tokens.claims()!;
      assert.equal(claims.iss, issuer(server, 'default'));
      assert.equal(claims.sub, userId);
      assert.equal(claims.name, 'User alice');
      assert.equal(claims.preferred_username, 'alice');
      assert.equal(claims.email, 'alice@example.test');
      assert.equal(claims.email_verified, true);
      assert.equal(claims.phone_number, '+8613800138000');
      assert.deepEqual(claims.groups, ['engineers']);
      assert.equal(typeof claims.updated_at, 'number');
      assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
      const header = jose.decodeProtectedHeader(tokens.id_token!);
      assert.equal(header.alg, 'RS256');

      const info = await client.fetchUserInfo(config, tokens.access_token, userId);
      assert.equal(info.preferred_username, 'alice');
      assert.equal(info.email, 'alice@example.test');
      assert.deepEqual(info.groups, ['engineers']);
    });

    it('a second authorization reuses the session and the grant (no pages)', async () => {
      const browser = new Browser();
      await codeFlow(server, config, REDIRECT, 'alice', { browser });
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile email phone groups offline_access',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const page = await browser.go(url.href, {}, (l) => l.startsWith(REDIRECT));
      assert.ok(page.url.startsWith(REDIRECT), 'straight back to the client');
      assert.ok(new URL(page.url).searchParams.get('code'));
    });

    it('a public client must use PKCE S256', async () => {
      const url = client.buildAuthorizationUrl(publicConfig, {
        redirect_uri: REDIRECT,
        scope: 'openid',
      });
      const page = await new Browser().go(url.href, {}, (l) => l.startsWith(REDIRECT));
      const err = new URL(page.url).searchParams;
      assert.equal(err.get('error'), 'invalid_request');
      assert.match(err.get('error_description') ?? '', /PKCE/);
      const plain = client.buildAuthorizationUrl(publicConfig, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
      });
      const p2 = await new Browser().go(plain.href, {}, (l) => l.startsWith(REDIRECT));
      assert.equal(new URL(p2.url).searchParams.get('error'), 'invalid_request');
      const { tokens } = await codeFlow(server, publicConfig, REDIRECT, 'alice', {
        scope: 'openid profile',
      });
      assert.equal(tokens.claims()!.sub, userId);
    });

    it('wrong password: generic message, no enumeration, login metric', async () => {
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const browser = new Browser();
      const page = await browser.go(url.href);
      assert.equal(page.status, 200);
      assert.match(page.text, /<html lang="en">/);
      assert.match(page.text, /<label for="login">/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const wrong = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: 'alice', password: 'nope-nope-nope' },
      });
      const unknown = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: 'nobody', password: 'nope-nope-nope' },
      });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      const msg = (t: string) => /role="alert"[^>]*>([^<]+)</.exec(t)?.[1];
      assert.equal(msg(wrong.text), msg(unknown.text));
      // CSRF: a POST without the per-interaction token is refused
      const forged = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: 'alice', password: 'x', csrf: 'forged' },
      });
      assert.equal(forged.status, 403);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /idaas_logins_total\{result="failure"\} [2-9]/);
      assert.match(metrics, /idaas_tokens_issued_total\{grant_type="authorization_code"\}/);
    });

    it('PAR: a pushed request is accepted and used', async () => {
      const verifier = client.randomPKCECodeVerifier();
      const url = await client.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      assert.ok(
        url.searchParams.get('request_uri')?.startsWith('urn:ietf:params:oauth:request_uri:'),
      );
      const { callback } = await signIn(new Browser(), url.href, REDIRECT, { username: 'alice' });
      const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
      });
      assert.equal(tokens.claims()!.sub, userId);
    });
  });
}
