// First-party applications never show a consent page; internal clients (the SAML bridge)
// are not listed; the token endpoint authentication method is per application. Through the
// admin API and openid-client against a real server, on every store.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import { startApi, type ApiHarness } from '../packages/server/src/api/fixtures.ts';
import { Browser } from './support/browser.ts';
import { createUser, instance, issuer, signIn } from './support/oidc.ts';

const REDIRECT = 'https://rp.example.test/cb';

for (const kind of availableStoreKinds()) {
  describe(`first-party applications (${kind})`, () => {
    let h: ApiHarness;
    const slug = 'first-party';

    before(async () => {
      h = await startApi(kind);
      const inst = await instance(h.server, slug);
      await createUser(h.server, inst, 'fiona');
    });
    after(() => h?.close());

    const create = async (body: Record<string, unknown>) => {
      const r = await h.api('POST', `/instances/${slug}/applications`, {
        name: 'App',
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT],
        ...body,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.json as { id: string; client_id: string; client_secret: string | null };
    };

    const flow = async (
      browser: Browser,
      clientId: string,
      auth: client.ClientAuth,
    ): Promise<{ consent: boolean; tokens: client.TokenEndpointResponse }> => {
      const config = await client.discovery(
        new URL(issuer(h.server, slug)),
        clientId,
        undefined,
        auth,
        { execute: [client.allowInsecureRequests] },
      );
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const { callback, pages } = await signIn(browser, url.href, REDIRECT, {
        username: 'fiona',
      });
      const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
      });
      return { consent: pages.some((p) => /\/confirm"/.test(p.text)), tokens };
    };

    it('a first-party app gets its tokens without consent; a third-party one asks', async () => {
      const first = await create({
        first_party: true,
        token_endpoint_auth_method: 'client_secret_post',
      });
      const third = await create({});
      const browser = new Browser();
      const a = await flow(browser, first.client_id, client.ClientSecretPost(first.client_secret!));
      assert.equal(a.consent, false, 'no consent page for a first-party app');
      assert.ok(a.tokens.id_token);
      const b = await flow(
        browser,
        third.client_id,
        client.ClientSecretBasic(third.client_secret!),
      );
      assert.equal(b.consent, true, 'third-party app: consent asked (same session)');
    });

    it('token_endpoint_auth_method is stored, validated against the client type', async () => {
      // (oidc-provider accepts client_secret_basic and client_secret_post alike for a
      // client with a secret; what it enforces is a secret versus none)
      const post = await create({ token_endpoint_auth_method: 'client_secret_post' });
      assert.equal(
        (post as Record<string, unknown>).token_endpoint_auth_method,
        'client_secret_post',
      );
      const bad = await h.api('POST', `/instances/${slug}/applications`, {
        name: 'Bad',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'none',
      });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /token_endpoint_auth_method/);
      const pub = await h.api('POST', `/instances/${slug}/applications`, {
        name: 'Public',
        client_type: 'public',
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT],
      });
      assert.equal(pub.json.token_endpoint_auth_method, 'none');
      const upd = await h.api('PATCH', `/instances/${slug}/applications/${post.id}`, {
        first_party: true,
        token_endpoint_auth_method: 'client_secret_basic',
      });
      assert.equal(upd.status, 200);
      assert.equal(upd.json.first_party, true);
      assert.equal(upd.json.token_endpoint_auth_method, 'client_secret_basic');
    });

    it('internal clients (the SAML bridge) are neither listed nor editable', async () => {
      const inst = await instance(h.server, slug);
      const { application } = await h.server.sctx.core.applications.create(inst, {
        name: 'SAML sign-in',
        clientId: 'saml-bridge',
        public: true,
        grantTypes: ['authorization_code'],
        redirectUris: [`${h.server.url}/i/${slug}/saml/continue`],
        internal: true,
      });
      assert.equal(application.firstParty, true);
      const list = await h.api('GET', `/instances/${slug}/applications?limit=100`);
      const ids = (list.json.items as { client_id: string }[]).map((a) => a.client_id);
      assert.ok(ids.length >= 3);
      assert.ok(!ids.includes('saml-bridge'), 'not listed');
      const get = await h.api('GET', `/instances/${slug}/applications/${application.id}`);
      assert.equal(get.status, 404);
      const del = await h.api('DELETE', `/instances/${slug}/applications/${application.id}`);
      assert.equal(del.status, 404);
    });
  });
}
