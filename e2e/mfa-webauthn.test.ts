// WebAuthn end to end with a software authenticator (ES256, `none` attestation): register
// passkeys on the account page, sign in passwordless with a discoverable credential, a
// second credential, the signature counter; malformed and tampered responses refused with
// a clear error and nothing written but the audit record.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import type { AuditInput, Instance, MfaFactor } from '@idaas/core';
import type { TestServer } from '../packages/server/src/testing.ts';
import { ACR } from '../packages/server/src/mfa/service.ts';
import { Browser, type Page } from './support/browser.ts';
import { createApp, createUser, PASSWORD, rp, startOidcServer } from './support/oidc.ts';
import { openAccount, pageOptions, SoftAuthenticator } from './mfa-support.ts';

const REDIRECT = 'https://rp.example.test/cb';
const SLUG = 'mfa-webauthn';

type RequestOptions = { challenge: string; allowCredentials?: { id: string }[]; rpId: string };

for (const kind of availableStoreKinds()) {
  describe(`MFA: WebAuthn end to end (${kind})`, () => {
    let server: TestServer;
    let inst: Instance;
    let config: client.Configuration;
    let userId = '';
    let auth: SoftAuthenticator;
    const recorded: AuditInput[] = [];
    let account: Browser;

    before(async () => {
      server = await startOidcServer(kind);
      const sink = server.sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        recorded.push(e);
        return record(e);
      };
      inst = await server.sctx.core.instances.create({ slug: SLUG });
      userId = (await createUser(server, inst, 'wendy')).id;
      const { application, clientSecret } = await createApp(server, inst, {
        grantTypes: ['authorization_code'],
        redirectUris: [REDIRECT],
      });
      config = await rp(server, SLUG, application.clientId, clientSecret);
      auth = new SoftAuthenticator(server.url);
    });
    after(() => server?.close());

    const factors = () => server.sctx.store.repos.mfaFactors.list(inst.id, userId);
    const snapshot = async () =>
      JSON.stringify(
        (await factors()).map((f: MfaFactor) => [f.id, f.counter, f.lastUsedAt?.toISOString()]),
      );

    async function authorize(browser: Browser) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const stop = (l: string) => l.startsWith(REDIRECT);
      return { page: await browser.go(url.href, {}, stop), verifier, state, stop };
    }

    async function finishAtRp(browser: Browser, page: Page, stop: (l: string) => boolean) {
      let p = page;
      if (/\/confirm"/.test(p.text)) p = await browser.submit(p, { action: /\/confirm$/, stop });
      assert.ok(p.url.startsWith(REDIRECT), `at the RP: ${p.url} ${p.status}\n${p.text}`);
      return p;
    }

    it('registers two passkeys on the account page; tampered registrations are refused', async () => {
      account = new Browser();
      const home = await openAccount(account, server.url, SLUG, {
        username: 'wendy',
        password: PASSWORD,
      });
      const reg = await account.submit(home, { action: /\/account\/webauthn$/ });
      assert.equal(reg.status, 200);
      assert.match(reg.headers.get('content-security-policy') ?? '', /script-src 'nonce-/);
      assert.match(reg.text, /<script nonce="[^"]+" src="\/assets\/mfa\/webauthn-page.js">/);
      const options = pageOptions<{
        challenge: string;
        user: { id: string };
        rp: { id: string };
        authenticatorSelection: { residentKey: string };
      }>(reg);
      assert.equal(options.rp.id, '127.0.0.1');
      assert.equal(options.authenticatorSelection.residentKey, 'preferred');
      // garbage base64, wrong origin, wrong challenge: clear errors, nothing written
      for (const [credential, why] of [
        ['{"id":"***","rawId":"***","type":"public-key","response":{}}', 'garbage'],
        ['not json', 'not json'],
        [new SoftAuthenticator('https://evil.example').register(options), 'origin'],
        [auth.register({ ...options, challenge: 'A'.repeat(43) }), 'challenge'],
      ] as const) {
        const refused = await account.submit(reg, {
          action: /\/webauthn\/confirm$/,
          fields: { credential, name: 'Bad' },
        });
        assert.equal(refused.status, 400, why);
        assert.match(refused.text, /could not be (read|verified)/, `${why}: a clear message`);
        assert.equal((await factors()).length, 0, `${why}: nothing written`);
      }
      auth.credentials.length = 0;
      const ok = await account.submit(reg, {
        action: /\/webauthn\/confirm$/,
        fields: { credential: auth.register(options), name: 'Laptop' },
      });
      assert.equal(ok.status, 200, ok.text);
      assert.match(ok.text, /id="recovery-codes"/, 'first factor: recovery codes shown once');
      // the same challenge again is refused (single use)
      const replay = await account.submit(reg, {
        action: /\/webauthn\/confirm$/,
        fields: { credential: auth.register(options), name: 'Again' },
      });
      assert.equal(replay.status, 400);
      auth.credentials.pop();
      // a second credential, with exclusion of the first
      const reg2 = await account.submit(await account.go(`${server.url}/i/${SLUG}/account`), {
        action: /\/account\/webauthn$/,
      });
      const options2 = pageOptions<typeof options & { excludeCredentials: { id: string }[] }>(reg2);
      assert.equal(options2.excludeCredentials.length, 1);
      const ok2 = await account.submit(reg2, {
        action: /\/webauthn\/confirm$/,
        fields: { credential: auth.register(options2), name: 'Phone' },
      });
      assert.equal(ok2.status, 200, ok2.text);
      assert.deepEqual(
        (await factors()).map((f) => [f.kind, f.name]),
        [
          ['webauthn', 'Laptop'],
          ['webauthn', 'Phone'],
        ],
      );
      const enrolls = recorded.filter((e) => e.action === 'mfa.enroll');
      assert.ok(enrolls.some((e) => e.result === 'failure'));
      assert.equal(enrolls.filter((e) => e.result === 'success').length, 2);
      for (const e of recorded)
        assert.doesNotMatch(JSON.stringify(e), /attestationObject|signature/);
    });

    it('signs in passwordless with a discoverable credential (acr phr, amr hwk user mfa)', async () => {
      const browser = new Browser();
      const { page, verifier, state, stop } = await authorize(browser);
      const pk = await browser.submit(page, { action: /\/passkey$/, stop });
      const options = pageOptions<RequestOptions>(pk);
      assert.deepEqual(options.allowCredentials ?? [], [], 'discoverable: no allow list');
      const done = await browser.submit(pk, {
        action: /\/passkey$/,
        fields: { credential: auth.assert(options, { credential: auth.credentials[1] }) },
        stop,
      });
      const cb = await finishAtRp(browser, done, stop);
      const claims = (
        await client.authorizationCodeGrant(config, new URL(cb.url), {
          pkceCodeVerifier: verifier,
          expectedState: state,
        })
      ).claims()!;
      assert.equal(claims.sub, userId);
      assert.equal(claims.acr, ACR.phr);
      assert.deepEqual([...(claims.amr as string[])].sort(), ['hwk', 'mfa', 'user']);
      const phone = (await factors()).find((f) => f.name === 'Phone')!;
      assert.equal(phone.counter, 1);
      assert.ok(phone.lastUsedAt);
    });

    it('uses a security key as the second step after the password; counter goes up', async () => {
      const browser = new Browser();
      const { page, verifier, state, stop } = await authorize(browser);
      const mfa = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: 'wendy', password: PASSWORD },
        stop,
      });
      const options = pageOptions<RequestOptions>(mfa);
      assert.equal(options.allowCredentials?.length, 2, 'the user’s two credentials');
      const done = await browser.submit(mfa, {
        action: /\/mfa\/webauthn$/,
        fields: { credential: auth.assert(options, { credential: auth.credentials[0] }) },
        stop,
      });
      const cb = await finishAtRp(browser, done, stop);
      const claims = (
        await client.authorizationCodeGrant(config, new URL(cb.url), {
          pkceCodeVerifier: verifier,
          expectedState: state,
        })
      ).claims()!;
      assert.equal(claims.acr, ACR.phr);
      assert.deepEqual([...(claims.amr as string[])].sort(), ['hwk', 'mfa', 'pwd', 'user']);
      assert.equal((await factors()).find((f) => f.name === 'Laptop')!.counter, 1);
    });

    it('refuses tampered assertions with a clear error and writes nothing but the audit record', async () => {
      const browser = new Browser();
      const { page, stop } = await authorize(browser);
      const pk = await browser.submit(page, { action: /\/passkey$/, stop });
      const options = pageOptions<RequestOptions>(pk);
      const laptop = auth.credentials[0]!;
      const cases: [string, () => string][] = [
        ['bad signature', () => auth.assert(options, { credential: laptop, badSignature: true })],
        [
          'wrong challenge',
          () => auth.assert(options, { credential: laptop, challenge: 'B'.repeat(43) }),
        ],
        [
          'wrong origin',
          () => auth.assert(options, { credential: laptop, origin: 'https://evil.example' }),
        ],
        ['counter went back', () => auth.assert(options, { credential: laptop, counter: 1 })],
        [
          'garbage base64',
          () => JSON.stringify({ id: '%%%', rawId: '%%%', type: 'public-key', response: {} }),
        ],
        ['not JSON', () => '{"id":'],
      ];
      let current = pk;
      for (const [why, make] of cases) {
        const before = await snapshot();
        const failuresBefore = recorded.filter((e) => e.action === 'login.failed').length;
        current = await browser.submit(current, {
          action: /\/passkey$/,
          fields: { credential: make() },
          stop,
        });
        assert.equal(current.status, 401, `${why}: ${current.status}`);
        assert.match(current.text, /could not be (read|verified)/, `${why}: clear message`);
        assert.equal(await snapshot(), before, `${why}: nothing written`);
        assert.equal(
          recorded.filter((e) => e.action === 'login.failed').length,
          failuresBefore + 1,
          `${why}: audited`,
        );
      }
      // the original challenge is still good for a genuine assertion (it was never consumed)
      const ok = await browser.submit(current, {
        action: /\/passkey$/,
        fields: { credential: auth.assert(options, { credential: laptop, counter: 5 }) },
        stop,
      });
      await finishAtRp(browser, ok, stop);
      assert.equal((await factors()).find((f) => f.name === 'Laptop')!.counter, 5);
    });

    it('removes a passkey from the account page (recent sign-in)', async () => {
      const home = await account.go(`${server.url}/i/${SLUG}/account`);
      const phone = (await factors()).find((f) => f.name === 'Phone')!;
      const removed = await account.submit(home, {
        action: /\/account\/remove$/,
        fields: { factor: phone.id },
      });
      assert.equal(removed.status, 200, removed.text);
      assert.match(removed.text, /Removed\./);
      assert.deepEqual(
        (await factors()).map((f) => f.name),
        ['Laptop'],
      );
      assert.ok(recorded.some((e) => e.action === 'mfa.remove' && e.result === 'success'));
      const forged = await account.submit(home, {
        action: /\/account\/remove$/,
        fields: { factor: phone.id, csrf: 'forged' },
      });
      assert.equal(forged.status, 403);
    });
  });
}
