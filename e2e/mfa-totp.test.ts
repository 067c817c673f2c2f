// TOTP end to end: enrollment on the account page, sign-in with password + TOTP through
// openid-client, acr/amr in the ID token, replay refused, ±1 step accepted and ±2
// refused, recovery codes single use, step-up with acr_values, max_age=0, admin reset.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import type { AuditInput, Instance } from '@idaas/core';
import { startApi, type ApiHarness } from '../packages/server/src/api/fixtures.ts';
import { ACR, totpStep } from '../packages/server/src/mfa/service.ts';
import { Browser, type Page } from './support/browser.ts';
import { createApp, createUser, PASSWORD, rp } from './support/oidc.ts';
import { openAccount, shownRecoveryCodes, shownSecret, totpAt } from './mfa-support.ts';

const REDIRECT = 'https://rp.example.test/cb';
const SLUG = 'mfa-totp';

for (const kind of availableStoreKinds()) {
  describe(`MFA: TOTP end to end (${kind})`, () => {
    let h: ApiHarness;
    let inst: Instance;
    let config: client.Configuration;
    let secret = '';
    let usedAt = 0;
    let recovery: string[] = [];
    let userId = '';
    const recorded: AuditInput[] = [];

    before(async () => {
      h = await startApi(kind);
      // the audit records as the sink receives them
      const sink = h.server.sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        recorded.push(e);
        return record(e);
      };
      inst = await h.server.sctx.core.instances.create({ slug: SLUG });
      userId = (await createUser(h.server, inst, 'tina')).id;
      await createUser(h.server, inst, 'sam');
      const { application, clientSecret } = await createApp(h.server, inst, {
        grantTypes: ['authorization_code'],
        redirectUris: [REDIRECT],
      });
      config = await rp(h.server, SLUG, application.clientId, clientSecret);
    });
    after(() => h?.close());

    /** Starts an authorization request; returns the first hosted page and the PKCE bits. */
    async function authorize(browser: Browser, extra: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        ...extra,
      });
      const stop = (l: string) => l.startsWith(REDIRECT);
      const page = await browser.go(url.href, {}, stop);
      return { page, verifier, state, stop };
    }

    async function tokensFrom(callback: Page, verifier: string, state: string) {
      assert.ok(callback.url.startsWith(REDIRECT), `at the RP: ${callback.url}\n${callback.text}`);
      return client.authorizationCodeGrant(config, new URL(callback.url), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
    }

    const password = (browser: Browser, page: Page, stop: (l: string) => boolean, user = 'tina') =>
      browser.submit(page, {
        action: /\/login$/,
        fields: { login: user, password: PASSWORD },
        stop,
      });

    it('enrolls an authenticator app on the account page (QR code, key, first code)', async () => {
      const browser = new Browser();
      const account = await openAccount(browser, h.server.url, SLUG, {
        username: 'tina',
        password: PASSWORD,
      });
      assert.match(account.text, /No second factor yet/);
      const enroll = await browser.submit(account, { action: /\/account\/totp$/ });
      assert.equal(enroll.status, 200);
      assert.match(enroll.text, /<img src="data:image\/svg\+xml;base64,/);
      secret = shownSecret(enroll);
      // a wrong first code: refused, nothing enrolled
      const wrong = await browser.submit(enroll, {
        action: /\/totp\/confirm$/,
        fields: { code: totpAt(secret, Date.now() + 5 * 60_000), name: 'Phone' },
      });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /not correct/);
      assert.equal((await h.server.sctx.store.repos.mfaFactors.list(inst.id, userId)).length, 0);
      usedAt = Date.now();
      const codes = await browser.submit(wrong, {
        action: /\/totp\/confirm$/,
        fields: { code: totpAt(secret, usedAt), name: 'Phone' },
      });
      assert.equal(codes.status, 200, codes.text);
      recovery = shownRecoveryCodes(codes);
      assert.equal(recovery.length, 10);
      assert.equal(new Set(recovery).size, 10);
      const back = await browser.go(`${h.server.url}/i/${SLUG}/account`);
      assert.match(back.text, /Phone<\/span> — Authenticator app/);
      assert.match(back.text, /10 unused recovery codes/);
    });

    it('signs in with password + TOTP; the ID token says acr mfa and amr pwd, otp, mfa', async () => {
      const browser = new Browser();
      const { page, verifier, state, stop } = await authorize(browser);
      const mfa = await password(browser, page, stop);
      assert.match(mfa.text, /\/mfa\/totp"/, 'the second step is shown');
      // the enrollment's own code cannot be used again: the next step (within ±1) works
      const replayed = await browser.submit(mfa, {
        action: /\/mfa\/totp$/,
        fields: { code: totpAt(secret, usedAt) },
        stop,
      });
      assert.equal(replayed.status, 401);
      assert.match(replayed.text, /already used/);
      const done = await browser.submit(replayed, {
        action: /\/mfa\/totp$/,
        fields: { code: totpAt(secret, usedAt + 30_000) },
        stop,
      });
      let callback = done;
      if (/\/confirm"/.test(done.text))
        callback = await browser.submit(done, { action: /\/confirm$/, stop });
      const tokens = await tokensFrom(callback, verifier, state);
      const claims = tokens.claims()!;
      assert.equal(claims.sub, userId);
      assert.equal(claims.acr, ACR.mfa);
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      const audit = await auditActions();
      assert.ok(audit.includes('mfa.challenge.passed'));
      assert.ok(audit.includes('mfa.challenge.failed'));
    });

    it('refuses a replayed code in another sign-in, and a recovery code works once', async () => {
      const browser = new Browser();
      const { page, verifier, state, stop } = await authorize(browser);
      const mfa = await password(browser, page, stop);
      const replay = await browser.submit(mfa, {
        action: /\/mfa\/totp$/,
        fields: { code: totpAt(secret, usedAt + 30_000) },
        stop,
      });
      assert.equal(replay.status, 401);
      assert.match(replay.text, /already used/);
      const viaRecovery = await browser.submit(replay, {
        action: /\/mfa\/recovery$/,
        fields: { code: recovery[0]!.toUpperCase() },
        stop,
      });
      let callback = viaRecovery;
      if (/\/confirm"/.test(viaRecovery.text))
        callback = await browser.submit(viaRecovery, { action: /\/confirm$/, stop });
      const claims = (await tokensFrom(callback, verifier, state)).claims()!;
      assert.equal(claims.acr, ACR.mfa);
      assert.equal(await h.server.sctx.store.repos.mfaRecoveryCodes.remaining(inst.id, userId), 9);
      // the same recovery code again: refused
      const b2 = new Browser();
      const again = await authorize(b2);
      const mfa2 = await password(b2, again.page, again.stop);
      const refused = await b2.submit(mfa2, {
        action: /\/mfa\/recovery$/,
        fields: { code: recovery[0]! },
        stop: again.stop,
      });
      assert.equal(refused.status, 401);
      assert.match(refused.text, /not valid or was already used/);
      const garbage = await b2.submit(refused, {
        action: /\/mfa\/totp$/,
        fields: { code: 'abc' },
        stop: again.stop,
      });
      assert.equal(garbage.status, 401);
      assert.match(garbage.text, /not correct/);
    });

    it('accepts codes one step away and refuses two steps away (injected instants)', () => {
      const at = new Date('2026-03-01T12:00:15Z');
      const step = Math.floor(at.getTime() / 30_000);
      for (const [offset, expected] of [
        [0, step],
        [-30_000, step - 1],
        [30_000, step + 1],
        [-60_000, null],
        [60_000, null],
      ] as const)
        assert.equal(totpStep(secret, totpAt(secret, at.getTime() + offset), at), expected);
      assert.equal(totpStep(secret, '12345', at), null);
      assert.equal(totpStep(secret, 'abcdef', at), null);
    });

    it('steps up a password-only session when the client asks acr_values mfa; max_age=0 asks the password again', async () => {
      const browser = new Browser();
      const first = await authorize(browser);
      let cb = await password(browser, first.page, first.stop, 'sam');
      if (/\/confirm"/.test(cb.text))
        cb = await browser.submit(cb, { action: /\/confirm$/, stop: first.stop });
      const weak = (await tokensFrom(cb, first.verifier, first.state)).claims()!;
      assert.equal(weak.acr, ACR.pwd);
      assert.deepEqual(weak.amr, ['pwd']);

      // same browser session, the client now wants MFA: no password, the second step
      const up = await authorize(browser, { acr_values: ACR.mfa });
      assert.doesNotMatch(up.page.text, /name="password"/);
      assert.match(up.page.text, /\/enroll"/, 'no factor yet: inline authenticator set-up');
      const samSecret = shownSecret(up.page);
      const codes = await browser.submit(up.page, {
        action: /\/enroll$/,
        fields: { code: totpAt(samSecret, Date.now()) },
        stop: up.stop,
      });
      assert.equal(shownRecoveryCodes(codes).length, 10);
      let cb2 = await browser.submit(codes, { action: /\/continue$/, stop: up.stop });
      if (/\/confirm"/.test(cb2.text))
        cb2 = await browser.submit(cb2, { action: /\/confirm$/, stop: up.stop });
      const strong = (await tokensFrom(cb2, up.verifier, up.state)).claims()!;
      assert.equal(strong.acr, ACR.mfa);
      assert.deepEqual([...(strong.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);

      // acr mfa is now the session's: asking again needs no interaction
      const again = await authorize(browser, { acr_values: ACR.mfa });
      assert.ok(again.page.url.startsWith(REDIRECT), 'no prompt for an already strong session');

      // max_age=0: authenticate again, from the password
      const fresh = await authorize(browser, { max_age: '0' });
      assert.match(fresh.page.text, /name="password"/);
    });

    it('lets an administrator list and reset factors through the API (audited)', async () => {
      const path = `/instances/${SLUG}/users/${userId}/mfa`;
      const listed = await h.api('GET', path);
      assert.equal(listed.status, 200);
      const body = listed.json as {
        items: { id: string; kind: string }[];
        recovery_codes_remaining: number;
      };
      assert.deepEqual(
        body.items.map((f) => f.kind),
        ['totp'],
      );
      assert.equal(body.recovery_codes_remaining, 9);
      assert.ok(!/secret|hash/i.test(JSON.stringify(listed.json)));
      assert.equal((await h.api('DELETE', `${path}/nope`)).status, 404);
      assert.equal((await h.api('DELETE', `${path}/${body.items[0]!.id}`)).status, 204);
      assert.equal((await h.api('DELETE', path)).status, 204);
      const after = (await h.api('GET', path)).json as typeof body;
      assert.deepEqual(after, { items: [], recovery_codes_remaining: 0 });
      assert.equal((await h.api('GET', `/instances/${SLUG}/users/unknown/mfa`)).status, 404);
      // a user without factors signs in with the password alone again
      const browser = new Browser();
      const { page, stop } = await authorize(browser);
      const next = await password(browser, page, stop);
      assert.doesNotMatch(next.text, /\/mfa\/totp"/);
    });

    async function auditActions(): Promise<string[]> {
      return recorded.map((e) => e.action);
    }
  });
}
