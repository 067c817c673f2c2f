// Interoperability: Apache httpd + mod_auth_mellon (an independent SAML 2.0 SP, built
// on Lasso) protects a page on 127.0.0.1 and signs a user in through our IdP
// (SP-initiated, signed HTTP-Redirect AuthnRequest, signed HTTP-POST Response), then
// logs out (SP-initiated single logout). Apache runs standalone from a temp dir (see
// ../shared/notes/interop-apache.md); its SP metadata is imported through our admin API
// and our IdP metadata is saved to a file for Mellon.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type TestServer } from '../packages/server/src/testing.ts';
import { adminToken } from '../packages/server/src/api/fixtures.ts';
import {
  apacheDir,
  ensureApache,
  MODULES,
  startApache,
  type RunningApache,
} from './support/apache.ts';
import { Browser, parseForms, type Page } from './support/browser.ts';
import { createUser, instance, PASSWORD, startOidcServer } from './support/oidc.ts';

const CREATE_METADATA = '/usr/sbin/mellon_create_metadata';

describe('Apache httpd + mod_auth_mellon against our SAML IdP', () => {
  let server: TestServer;
  let apache: RunningApache;
  let base: string;
  const errorLog = () => apache?.errorLog() ?? '';
  const browser = new Browser();

  before(async () => {
    ensureApache('libapache2-mod-auth-mellon', [
      join(MODULES, 'mod_auth_mellon.so'),
      CREATE_METADATA,
    ]);
    server = await startOidcServer('sqlite');
    const inst = await instance(server, 'default');
    await createUser(server, inst, 'erin');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const entityId = `${base}/mellon/metadata`;

    const dir = apacheDir('idaas-mellon-');
    const sp = join(dir, 'sp');
    mkdirSync(sp);
    const made = spawnSync(CREATE_METADATA, [entityId, `${base}/mellon`], {
      cwd: sp,
      encoding: 'utf8',
    });
    assert.equal(made.status, 0, made.stderr);
    const file = (ext: string) => {
      const f = readdirSync(sp).find((n) => n.endsWith(ext));
      assert.ok(f, `mellon_create_metadata wrote no ${ext}`);
      return join(sp, f);
    };
    const spXml = file('.xml');
    const spKey = file('.key');
    const spCert = file('.cert');
    for (const f of [spXml, spKey, spCert]) chmodSync(f, 0o644);
    // import the SP through the admin API; save our IdP metadata for Mellon
    const admin = await adminToken(server);
    const res = await fetch(`${server.url}/api/v1/instances/default/saml-apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Apache mellon',
        metadata_xml: readFileSync(spXml, 'utf8'),
        // Mellon asks for a transient NameID (its NameIDPolicy); the username comes as an
        // attribute (another format would be refused with InvalidNameIDPolicy)
        name_id_format: 'transient',
        attributes: [
          { name: 'email', source: 'email' },
          { name: 'uid', source: 'username' },
        ],
      }),
    });
    const created = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 201, JSON.stringify(created));
    assert.equal(created.entity_id, entityId);
    assert.equal(created.want_signed_requests, true, 'mellon signs its AuthnRequests');
    const idpMeta = await fetch(`${server.url}/i/default/saml/metadata`);
    assert.equal(idpMeta.status, 200);
    writeFileSync(join(dir, 'idp.xml'), await idpMeta.text());

    mkdirSync(join(dir, 'htdocs', 'saml'), { recursive: true });
    writeFileSync(join(dir, 'htdocs', 'index.html'), 'public\n');
    writeFileSync(
      join(dir, 'htdocs', 'saml', 'index.shtml'),
      'REMOTE_USER=<!--#echo var="REMOTE_USER" -->\nMELLON_NAME_ID=<!--#echo var="MELLON_NAME_ID" -->\nMELLON_email=<!--#echo var="MELLON_email" -->\n',
    );
    apache = await startApache({
      dir,
      port,
      module: 'auth_mellon',
      logLevel: 'warn auth_mellon:debug',
      extra: [
        '<Location />',
        '  MellonEnable "info"',
        `  MellonSPentityId "${entityId}"`,
        '  MellonEndpointPath /mellon',
        `  MellonSPPrivateKeyFile ${spKey}`,
        `  MellonSPCertFile ${spCert}`,
        `  MellonSPMetadataFile ${spXml}`,
        `  MellonIdPMetadataFile ${dir}/idp.xml`,
        '  MellonSecureCookie Off',
        '  MellonUser "uid"',
        '  MellonSignatureMethod rsa-sha256',
        '</Location>',
        '<Location /saml>',
        '  AuthType Mellon',
        '  MellonEnable "auth"',
        '  Require valid-user',
        '</Location>',
      ],
    });
  });

  after(async () => {
    await apache?.stop();
    await server?.close();
  });

  /** Submits an auto-posting SAML form as a browser would. */
  const postSaml = (page: Page) => browser.submit(page);

  it('signs erin in (SP-initiated) and exposes MELLON_NAME_ID / REMOTE_USER', async () => {
    const idp = `${server.url}/i/default/saml/`;
    const first = await browser.go(`${base}/saml/`, {}, (l) => l.startsWith(idp));
    assert.ok(first.url.startsWith(idp), `expected a redirect to the IdP:\n${errorLog()}`);
    const sso = first.url;
    assert.ok(sso.startsWith(`${server.url}/i/default/saml/sso?`), sso);
    assert.ok(new URL(sso).searchParams.get('Signature'), 'mellon signed the AuthnRequest');
    let page = await browser.go(sso);
    for (let i = 0; i < 5 && !/name="SAMLResponse"/.test(page.text); i++) {
      assert.ok(page.status < 400, `${page.url} ${page.status}\n${page.text}`);
      if (/name="password"/.test(page.text))
        page = await browser.submit(page, {
          action: /\/login$/,
          fields: { login: 'erin', password: PASSWORD },
        });
      else if (/\/confirm"/.test(page.text))
        page = await browser.submit(page, { action: /\/confirm$/ });
      else throw new Error(`unexpected page ${page.url}\n${page.text}`);
    }
    const form = parseForms(page.text, page.url)[0]!;
    assert.equal(form.action, `${base}/mellon/postResponse`);
    const done = await postSaml(page);
    assert.equal(done.status, 200, `${done.url}\n${done.text}\n${errorLog()}`);
    assert.match(done.text, /REMOTE_USER=erin/);
    assert.match(done.text, /MELLON_NAME_ID=_[0-9a-f]{40}/); // transient
    assert.match(done.text, /MELLON_email=erin@example\.test/);
  });

  it('logs out (SP-initiated single logout through our IdP)', async () => {
    const idp = `${server.url}/i/default/saml/`;
    const out = await browser.go(
      `${base}/mellon/logout?ReturnTo=${encodeURIComponent(`${base}/`)}`,
      {},
      (l) => l.startsWith(idp),
    );
    const slo = out.url;
    assert.ok(slo.startsWith(`${server.url}/i/default/saml/slo?`), slo);
    let page = await browser.request(slo);
    if (/name="SAMLResponse"/.test(page.text)) page = await postSaml(page);
    else if (page.status >= 300 && page.status < 400)
      page = await browser.go(page.headers.get('location')!);
    assert.equal(page.status, 200, `${page.url} ${page.text}\n${errorLog()}`);
    assert.equal(page.text.trim(), 'public');
    // the protected page asks the IdP again, which now wants a password
    const signIn = await browser.go(`${base}/saml/`);
    assert.match(signIn.text, /name="password"/);
  });

  it('IdP-initiated single logout reaches Mellon and ends both sessions', async () => {
    const idp = `${server.url}/i/default/saml/`;
    // sign in again
    let page = await browser.go(`${base}/saml/`);
    for (let i = 0; i < 5 && !/name="SAMLResponse"/.test(page.text); i++) {
      if (/name="password"/.test(page.text))
        page = await browser.submit(page, {
          action: /\/login$/,
          fields: { login: 'erin', password: PASSWORD },
        });
      else if (/\/confirm"/.test(page.text))
        page = await browser.submit(page, { action: /\/confirm$/ });
      else throw new Error(`unexpected page ${page.url}\n${page.text}`);
    }
    const signedIn = await postSaml(page);
    assert.match(signedIn.text, /REMOTE_USER=erin/);
    // the IdP starts the logout: LogoutRequest to Mellon, LogoutResponse back to us
    const toSp = await browser.go(`${idp}logout`, {}, (l) => l.startsWith(`${base}/mellon/logout`));
    assert.ok(
      toSp.url.startsWith(`${base}/mellon/logout?SAMLRequest=`),
      `${toSp.url}\n${toSp.text}`,
    );
    assert.ok(new URL(toSp.url).searchParams.get('Signature'), 'our LogoutRequest is signed');
    const done = await browser.go(toSp.url);
    assert.equal(done.status, 200, `${done.url}\n${done.text}\n${errorLog()}`);
    assert.ok(done.url.startsWith(`${idp}slo`), done.url);
    assert.equal(done.text.trim(), 'signed out');
    // Mellon's session is gone: the protected page goes back to our sign-in form
    const again = await browser.go(`${base}/saml/`);
    assert.match(again.text, /name="password"/, errorLog());
  });
});
