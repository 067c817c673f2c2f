// The end-user ("me") API of the portal (issue 7), on every store: the portal client is
// created on first use; a user signs in with code + PKCE (openid-client) and, with that
// access token only, reads and edits the profile, changes the password under the policy,
// enrolls TOTP (code computed with otpauth from the shown secret), removes it, launches
// an OIDC application from the launcher (its redirect URI receives a code), lists and ends
// sessions (the token dies with its session); bad input names fields and changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableStoreKinds } from '@idaas/storage';
import type { Instance } from '@idaas/core';
import type { TestServer } from '../packages/server/src/testing.ts';
import { codeFlow, createApp, createUser, instance, rp, startOidcServer } from './support/oidc.ts';
import type { Browser } from './support/browser.ts';
import { totpAt } from './mfa-support.ts';

const NEW_PASSWORD = 'violet harbour lantern 42';

for (const kind of availableStoreKinds()) {
  describe(`portal me API on ${kind}`, () => {
    let server: TestServer;
    let inst: Instance;
    let token = '';
    let browser: Browser;
    const me = (method: string, path: string, body?: unknown, bearer: string | null = token) =>
      fetch(`${server.url}/i/acme/api${path}`, {
        method,
        headers: {
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => {
        const text = await r.text();
        return {
          status: r.status,
          type: r.headers.get('content-type') ?? '',
          json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
        };
      });
    const fields = (r: { json: Record<string, unknown> }) =>
      ((r.json.errors ?? []) as { field: string }[]).map((e) => e.field);
    const audits = async (action: string) => {
      await server.sctx.audit.flush?.();
      return server.sctx.store.repos.audit.query(inst.id, { action }, { order: 'asc', limit: 100 });
    };

    before(async () => {
      server = await startOidcServer(kind);
      inst = await instance(server, 'acme');
      await createUser(server, inst, 'alice');
    });
    after(() => server.close());

    test('portal settings create the portal client once; it is unlisted', async () => {
      const r = await me('GET', '/portal', undefined, null);
      assert.equal(r.status, 200);
      assert.equal(r.json.client_id, 'portal');
      assert.equal(r.json.redirect_uri, `${server.url}/i/acme/portal/callback`);
      assert.equal((await me('GET', '/portal', undefined, null)).status, 200);
      const apps = await server.sctx.core.applications.list(inst, { limit: 100 });
      const portal = await server.sctx.core.applications.findByClientId(inst, 'portal');
      assert.ok(portal?.internal && portal.firstParty && portal.clientType === 'public');
      void apps;
    });

    test('sign in with code + PKCE; the token reads the profile', async () => {
      const config = await rp(server, 'acme', 'portal', null);
      const flow = await codeFlow(server, config, `${server.url}/i/acme/portal/callback`, 'alice', {
        scope: 'openid profile email',
      });
      token = flow.tokens.access_token;
      browser = flow.browser;
      const r = await me('GET', '/me');
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.username, 'alice');
      assert.equal(r.json.email, 'alice@example.test');
      assert.equal('password_hash' in r.json, false);
      const none = await me('GET', '/me', undefined, null);
      assert.equal(none.status, 401);
      assert.match(none.type, /problem\+json/);
      assert.equal((await me('GET', '/me', undefined, 'not-a-token')).status, 401);
    });

    test('a token of another application is refused', async () => {
      const { application, clientSecret } = await createApp(server, inst, {
        grantTypes: ['authorization_code'],
        redirectUris: ['https://other.example/cb'],
        firstParty: true,
      });
      const config = await rp(server, 'acme', application.clientId, clientSecret);
      const other = await codeFlow(server, config, 'https://other.example/cb', 'alice', {
        scope: 'openid',
        browser,
      });
      assert.equal((await me('GET', '/me', undefined, other.tokens.access_token)).status, 401);
    });

    test('profile edit: validated, audited', async () => {
      const bad = await me('PATCH', '/me', { display_name: 'x', email: 'evil@example.com' });
      assert.equal(bad.status, 400);
      assert.deepEqual(fields(bad), ['email']);
      const ok = await me('PATCH', '/me', { display_name: 'Alice Liddell' });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.display_name, 'Alice Liddell');
      assert.equal((await audits('user.profile.update')).length, 1);
    });

    test('password change: current checked, policy enforced, then changed', async () => {
      const wrong = await me('POST', '/me/password', {
        current_password: 'not my password at all',
        new_password: NEW_PASSWORD,
      });
      assert.equal(wrong.status, 400);
      assert.deepEqual(fields(wrong), ['current_password']);
      const weak = await me('POST', '/me/password', {
        current_password: 'correct horse battery staple',
        new_password: 'alice',
      });
      assert.equal(weak.status, 400);
      assert.ok(
        fields(weak).every((f) => f === 'new_password'),
        JSON.stringify(weak.json),
      );
      // nothing changed: the old password still signs in
      assert.ok(
        (
          await server.sctx.core.directory.authenticate(
            inst,
            'alice',
            'correct horse battery staple',
          )
        ).ok,
      );
      const ok = await me('POST', '/me/password', {
        current_password: 'correct horse battery staple',
        new_password: NEW_PASSWORD,
      });
      assert.equal(ok.status, 204, JSON.stringify(ok.json));
      assert.ok((await server.sctx.core.directory.authenticate(inst, 'alice', NEW_PASSWORD)).ok);
      const results = (await audits('password.change')).map((a) => a.result).sort();
      assert.deepEqual(results, ['failure', 'failure', 'success']);
    });

    test('TOTP enrollment: wrong code refused, right code enrolls, recovery codes once', async () => {
      const start = await me('POST', '/me/mfa/totp');
      assert.equal(start.status, 201);
      assert.match(String(start.json.otpauth_uri), /^otpauth:\/\/totp\//);
      assert.match(String(start.json.qr_svg), /^<svg/);
      const secret = String(start.json.secret);
      const wrong = await me('POST', '/me/mfa/totp/confirm', {
        enrollment_id: start.json.enrollment_id,
        code: '000000' === totpAt(secret, server.sctx.clock.now().getTime()) ? '111111' : '000000',
      });
      assert.equal(wrong.status, 400);
      assert.deepEqual(fields(wrong), ['code']);
      assert.deepEqual((await me('GET', '/me/mfa')).json.items, []);
      const ok = await me('POST', '/me/mfa/totp/confirm', {
        enrollment_id: start.json.enrollment_id,
        code: totpAt(secret, server.sctx.clock.now().getTime()),
        name: 'Phone',
      });
      assert.equal(ok.status, 201, JSON.stringify(ok.json));
      assert.equal((ok.json.recovery_codes as string[]).length, 10);
      const list = await me('GET', '/me/mfa');
      const items = list.json.items as { id: string; kind: string; name: string }[];
      assert.deepEqual(
        items.map((f) => [f.kind, f.name]),
        [['totp', 'Phone']],
      );
      assert.equal(list.json.recovery_codes_remaining, 10);
      const codes = await me('POST', '/me/mfa/recovery-codes');
      assert.equal((codes.json.codes as string[]).length, 10);
      // removal (the sign-in was moments ago)
      assert.equal((await me('DELETE', `/me/mfa/${items[0]!.id}`)).status, 204);
      assert.deepEqual((await me('GET', '/me/mfa')).json.items, []);
      assert.equal((await me('DELETE', `/me/mfa/${items[0]!.id}`)).status, 404);
      const webauthn = await me('POST', '/me/mfa/webauthn/options');
      assert.equal(webauthn.status, 200);
      assert.ok(typeof webauthn.json.challenge === 'string');
      const badCred = await me('POST', '/me/mfa/webauthn', { credential: '{"id":"x"}' });
      assert.equal(badCred.status, 400);
      assert.deepEqual(fields(badCred), ['credential']);
    });

    test('launcher: an OIDC application opens with a code at its redirect URI', async () => {
      const { application } = await createApp(server, inst, {
        name: 'Wiki',
        grantTypes: ['authorization_code'],
        redirectUris: ['https://wiki.example/callback'],
        firstParty: true,
      });
      const r = await me('GET', '/me/apps');
      const items = r.json.items as {
        id: string;
        name: string;
        protocol: string;
        launch_url: string;
      }[];
      assert.ok(!items.some((a) => /portal|account/i.test(a.name)), 'own clients are not listed');
      const wiki = items.find((a) => a.id === application.id)!;
      assert.equal(wiki.protocol, 'oidc');
      const page = await browser.go(wiki.launch_url, {}, (l) =>
        l.startsWith('https://wiki.example/callback'),
      );
      const landed = new URL(page.url);
      assert.equal(landed.origin + landed.pathname, 'https://wiki.example/callback');
      assert.ok(landed.searchParams.get('code'));
    });

    test('sessions: listed with the current one; ending it kills the token', async () => {
      const r = await me('GET', '/me/sessions');
      assert.equal(r.status, 200);
      const items = r.json.items as { id: string; current: boolean; applications: string[] }[];
      assert.equal(items.length, 1);
      assert.equal(items[0]!.current, true);
      assert.ok(items[0]!.applications.includes('Portal'));
      assert.equal((await me('DELETE', '/me/sessions/does-not-exist')).status, 404);
      assert.equal((await me('DELETE', `/me/sessions/${items[0]!.id}`)).status, 204);
      assert.equal((await me('GET', '/me')).status, 401);
      assert.equal((await audits('session.revoke')).length, 1);
    });
  });
}
