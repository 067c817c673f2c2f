// Interoperability: Apache httpd + mod_auth_openidc (an independent relying party)
// protects a page on 127.0.0.1 and signs a user in against our OP. Apache runs
// standalone from a temp dir (see ../shared/notes/interop-apache.md), in the foreground
// as a child process of this test; the flow is driven with fetch and a cookie jar.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type TestServer } from '../packages/server/src/testing.ts';
import { Browser } from './support/browser.ts';
import {
  createApp,
  createUser,
  instance,
  issuer,
  signIn,
  startOidcServer,
} from './support/oidc.ts';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

function ensureApache(): void {
  if (existsSync(APACHE) && existsSync(join(MODULES, 'mod_auth_openidc.so'))) return;
  const r = spawnSync(
    'apt-get',
    ['install', '-y', '--no-install-recommends', 'apache2', 'libapache2-mod-auth-openidc'],
    { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
  );
  if (r.status !== 0 || !existsSync(APACHE))
    throw new Error(
      'apache2 + libapache2-mod-auth-openidc are required and could not be installed',
    );
}

describe('Apache httpd + mod_auth_openidc against our OP', () => {
  let server: TestServer;
  let dir: string;
  let apache: ChildProcess | null = null;
  let base: string;
  let stderr = '';
  const errorLog = () => {
    try {
      return `${stderr}\n${readFileSync(join(dir, 'error.log'), 'utf8')}`;
    } catch {
      return stderr;
    }
  };

  before(async () => {
    ensureApache();
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

    dir = mkdtempSync(join(tmpdir(), 'idaas-apache-'));
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, 'htdocs', 'protected'), { recursive: true });
    writeFileSync(join(dir, 'htdocs', 'index.html'), 'public\n');
    writeFileSync(
      join(dir, 'htdocs', 'protected', 'index.shtml'),
      'REMOTE_USER=<!--#echo var="REMOTE_USER" -->\n',
    );
    const load = (m: string) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`;
    writeFileSync(
      join(dir, 'httpd.conf'),
      [
        'ServerRoot "/etc/apache2"',
        `ServerName 127.0.0.1`,
        `Listen 127.0.0.1:${port}`,
        load('mpm_event'),
        load('authn_core'),
        load('authz_core'),
        load('authz_user'),
        load('mime'),
        load('dir'),
        load('headers'),
        load('include'),
        load('auth_openidc'),
        'User www-data',
        'Group www-data',
        `PidFile ${dir}/httpd.pid`,
        `DefaultRuntimeDir ${dir}`,
        `Mutex file:${dir} default`,
        `ErrorLog ${dir}/error.log`,
        'LogLevel warn auth_openidc:info',
        'TypesConfig /etc/mime.types',
        `DocumentRoot ${dir}/htdocs`,
        `<Directory ${dir}/htdocs>`,
        '  Options +Includes',
        '  AddType text/html .shtml',
        '  AddOutputFilter INCLUDES .shtml',
        '  DirectoryIndex index.shtml index.html',
        '  Require all granted',
        '</Directory>',
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
        '',
      ].join('\n'),
    );
    const check = spawnSync(APACHE, ['-t', '-f', join(dir, 'httpd.conf')], { encoding: 'utf8' });
    assert.equal(check.status, 0, `apache config check failed:\n${check.stderr}`);
    apache = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-D', 'FOREGROUND'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    apache.stderr!.on('data', (d) => (stderr += d));
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/`)).ok) return;
      } catch {
        /* not up yet */
      }
      await sleep(50);
    }
    throw new Error(`apache did not start:\n${stderr}`);
  });

  after(async () => {
    if (apache && apache.exitCode === null) {
      const exited = new Promise((r) => apache!.once('exit', r));
      apache.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
