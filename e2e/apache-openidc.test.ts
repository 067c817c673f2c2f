// Interoperability: Apache httpd + mod_auth_openidc (an independent relying party)
// protects a page on 127.0.0.1 and signs a user in against our OP. Apache runs
// standalone from a temp dir (see ../shared/notes/interop-apache.md), in the foreground
// as a child process of this test; the flow is driven with fetch and a cookie jar.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, type TestServer } from '../packages/server/src/testing.ts';
import {
  apacheDir,
  ensureApache,
  MODULES,
  startApache,
  type RunningApache,
} from './support/apache.ts';
import { Browser } from './support/browser.ts';
import {
  createApp,
  createUser,
  instance,
  issuer,
  signIn,
  startOidcServer,
} from './support/oidc.ts';

describe('Apache httpd + mod_auth_openidc against our OP', () => {
  let server: TestServer;
  let apache: RunningApache;
  let base: string;
  const errorLog = () => apache?.errorLog() ?? '';

  before(async () => {
    ensureApache('libapache2-mod-auth-openidc', [join(MODULES, 'mod_auth_openidc.so')]);
    server = await startOidcServer('sqlite');
    const inst = await instance(server, 'default');
    await createUser(server, inst, 'erin');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const redirectUri = `${base}/protected/redirect_uri`;
    const { application, clientSecret } = await createApp(server, inst, {
      grantTypes: ['authorization_code'],
      redirectUris: [redirectUri],
      scopes: ['openid', 'profile', 'email'],
    });

    const dir = apacheDir('idaas-apache-');
    mkdirSync(join(dir, 'htdocs', 'protected'), { recursive: true });
    writeFileSync(join(dir, 'htdocs', 'index.html'), 'public\n');
    writeFileSync(
      join(dir, 'htdocs', 'protected', 'index.shtml'),
      'REMOTE_USER=<!--#echo var="REMOTE_USER" -->\n',
    );
    apache = await startApache({
      dir,
      port,
      module: 'auth_openidc',
      logLevel: 'warn auth_openidc:info',
      extra: [
        `OIDCProviderMetadataURL ${issuer(server, 'default')}/.well-known/openid-configuration`,
        `OIDCClientID ${application.clientId}`,
        `OIDCClientSecret ${clientSecret}`,
        `OIDCRedirectURI ${redirectUri}`,
        `OIDCCryptoPassphrase ${randomBytes(24).toString('hex')}`,
        'OIDCScope "openid profile email"',
        'OIDCResponseType code',
        'OIDCPKCEMethod S256',
        'OIDCRemoteUserClaim preferred_username',
        'OIDCSSLValidateServer Off',
        'OIDCSessionType server-cache',
        'OIDCCacheType shm',
        '<Location /protected>',
        '  AuthType openid-connect',
        '  Require valid-user',
        '</Location>',
      ],
    });
  });

  after(async () => {
    await apache?.stop();
    await server?.close();
  });

  it('signs erin in and exposes REMOTE_USER to the protected page', async () => {
    const browser = new Browser();
    const first = await browser.request(`${base}/protected/`);
    assert.equal(first.status, 302, `expected a redirect to the OP:\n${errorLog()}`);
    const authUrl = first.headers.get('location')!;
    assert.ok(authUrl.startsWith(`${issuer(server, 'default')}/auth?`), authUrl);
    const params = new URL(authUrl).searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    const { callback } = await signIn(browser, authUrl, `${base}/protected/redirect_uri`, {
      username: 'erin',
    });
    const page = await browser.go(callback);
    assert.equal(page.status, 200, `${page.text}\n${errorLog()}`);
    assert.equal(page.text.trim(), 'REMOTE_USER=erin');
    // the Apache session now serves the page directly
    const again = await browser.request(`${base}/protected/`);
    assert.equal(again.text.trim(), 'REMOTE_USER=erin');
  });
});
