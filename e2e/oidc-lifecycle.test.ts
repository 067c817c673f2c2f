// Sign-out with back-channel logout delivery, signing-key rotation with overlap, tenant
// isolation between instances, refused sign-in on a suspended instance, and the
// localized hosted pages — real server, every store.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  PASSWORD,
  rp,
  startOidcServer,
} from './support/oidc.ts';

const REDIRECT = 'https://rp.example.test/cb';
const AFTER_LOGOUT = 'https://rp.example.test/bye';

function bearer(url: string, token: string) {
  return fetch(url, { headers: { authorization: `Bearer ${token}` } });
}

for (const kind of availableStoreKinds()) {
  describe(`OIDC lifecycle (${kind})`, () => {
    let server: TestServer;
    let receiver: Server;
    const received: string[] = [];
    let web: client.Configuration;
    let cc: client.Configuration;
    let otherCc: client.Configuration;
    let otherWeb: client.Configuration;

    before(async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push(body);
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
      const bcl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`;
      server = await startOidcServer(kind);
      const a = await instance(server, 'default');
      const b = await instance(server, 'other');
      await createUser(server, a, 'carol');
      await createUser(server, b, 'dave');
      const w = await createApp(server, a, {
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: [AFTER_LOGOUT],
        backchannelLogoutUri: bcl,
      });
      web = await rp(server, 'default', w.application.clientId, w.clientSecret);
      const c = await createApp(server, a, {
        grantTypes: ['client_credentials'],
        scopes: ['reports:read'],
        accessTokenFormat: 'jwt',
      });
      cc = await rp(server, 'default', c.application.clientId, c.clientSecret);
      const oc = await createApp(server, b, { grantTypes: ['client_credentials'] });
      otherCc = await rp(server, 'other', oc.application.clientId, oc.clientSecret);
      const ow = await createApp(server, b, {
        grantTypes: ['authorization_code'],
        redirectUris: [REDIRECT],
      });
      otherWeb = await rp(server, 'other', ow.application.clientId, ow.clientSecret);
    });
    after(async () => {
      await server?.close();
      receiver?.closeAllConnections();
      await new Promise((r) => receiver?.close(r));
    });

    it('RP-initiated logout delivers a verifiable back-channel logout token', async () => {
      const { tokens, browser } = await codeFlow(server, web, REDIRECT, 'carol', {
        scope: 'openid profile',
      });
      const idClaims = tokens.claims()!;
      assert.ok(idClaims.sid, 'ID token carries sid for back-channel logout');
      const endUrl = client.buildEndSessionUrl(web, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: AFTER_LOGOUT,
        state: 'st',
      });
      const confirm = await browser.go(endUrl.href);
      assert.equal(confirm.status, 200);
      assert.match(confirm.text, /Sign out of/);
      const done = await browser.submit(confirm, {
        button: { name: 'logout', value: 'yes' },
        stop: (l) => l.startsWith(AFTER_LOGOUT),
      });
      assert.equal(done.url, `${AFTER_LOGOUT}?state=st`);
      assert.equal(received.length, 1, 'one logout token delivered');
      const logoutToken = new URLSearchParams(received[0]).get('logout_token')!;
      const jwks = jose.createRemoteJWKSet(new URL(web.serverMetadata().jwks_uri!));
      const { payload } = await jose.jwtVerify(logoutToken, jwks, {
        issuer: issuer(server, 'default'),
        audience: web.clientMetadata().client_id,
        typ: 'logout+jwt',
      });
      assert.equal(payload.sub, idClaims.sub);
      assert.equal(payload.sid, idClaims.sid);
      assert.ok(
        (payload.events as Record<string, unknown>)[
          'http://schemas.openid.net/event/backchannel-logout'
        ],
      );
      assert.equal(payload.nonce, undefined);
      // the session is gone: a new authorization asks for the password again
      const again = client.buildAuthorizationUrl(web, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const page = await browser.go(again.href);
      assert.match(page.text, /name="password"/);
    });

    it('key rotation: old tokens still verify, new tokens use the new key', async () => {
      const resource = 'https://api.example.test/';
      const before = await client.clientCredentialsGrant(cc, { resource, scope: 'reports:read' });
      const oldKid = jose.decodeProtectedHeader(before.access_token).kid;
      const inst = await instance(server, 'default');
      const { active } = await server.sctx.core.signingKeys.rotate(inst);
      server.app.oidc.invalidate?.('default');
      const after = await client.clientCredentialsGrant(cc, { resource, scope: 'reports:read' });
      const newKid = jose.decodeProtectedHeader(after.access_token).kid;
      assert.notEqual(newKid, oldKid);
      assert.ok(active.some((k) => k.kid === newKid));
      const jwks = jose.createLocalJWKSet(
        (await (await fetch(cc.serverMetadata().jwks_uri!)).json()) as jose.JSONWebKeySet,
      );
      for (const t of [before.access_token, after.access_token])
        await jose.jwtVerify(t, jwks, { issuer: issuer(server, 'default'), audience: resource });
    });

    it('tenant isolation: tokens, clients and users of one instance are useless at another', async () => {
      const { tokens } = await codeFlow(server, web, REDIRECT, 'carol', {
        scope: 'openid profile',
      });
      // token of A at B: userinfo and introspection
      const ui = await bearer(otherCc.serverMetadata().userinfo_endpoint!, tokens.access_token);
      assert.equal(ui.status, 401);
      assert.equal((await client.tokenIntrospection(otherCc, tokens.access_token)).active, false);
      assert.equal(await server.app.oidc.tokens.verify('other', tokens.access_token), null);
      // A's token works at A
      const ok = await bearer(web.serverMetadata().userinfo_endpoint!, tokens.access_token);
      assert.equal(ok.status, 200);
      // client of A at B's token endpoint and authorization endpoint
      const asB = new client.Configuration(
        otherCc.serverMetadata(),
        web.clientMetadata().client_id,
        undefined,
        client.ClientSecretBasic('whatever'),
      );
      client.allowInsecureRequests(asB);
      await assert.rejects(
        client.clientCredentialsGrant(asB, {}),
        (e: client.ResponseBodyError) => e.status === 401,
      );
      const authAtB = new URL(otherCc.serverMetadata().authorization_endpoint!);
      authAtB.search = new URLSearchParams({
        client_id: web.clientMetadata().client_id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: REDIRECT,
      }).toString();
      const page = await new Browser().go(authAtB.href);
      assert.equal(page.status, 400);
      assert.match(page.text, /invalid_client/);
      // user of A cannot sign in at B
      const url = client.buildAuthorizationUrl(otherWeb, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const browser = new Browser();
      const signin = await browser.go(url.href);
      const refused = await browser.submit(signin, {
        action: /\/login$/,
        fields: { login: 'carol', password: PASSWORD },
      });
      assert.equal(refused.status, 401);
      // and an unknown instance is a 404
      assert.equal(
        (await fetch(`${server.url}/i/nope/.well-known/openid-configuration`)).status,
        404,
      );
    });

    it('hosted pages in Simplified Chinese via Accept-Language and ?lang=', async () => {
      const url = client.buildAuthorizationUrl(web, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const zh = new Browser();
      zh.headers['accept-language'] = 'zh-CN,zh;q=0.9,en;q=0.5';
      const page = await zh.go(url.href);
      assert.match(page.text, /<html lang="zh-CN">/);
      assert.match(page.text, /<label for="password">密码<\/label>/);
      assert.match(page.text, /hreflang="en"/);
      const failed = await zh.submit(page, {
        action: /\/login$/,
        fields: { login: 'carol', password: 'wrong-wrong' },
      });
      assert.match(failed.text, /用户名或密码错误/);
      // ?lang= switches (and is remembered for the following pages)
      const en = new Browser();
      en.headers['accept-language'] = 'en';
      const first = await en.go(url.href);
      assert.match(first.text, /<html lang="en">/);
      const switched = await en.request(`${first.url}?lang=zh-CN`);
      assert.match(switched.text, /<html lang="zh-CN">/);
      assert.match(switched.text, /登录/);
      const again = await en.request(first.url);
      assert.match(again.text, /<html lang="zh-CN">/);
    });

    it('a suspended instance refuses sign-in (localized page) and new grants (ID1/ID2)', async () => {
      const b = await instance(server, 'other');
      const start = client.buildAuthorizationUrl(otherWeb, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const browser = new Browser();
      const signin = await browser.go(start.href); // an interaction started while active
      await server.sctx.store.repos.instances.setState(b.id, 'suspended', server.sctx.clock.now());
      server.app.oidc.invalidate?.('other');
      try {
        const page = await new Browser().go(start.href);
        assert.equal(page.status, 403);
        assert.match(page.text, /suspended/);
        assert.match(page.text, /ID1\/ID2/);
        const zh = new Browser();
        zh.headers['accept-language'] = 'zh-CN';
        const zpage = await zh.go(start.href);
        assert.match(zpage.text, /<html lang="zh-CN">/);
        assert.match(zpage.text, /已被暂停/);
        // the sign-in form opened before the suspension is refused too
        const late = await browser.submit(signin, {
          action: /\/login$/,
          fields: { login: 'dave', password: PASSWORD },
        });
        assert.equal(late.status, 403);
        await assert.rejects(
          client.clientCredentialsGrant(otherCc, {}),
          (e: client.ResponseBodyError) =>
            e.error === 'access_denied' && /ID1\/ID2/.test(e.error_description ?? ''),
        );
        // discovery still answers (the instance exists; its data is kept)
        const disc = await fetch(`${issuer(server, 'other')}/.well-known/openid-configuration`);
        assert.equal(disc.status, 200);
      } finally {
        await server.sctx.store.repos.instances.setState(b.id, 'active', server.sctx.clock.now());
        server.app.oidc.invalidate?.('other');
      }
      const t = await client.clientCredentialsGrant(otherCc, {});
      assert.ok(t.access_token, 'service resumes when active again');
    });
  });
}
