// Client credentials + introspection + revocation, refresh-token rotation with reuse
// detection, the device authorization grant through the hosted pages, and JWT access
// tokens for resource indicators — real server, openid-client as the client, every store.
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
  PASSWORD,
  rp,
  startOidcServer,
} from './support/oidc.ts';

const REDIRECT = 'https://rp.example.test/cb';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

for (const kind of availableStoreKinds()) {
  describe(`OAuth grants (${kind})`, () => {
    let server: TestServer;
    let cc: client.Configuration;
    let web: client.Configuration;
    let device: client.Configuration;
    let jwtApp: client.Configuration;

    before(async () => {
      server = await startOidcServer(kind);
      const inst = await instance(server, 'default');
      await createUser(server, inst, 'bob');
      const a = await createApp(server, inst, {
        grantTypes: ['client_credentials'],
        scopes: ['reports:read'],
      });
      cc = await rp(server, 'default', a.application.clientId, a.clientSecret);
      const w = await createApp(server, inst, {
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT],
      });
      web = await rp(server, 'default', w.application.clientId, w.clientSecret);
      const d = await createApp(server, inst, {
        public: true,
        grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      });
      device = await rp(server, 'default', d.application.clientId, null);
      const j = await createApp(server, inst, {
        grantTypes: ['client_credentials'],
        scopes: ['reports:read'],
        accessTokenFormat: 'jwt',
      });
      jwtApp = await rp(server, 'default', j.application.clientId, j.clientSecret);
    });
    after(() => server?.close());

    it('client credentials → introspection → revocation', async () => {
      const t = await client.clientCredentialsGrant(cc, { scope: 'reports:read' });
      assert.equal(t.token_type.toLowerCase(), 'bearer');
      assert.equal(t.scope, 'reports:read');
      const active = await client.tokenIntrospection(cc, t.access_token);
      assert.equal(active.active, true);
      assert.equal(active.client_id, cc.clientMetadata().client_id);
      assert.equal(active.scope, 'reports:read');
      assert.equal(active.iss, issuer(server, 'default'));
      await client.tokenRevocation(cc, t.access_token);
      const after = await client.tokenIntrospection(cc, t.access_token);
      assert.equal(after.active, false);
      // unknown token → inactive, wrong secret → invalid_client
      assert.equal((await client.tokenIntrospection(cc, 'not-a-token')).active, false);
      const res = await fetch(cc.serverMetadata().token_endpoint!, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${cc.clientMetadata().client_id}:wrong`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    });

    it('refresh tokens rotate; reusing an old one revokes the whole grant', async () => {
      const { tokens } = await codeFlow(server, web, REDIRECT, 'bob');
      const rt1 = tokens.refresh_token!;
      const r2 = await client.refreshTokenGrant(web, rt1);
      const rt2 = r2.refresh_token!;
      assert.ok(rt2 && rt2 !== rt1, 'rotated');
      assert.equal((await client.tokenIntrospection(web, r2.access_token)).active, true);
      // reuse of rt1 is detected: invalid_grant and the grant is revoked
      await assert.rejects(client.refreshTokenGrant(web, rt1), (e: client.ResponseBodyError) => {
        assert.equal(e.error, 'invalid_grant');
        return true;
      });
      await assert.rejects(client.refreshTokenGrant(web, rt2), (e: client.ResponseBodyError) => {
        assert.equal(e.error, 'invalid_grant');
        return true;
      });
      assert.equal((await client.tokenIntrospection(web, r2.access_token)).active, false);
      assert.equal((await client.tokenIntrospection(web, tokens.access_token)).active, false);
    });

    it('device authorization grant through the user-code page', async () => {
      const da = await client.initiateDeviceAuthorization(device, { scope: 'openid profile' });
      assert.match(da.user_code, /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
      // before the user acts: authorization_pending
      await assert.rejects(
        client.genericGrantRequest(device, DEVICE_GRANT, { device_code: da.device_code }),
        (e: client.ResponseBodyError) => e.error === 'authorization_pending',
      );
      const browser = new Browser();
      const entry = await browser.go(da.verification_uri);
      assert.equal(entry.status, 200);
      assert.match(entry.text, /<label for="user_code">/);
      // a wrong code is refused with the localized message
      const wrong = await browser.submit(entry, { fields: { user_code: 'BBBB-BBBB' } });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /not valid/);
      const confirm = await browser.submit(wrong, { fields: { user_code: da.user_code } });
      assert.match(confirm.text, new RegExp(da.user_code));
      let page = await browser.submit(confirm, { button: { name: 'confirm', value: 'yes' } });
      page = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: 'bob', password: PASSWORD },
      });
      if (/\/confirm"/.test(page.text)) page = await browser.submit(page, { action: /\/confirm$/ });
      assert.equal(page.status, 200);
      assert.match(page.text, /signed in on your device/);
      const tokens = await client.genericGrantRequest(device, DEVICE_GRANT, {
        device_code: da.device_code,
      });
      assert.ok(tokens.access_token);
      assert.equal(tokens.claims()!.preferred_username, 'bob');
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /grant_type="urn:ietf:params:oauth:grant-type:device_code"/);
    });

    it('resource indicators: JWT access tokens signed by the instance key', async () => {
      const resource = 'https://api.example.test/reports';
      const t = await client.clientCredentialsGrant(jwtApp, { scope: 'reports:read', resource });
      const jwks = jose.createRemoteJWKSet(new URL(jwtApp.serverMetadata().jwks_uri!));
      const { payload, protectedHeader } = await jose.jwtVerify(t.access_token, jwks, {
        issuer: issuer(server, 'default'),
        audience: resource,
        typ: 'at+jwt',
      });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.scope, 'reports:read');
      assert.equal(payload.client_id, jwtApp.clientMetadata().client_id);
      // the opaque client gets an opaque token for the same resource
      const o = await client.clientCredentialsGrant(cc, { scope: 'reports:read', resource });
      assert.equal(o.access_token.split('.').length, 1);
      // an unusable resource indicator is refused
      await assert.rejects(
        client.clientCredentialsGrant(cc, { resource: 'urn:not-http' }),
        (e: client.ResponseBodyError) => e.error === 'invalid_target',
      );
    });

    it('the token verifier accepts platform admin tokens (opaque and JWT)', async () => {
      const platform = await instance(server, 'platform');
      const svc = await createApp(server, platform, {
        grantTypes: ['client_credentials'],
        scopes: ['idaas:admin'],
        accessTokenFormat: 'jwt',
      });
      const conf = await rp(server, 'platform', svc.application.clientId, svc.clientSecret);
      const opaque = await client.clientCredentialsGrant(conf, { scope: 'idaas:admin' });
      const info = await server.app.oidc.tokens.verify('platform', opaque.access_token);
      assert.equal(info?.clientId, svc.application.clientId);
      assert.deepEqual(info?.scopes, ['idaas:admin']);
      assert.equal(info?.sub, null);
      const jwt = await client.clientCredentialsGrant(conf, {
        scope: 'idaas:admin',
        resource: `${server.url}/api/v1`,
      });
      assert.equal(jwt.access_token.split('.').length, 3);
      const jinfo = await server.app.oidc.tokens.verify('platform', jwt.access_token);
      assert.deepEqual(jinfo?.scopes, ['idaas:admin']);
      assert.equal(await server.app.oidc.tokens.verify('platform', 'garbage'), null);
      assert.equal(await server.app.oidc.tokens.verify('default', opaque.access_token), null);
    });
  });
}
