// The end-user portal in a real browser (Chromium via playwright-core) against a real server:
// an instance administrator (the operator) creates a user and a confidential OIDC application
// in the console; that user signs in to the portal at /i/<slug>/portal, enrols TOTP (the code
// computed with otpauth from the secret shown) and launches the application from the launcher:
// a tiny local HTTP server at the redirect URI receives the authorization code, which the test
// exchanges with the client secret the console showed. Screenshots of the portal's screens in
// both languages go to test-artifacts/console/; axe-core checks every screen.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startApi, type ApiHarness } from '../../packages/server/src/api/fixtures.ts';
import { TEST_ADMIN_PASSWORD } from '../../packages/server/src/testing.ts';
import { chromiumMissing, launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { instance } from '../support/oidc.ts';
import { totpAt } from '../mfa-support.ts';
import { assertAccessible, ensureConsoleBuilt, screenshot } from './support.ts';
import { SignInPage } from './pages/signin.ts';
import { AdminPages } from './pages/admin.ts';
import { PortalPages } from './pages/portal.ts';

const USER_PASSWORD = 'amber lighthouse meadow 73';

describe('portal in Chromium (SQLite)', { skip: chromiumMissing }, () => {
  let h: ApiHarness;
  let chrome: LaunchedChromium;
  let rp: Server;
  let rpUrl = '';
  const received: URL[] = [];
  before(async () => {
    ensureConsoleBuilt();
    h = await startApi('sqlite');
    chrome = await launchChromium();
    rp = createServer((req, res) => {
      received.push(new URL(req.url ?? '/', rpUrl));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><title>Wiki</title><h1>Wiki signed in</h1></html>');
    });
    await new Promise<void>((r) => rp.listen(0, '127.0.0.1', r));
    rpUrl = `http://127.0.0.1:${(rp.address() as AddressInfo).port}`;
  });
  after(async () => {
    await chrome?.close();
    await h?.close();
    await new Promise((r) => rp?.close(r));
  });

  test('admin creates a user and an OIDC app; the user signs in to the portal, enrols TOTP and launches the app', async () => {
    await instance(h.server, 'acme');
    const ctx = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await new SignInPage(page).open(h.server.url);
    await new SignInPage(page).signIn('operator', 'admin', TEST_ADMIN_PASSWORD);
    const admin = new AdminPages(page);
    await admin.openInstance('acme');
    await admin.createUser({
      username: 'carol',
      email: 'carol@example.test',
      password: USER_PASSWORD,
    });
    await admin.userRow('carol').waitFor();
    const users = (await h.api('GET', '/instances/acme/users?q=carol')).json.items as {
      username: string;
    }[];
    assert.deepEqual(
      users.map((u) => u.username),
      ['carol'],
    );

    await admin.tab(/^applications$/i);
    const redirect = `${rpUrl}/callback`;
    const values = await admin.createOidcApp({ name: 'Wiki', redirectUri: redirect });
    assert.equal(values.issuer, `${h.server.url}/i/acme`);
    assert.equal(values.discovery, `${h.server.url}/i/acme/.well-known/openid-configuration`);
    assert.ok(values.clientId && values.secret, JSON.stringify(values));
    const apps = (await h.api('GET', '/instances/acme/applications')).json.items as {
      client_id: string;
      redirect_uris: string[];
      client_type: string;
    }[];
    const wiki = apps.find((a) => a.client_id === values.clientId);
    assert.deepEqual(wiki?.redirect_uris, [redirect]);
    assert.equal(wiki?.client_type, 'confidential');
    await screenshot(page, 'admin-oidc-created.en');
    await assertAccessible(page, 'admin-oidc-created');
    await ctx.close();

    // the user, in a browser of their own
    const uctx = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const up = await uctx.newPage();
    up.on('pageerror', (e) => errors.push(e.message));
    const portal = new PortalPages(up, h.server.url, 'acme');
    await portal.signIn('carol', USER_PASSWORD);
    await assertAccessible(up, 'portal-apps');

    await portal.go(/sign-in methods/i);
    const secret = await portal.startTotp();
    assert.match(secret, /^[A-Z2-7]+=*$/);
    await screenshot(up, 'portal-totp-enrol.en');
    await assertAccessible(up, 'portal-totp-enrol');
    // the server's clock is the real one in this harness
    await portal.confirmTotp(totpAt(secret, Date.now()), 'Phone');
    await up.getByTestId('recovery-codes').waitFor();
    const carol = (
      (await h.api('GET', '/instances/acme/users?q=carol')).json.items as {
        id: string;
      }[]
    )[0]!;
    const factors = (await h.api('GET', `/instances/acme/users/${carol.id}/mfa`)).json.items as {
      kind: string;
      name: string;
    }[];
    assert.deepEqual(
      factors.map((f) => [f.kind, f.name]),
      [['totp', 'Phone']],
    );

    await portal.go(/my applications/i);
    await portal.launch('Wiki', (u) => u.startsWith(`${rpUrl}/callback`));
    const hit = received.find((u) => u.pathname === '/callback');
    assert.ok(hit, 'the application received the redirect');
    const code = hit.searchParams.get('code');
    assert.ok(code, `no code in ${hit.href}`);
    // the code is real: the application exchanges it with the secret the console showed
    const tok = await fetch(`${h.server.url}/i/acme/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(values.clientId)}:${encodeURIComponent(values.secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect }),
    });
    const tokBody = (await tok.json()) as { id_token?: string };
    assert.equal(tok.status, 200, JSON.stringify(tokBody));
    assert.ok(tokBody.id_token);

    // every portal screen in both languages
    await up.goto(`${h.server.url}/i/acme/portal/me`);
    await up.locator('h1').first().waitFor();
    for (const lang of ['en', 'zh-CN'] as const) {
      await up.locator('.topbar select').selectOption(lang);
      await up.waitForFunction((l) => document.documentElement.lang === l, lang);
      for (const [nav, name] of [
        [/my applications|我的应用/i, 'portal-apps'],
        [/profile and password|个人资料与密码/i, 'portal-profile'],
        [/sign-in methods|登录方式/i, 'portal-security'],
        [/sessions|会话/i, 'portal-sessions'],
      ] as const) {
        await portal.go(nav);
        await screenshot(up, `${name}.${lang}`);
        if (lang === 'en') await assertAccessible(up, name);
      }
    }
    assert.deepEqual(errors, []);
    await uctx.close();
  });
});
