// Conditional access through the real hosted sign-in, driven by openid-client on every
// store: browsers connect from different loopback addresses (127.0.0.1, .2, .4), so the
// server sees different client networks without trusting any forwarded header.
//   - a `deny` policy on 127.0.0.2/32 refuses the sign-in after a correct password;
//   - a policy on another network (127.0.0.1/32) allows it, although the default is deny;
//   - a `deny` policy for new devices on 127.0.0.4/32 refuses a fresh browser there and
//     lets through the browser that completed a sign-in before (its signed device cookie).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import type { AuditInput, Instance } from '@idaas/core';
import type { TestServer } from '../packages/server/src/testing.ts';
import { DEVICE_COOKIE } from '../packages/server/src/security/access.ts';
import { Browser, type Page } from './support/browser.ts';
import {
  codeFlow,
  createApp,
  createUser,
  instance,
  rp,
  startOidcServer,
  PASSWORD,
} from './support/oidc.ts';

const REDIRECT = 'https://rp.example.test/cb';
const origin = { actor: { type: 'system' as const, id: null } };

/** Runs the flow up to the password form's answer (no consent): the page after /login. */
async function passwordAnswer(
  config: client.Configuration,
  browser: Browser,
  username: string,
): Promise<Page> {
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: client.randomState(),
  });
  const page = await browser.go(url.href);
  assert.equal(page.status, 200, page.text);
  assert.match(page.text, /name="password"/);
  return browser.submit(page, {
    action: /\/login$/,
    fields: { login: username, password: PASSWORD },
    stop: (l) => l.startsWith(REDIRECT),
  });
}

for (const kind of availableStoreKinds()) {
  describe(`conditional access at sign-in (${kind})`, () => {
    let server: TestServer;
    let inst: Instance;
    let config: client.Configuration;
    let userId: string;
    const audited: AuditInput[] = [];

    before(async () => {
      server = await startOidcServer(kind);
      const sink = server.sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        audited.push(e);
        await record(e);
      };
      inst = await instance(server, 'default');
      userId = (await createUser(server, inst, 'carol')).id;
      const { application, clientSecret } = await createApp(server, inst, {
        grantTypes: ['authorization_code'],
        redirectUris: [REDIRECT],
        firstParty: true, // no consent page: the flow ends at the redirect URI
      });
      config = await rp(server, 'default', application.clientId, clientSecret);
      const { createPolicy, setDefault } =
        await import('../packages/server/src/security/access-admin.ts');
      const app = [{ kind: 'oidc' as const, id: application.clientId }];
      const policy = (name: string, decision: 'allow' | 'deny', c: Record<string, unknown>) =>
        createPolicy(
          server.sctx,
          inst,
          {
            name,
            decision,
            enabled: true,
            conditions: {
              applications: app,
              users: [],
              groups: [],
              networks: [],
              device: 'any',
              exclude: { applications: [], users: [], groups: [], networks: [] },
              ...c,
            },
          },
          origin,
        );
      await policy('lab network', 'deny', { networks: ['127.0.0.2/32'] });
      await policy('office', 'allow', { networks: ['127.0.0.1/32'] });
      await policy('kiosk: known devices only', 'deny', {
        networks: ['127.0.0.4/32'],
        device: 'new',
      });
      await policy('kiosk', 'allow', { networks: ['127.0.0.4/32'] });
      await setDefault(server.sctx, inst, 'deny', origin);
    });
    after(() => server?.close());

    it('a deny policy on the client network refuses the sign-in after a correct password', async () => {
      const browser = new Browser();
      browser.localAddress = '127.0.0.2';
      const page = await passwordAnswer(config, browser, 'carol');
      assert.equal(page.status, 403, page.text);
      assert.match(page.text, /role="alert"/);
      assert.ok(!page.url.startsWith(REDIRECT), 'never reaches the client');
      const d = audited.filter((e) => e.action === 'access.decision').at(-1)!;
      assert.equal(d.result, 'denied');
      assert.equal(d.details?.decision, 'deny');
      assert.equal(d.ip, '127.0.0.2');
      // the refused browser is not remembered as a device of the user
      assert.deepEqual(await server.sctx.store.repos.knownDevices.list(inst.id, userId), []);
    });

    it('a policy on another network allows it (the default being deny), and remembers the device', async () => {
      const browser = new Browser();
      browser.localAddress = '127.0.0.1';
      const { tokens } = await codeFlow(server, config, REDIRECT, 'carol', {
        browser,
        scope: 'openid',
      });
      assert.equal(tokens.claims()?.sub, userId);
      const d = audited.filter((e) => e.action === 'access.decision').at(-1)!;
      assert.equal(d.result, 'success');
      assert.equal(d.details?.decision, 'allow');
      const devices = await server.sctx.store.repos.knownDevices.list(inst.id, userId);
      assert.equal(devices.length, 1);
      const cookie = browser.jar.header(new URL(`${server.url}/i/default/auth`)) ?? '';
      assert.match(cookie, new RegExp(`${DEVICE_COOKIE}=`));
      assert.match(cookie, new RegExp(`${DEVICE_COOKIE}\\.sig=`), 'the device cookie is signed');
      assert.ok(!cookie.includes(devices[0]!.deviceHash), 'only a hash is stored');
      assert.equal(
        browser.jar.header(new URL(`${server.url}/i/other/auth`)) ?? '',
        '',
        'scoped to /i/default',
      );

      // ---- new vs known device on the kiosk network
      const fresh = new Browser();
      fresh.localAddress = '127.0.0.4';
      const refused = await passwordAnswer(config, fresh, 'carol');
      assert.equal(refused.status, 403, 'a new device is refused on the kiosk network');
      browser.localAddress = '127.0.0.4';
      const { tokens: again } = await codeFlow(server, config, REDIRECT, 'carol', {
        browser,
        scope: 'openid',
      });
      assert.equal(again.claims()?.sub, userId, 'the known device signs in there');
      // a forged device cookie (unsigned) is not a known device
      const forger = new Browser();
      forger.localAddress = '127.0.0.4';
      const raw = /idaas_device=([^;]+)/.exec(cookie)![1]!;
      forger.jar.store(new URL(`${server.url}/i/default/`), [
        `${DEVICE_COOKIE}=${raw}; Path=/i/default`,
      ]);
      assert.equal((await passwordAnswer(config, forger, 'carol')).status, 403);
    });

    it('a network no policy names gets the default (deny)', async () => {
      const browser = new Browser();
      browser.localAddress = '127.0.0.3';
      const page = await passwordAnswer(config, browser, 'carol');
      assert.equal(page.status, 403);
      const d = audited.filter((e) => e.action === 'access.decision').at(-1)!;
      assert.equal(d.details?.policy, null);
    });
  });
}
