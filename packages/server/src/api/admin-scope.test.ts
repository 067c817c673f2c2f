// The admin scope (idaas:admin) makes a token the operator in the admin API. A user's
// token carries it only when the user is an operator user (a member of the operator
// account): a customer's platform user asking the console (or any platform application
// allowed the scope) for it gets a token without it and is refused on operator routes,
// with no consent page offering it; a token issued while the user was an operator stops
// acting as one once the membership is gone. The bootstrap `admin` user is the operator
// account's owner. Service clients (client credentials) holding the scope stay operators.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import type { Instance, User } from '@idaas/core';
import { Browser, type Page } from '../../../../e2e/support/browser.ts';
import { createUser, instance, PASSWORD, rp, signIn } from '../../../../e2e/support/oidc.ts';
import { ADMIN_SCOPE, ADMIN_USERNAME, bootstrap, CONSOLE_CLIENT_ID } from '../bootstrap.ts';
import { adminResource } from '../oidc/provider.ts';
import { TEST_ADMIN_PASSWORD } from '../testing.ts';
import { startApi, type ApiHarness } from './fixtures.ts';

const ASK = `openid profile ${ADMIN_SCOPE} idaas:account`;

for (const kind of availableStoreKinds()) {
  describe(`admin scope only for operator users (${kind})`, () => {
    let h: ApiHarness;
    let platform: Instance;
    let customer: User;
    let operatorAccountId: string;

    before(async () => {
      h = await startApi(kind);
      platform = await instance(h.server, 'platform');
      customer = await createUser(h.server, platform, 'customer-cora');
      const acct = await h.api('POST', '/accounts', {
        name: 'Cora Ltd',
        owner_user_id: customer.id,
      });
      assert.equal(acct.status, 201, JSON.stringify(acct.body));
      operatorAccountId = (await h.server.sctx.store.repos.accounts.findOperator())!.id;
    });
    after(() => h?.close());

    /** Signs in through the hosted pages with `clientId`; the tokens and the pages seen. */
    async function signInFor(
      clientId: string,
      clientSecret: string | null,
      redirectUri: string,
      creds: { username: string; password: string },
      browser = new Browser(),
      resource: string | null = adminResource(h.server.sctx.config.publicUrl),
    ): Promise<{ accessToken: string; scope: string; pages: Page[] }> {
      const config = await rp(h.server, 'platform', clientId, clientSecret);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: ASK,
        ...(resource ? { resource } : {}),
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const { callback, pages } = await signIn(browser, url.href, redirectUri, creds);
      const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      return { accessToken: tokens.access_token, scope: tokens.scope ?? '', pages };
    }

    const consoleRedirect = () => `${h.server.sctx.config.publicUrl}/console/callback`;
    const viaConsole = (creds: { username: string; password: string }, browser?: Browser) =>
      signInFor(CONSOLE_CLIENT_ID, null, consoleRedirect(), creds, browser);
    const scopesOf = async (token: string) =>
      (await h.server.app.oidc.tokens.verify('platform', token))?.scopes ?? [];
    /** /me and an operator-only route (another instance's users) with this token. */
    const asCaller = async (token: string) => {
      const me = await h.api('GET', '/me', undefined, { token });
      assert.equal(me.status, 200, JSON.stringify(me.body));
      const users = await h.api('GET', '/instances/default/users', undefined, { token });
      return { operator: (me.json as { operator: boolean }).operator, users: users.status };
    };

    test('the bootstrap admin user is the owner of the operator account, idempotently', async () => {
      const repos = h.server.sctx.store.repos;
      const admin = await repos.users.getByUsername(platform.id, ADMIN_USERNAME);
      assert.ok(admin);
      const member = await repos.accountMembers.get(operatorAccountId, admin.id);
      assert.equal(member?.role, 'owner');
      assert.equal(member?.permissions, null);
      const opts = {
        publicUrl: h.server.sctx.config.publicUrl,
        adminPassword: null,
        createDefault: false,
      };
      const again = await bootstrap(h.server.sctx.core, opts);
      assert.deepEqual(again.created, [], 'a second run changes nothing');
      // a store bootstrapped before the rule gets the membership on the next start
      await repos.accountMembers.delete(operatorAccountId, admin.id);
      const upgraded = await bootstrap(h.server.sctx.core, opts);
      assert.deepEqual(upgraded.created, [`operator membership of ${ADMIN_USERNAME}`]);
      assert.equal((await repos.accountMembers.get(operatorAccountId, admin.id))?.role, 'owner');
      assert.deepEqual(
        (await repos.accountMembers.list(operatorAccountId)).map((m) => m.userId),
        [admin.id],
      );
    });

    test('a customer asking the console for idaas:admin gets a token without it', async () => {
      const r = await viaConsole({ username: 'customer-cora', password: PASSWORD });
      for (const p of r.pages) assert.doesNotMatch(p.text, /\/confirm"/, 'no consent page');
      assert.ok(!r.scope.split(' ').includes(ADMIN_SCOPE), `token scope: ${r.scope}`);
      const scopes = await scopesOf(r.accessToken);
      assert.ok(!scopes.includes(ADMIN_SCOPE), `verified scopes: ${scopes.join(' ')}`);
      assert.ok(scopes.includes('idaas:account'), 'still an account member');
      assert.deepEqual(await asCaller(r.accessToken), { operator: false, users: 403 });
      // without a resource indicator (the platform also knows idaas:admin as a scope)
      const plain = await signInFor(
        CONSOLE_CLIENT_ID,
        null,
        consoleRedirect(),
        { username: 'customer-cora', password: PASSWORD },
        new Browser(),
        null,
      );
      assert.ok(!plain.scope.split(' ').includes(ADMIN_SCOPE), `token scope: ${plain.scope}`);
      assert.ok(!(await scopesOf(plain.accessToken)).includes(ADMIN_SCOPE));
    });

    test('the admin user asking the same gets an operator token', async () => {
      const r = await viaConsole({ username: ADMIN_USERNAME, password: TEST_ADMIN_PASSWORD });
      assert.ok(r.scope.split(' ').includes(ADMIN_SCOPE), `token scope: ${r.scope}`);
      assert.deepEqual(await asCaller(r.accessToken), { operator: true, users: 200 });
    });

    test('another platform application allowed the scope: no consent offers it to a customer', async () => {
      const redirect = 'https://ops-tool.example.test/cb';
      const { application, clientSecret } = await h.server.sctx.core.applications.create(platform, {
        name: 'Ops tool',
        grantTypes: ['authorization_code'],
        redirectUris: [redirect],
        scopes: ['openid', 'profile', ADMIN_SCOPE, 'idaas:account'],
      });
      h.server.app.oidc.invalidate('platform');
      const r = await signInFor(application.clientId, clientSecret, redirect, {
        username: 'customer-cora',
        password: PASSWORD,
      });
      const consent = r.pages.find((p) => /\/confirm"/.test(p.text));
      assert.ok(consent, 'a third-party application asks for consent');
      assert.doesNotMatch(consent.text, /Administer the identity service/);
      assert.ok(!(await scopesOf(r.accessToken)).includes(ADMIN_SCOPE));
      assert.deepEqual(await asCaller(r.accessToken), { operator: false, users: 403 });
    });

    test('an operator user removed from the operator account stops being the operator', async () => {
      const repos = h.server.sctx.store.repos;
      const ops = await createUser(h.server, platform, 'ops-olga');
      await repos.accountMembers.upsert({
        accountId: operatorAccountId,
        userId: ops.id,
        role: 'sub',
        permissions: null,
        createdAt: h.server.sctx.clock.now(),
      });
      const browser = new Browser();
      const creds = { username: 'ops-olga', password: PASSWORD };
      const first = await viaConsole(creds, browser);
      assert.ok((await scopesOf(first.accessToken)).includes(ADMIN_SCOPE));
      assert.deepEqual(await asCaller(first.accessToken), { operator: true, users: 200 });

      await repos.accountMembers.delete(operatorAccountId, ops.id);
      // the token issued before still says idaas:admin: the dispatcher no longer honours it
      assert.ok((await scopesOf(first.accessToken)).includes(ADMIN_SCOPE));
      assert.deepEqual(await asCaller(first.accessToken), { operator: false, users: 403 });
      // signing in again (same session and grant): the grant no longer yields the scope
      const second = await viaConsole(creds, browser);
      assert.ok(!(await scopesOf(second.accessToken)).includes(ADMIN_SCOPE));

      // a member again: the refusal in the grant is lifted
      await repos.accountMembers.upsert({
        accountId: operatorAccountId,
        userId: ops.id,
        role: 'sub',
        permissions: null,
        createdAt: h.server.sctx.clock.now(),
      });
      const third = await viaConsole(creds, browser);
      assert.ok((await scopesOf(third.accessToken)).includes(ADMIN_SCOPE));
      assert.deepEqual(await asCaller(third.accessToken), { operator: true, users: 200 });
    });

    test('a service client holding the scope (client credentials, no user) stays the operator', async () => {
      assert.deepEqual(await asCaller(h.token), { operator: true, users: 200 });
    });
  });
}
