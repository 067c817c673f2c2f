// One-time codes end to end: codes by email through a real local SMTP server and by SMS
// through the SMS provider port; turned on from the account page, used at sign-in;
// wrong codes counted and limited, a code works once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import type { Instance } from '@idaas/core';
import type { TestServer } from '../packages/server/src/testing.ts';
import { setMfaSms } from '../packages/server/src/mfa/channels.ts';
import { ACR, OTP_MAX_ATTEMPTS } from '../packages/server/src/mfa/service.ts';
import { Browser, type Page } from './support/browser.ts';
import { createApp, createUser, PASSWORD, rp, startOidcServer } from './support/oidc.ts';
import { openAccount } from './mfa-support.ts';

const REDIRECT = 'https://rp.example.test/cb';
const SLUG = 'mfa-otp';

const decode = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

async function waitFor<T>(what: string, fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const kind of availableStoreKinds()) {
  describe(`MFA: email and SMS codes (${kind})`, () => {
    let smtp: SMTPServer;
    const mails: { to: string[]; text: string }[] = [];
    const texts: { to: string; text: string }[] = [];
    let server: TestServer;
    let inst: Instance;
    let config: client.Configuration;
    let userId = '';

    before(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            mails.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              text: decode(Buffer.concat(chunks).toString('utf8')),
            });
            cb();
          });
        },
      });
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
      const port = (smtp.server.address() as AddressInfo).port;
      server = await startOidcServer(kind, { SMTP_URL: `smtp://127.0.0.1:${port}` });
      setMfaSms(server.sctx, {
        name: 'test-sms',
        async send(m) {
          texts.push(m);
          return { transport: 'test-sms' };
        },
      });
      inst = await server.sctx.core.instances.create({ slug: SLUG });
      userId = (await createUser(server, inst, 'olga')).id;
      const { application, clientSecret } = await createApp(server, inst, {
        grantTypes: ['authorization_code'],
        redirectUris: [REDIRECT],
      });
      config = await rp(server, SLUG, application.clientId, clientSecret);
    });
    after(async () => {
      await server?.close();
      await new Promise<void>((r) => smtp?.close(() => r()));
    });

    const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];

    it('turns on codes by email (real SMTP) and by SMS (provider port) on the account page', async () => {
      const browser = new Browser();
      let home = await openAccount(browser, server.url, SLUG, {
        username: 'olga',
        password: PASSWORD,
      });
      const confirm = await browser.submit(home, {
        action: /\/account\/otp$/,
        fields: { channel: 'email' },
      });
      const mail = await waitFor('the email', () => mails.at(-1));
      assert.deepEqual(mail.to, ['olga@example.test']);
      const code = codeIn(mail.text)!;
      const done = await browser.submit(confirm, {
        action: /\/otp\/confirm$/,
        fields: { code },
      });
      assert.equal(done.status, 200, done.text);
      assert.match(done.text, /id="recovery-codes"/);
      home = await browser.go(`${server.url}/i/${SLUG}/account`);
      const smsConfirm = await browser.submit(home, {
        action: /\/account\/otp$/,
        fields: { channel: 'sms' },
      });
      const sms = texts.at(-1)!;
      assert.equal(sms.to, '+8613800138000');
      const ok = await browser.submit(smsConfirm, {
        action: /\/otp\/confirm$/,
        fields: { code: codeIn(sms.text)! },
      });
      assert.equal(ok.status, 200, ok.text);
      const kinds = (await server.sctx.store.repos.mfaFactors.list(inst.id, userId)).map(
        (f) => f.kind,
      );
      assert.deepEqual(kinds.sort(), ['email', 'sms']);
    });

    async function toSecondStep(browser: Browser) {
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
      const first = await browser.go(url.href, {}, stop);
      const page = await browser.submit(first, {
        action: /\/login$/,
        fields: { login: 'olga', password: PASSWORD },
        stop,
      });
      return { page, verifier, state, stop };
    }

    async function claimsAt(
      browser: Browser,
      page: Page,
      s: { verifier: string; state: string; stop: (l: string) => boolean },
    ) {
      let p = page;
      if (/\/confirm"/.test(p.text))
        p = await browser.submit(p, { action: /\/confirm$/, stop: s.stop });
      assert.ok(p.url.startsWith(REDIRECT), `${p.url} ${p.status}\n${p.text}`);
      return (
        await client.authorizationCodeGrant(config, new URL(p.url), {
          pkceCodeVerifier: s.verifier,
          expectedState: s.state,
        })
      ).claims()!;
    }

    it('signs in with a code by email; a wrong code is counted, the code works once', async () => {
      const browser = new Browser();
      const s = await toSecondStep(browser);
      assert.match(s.page.text, /Email me a code/);
      assert.match(s.page.text, /Text me a code/);
      const n = mails.length;
      const sent = await browser.submit(s.page, {
        action: /\/mfa\/send$/,
        fields: { channel: 'email' },
        stop: s.stop,
      });
      const code = codeIn((await waitFor('the email', () => mails[n])).text)!;
      const wrong = await browser.submit(sent, {
        action: /\/mfa\/email$/,
        fields: { code: code === '000000' ? '111111' : '000000' },
        stop: s.stop,
      });
      assert.equal(wrong.status, 401);
      assert.match(wrong.text, /not correct/);
      const challengeId = /name="challenge" value="([^"]+)"/.exec(wrong.text)![1]!;
      assert.equal(
        (await server.sctx.store.repos.mfaChallenges.get(inst.id, challengeId))?.attempts,
        1,
      );
      const done = await browser.submit(wrong, {
        action: /\/mfa\/email$/,
        fields: { code },
        stop: s.stop,
      });
      const claims = await claimsAt(browser, done, s);
      assert.equal(claims.acr, ACR.mfa);
      assert.deepEqual([...(claims.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      // the same code on another sign-in: refused
      const b2 = new Browser();
      const s2 = await toSecondStep(b2);
      const reuse = await b2.submit(s2.page, {
        action: /\/mfa\/send$/,
        fields: { channel: 'email' },
        stop: s2.stop,
      });
      const forged = reuse.text.replace(
        /name="challenge" value="[^"]+"/,
        `name="challenge" value="${challengeId}"`,
      );
      const refused = await b2.submit(
        { ...reuse, text: forged },
        {
          action: /\/mfa\/email$/,
          fields: { code },
          stop: s2.stop,
        },
      );
      assert.equal(refused.status, 401);
      assert.match(refused.text, /expired/);
    });

    it(`signs in with a code by SMS; after ${OTP_MAX_ATTEMPTS} wrong codes the code is dead`, async () => {
      const browser = new Browser();
      const s = await toSecondStep(browser);
      let page = await browser.submit(s.page, {
        action: /\/mfa\/send$/,
        fields: { channel: 'sms' },
        stop: s.stop,
      });
      const code = codeIn(texts.at(-1)!.text)!;
      const wrongCode = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < OTP_MAX_ATTEMPTS; i++)
        page = await browser.submit(page, {
          action: /\/mfa\/sms$/,
          fields: { code: wrongCode },
          stop: s.stop,
        });
      assert.match(page.text, /Too many wrong codes/);
      // that code is dead; a new one works
      page = await browser.submit(page, {
        action: /\/mfa\/send$/,
        fields: { channel: 'sms' },
        stop: s.stop,
      });
      const fresh = codeIn(texts.at(-1)!.text)!;
      const done = await browser.submit(page, {
        action: /\/mfa\/sms$/,
        fields: { code: fresh },
        stop: s.stop,
      });
      const claims = await claimsAt(browser, done, s);
      assert.equal(claims.acr, ACR.mfa);
      assert.ok((claims.amr as string[]).includes('sms'));
    });
  });
}
