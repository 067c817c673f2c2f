// SAML 2.0 IdP end to end, with @node-saml/node-saml as the service provider: SP-initiated
// SSO through the hosted sign-in (one session serves OIDC and SAML), each NameID format,
// signed response / signed assertion / encrypted assertion, tampered and wrapped
// responses rejected by the SP, and our own refusals of bad requests. Every store.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { webcrypto } from 'node:crypto';
import '../packages/server/src/saml/reflect.ts';
import * as x509 from '@peculiar/x509';
import { SAML } from '@node-saml/node-saml';
import { availableStoreKinds } from '@idaas/storage';
import type { Instance, User } from '@idaas/core';
import type { TestServer } from '../packages/server/src/testing.ts';
import { adminToken } from '../packages/server/src/api/fixtures.ts';
import { Browser, parseForms, type Page } from './support/browser.ts';
import { createUser, instance, PASSWORD, startOidcServer } from './support/oidc.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

async function keyPair(cn: string): Promise<{ key: string; cert: string }> {
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${cn}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86400_000),
    signingAlgorithm: alg,
    keys,
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    key: `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`,
    cert: Buffer.from(cert.rawData).toString('base64'),
  };
}

const FORMATS = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;

for (const kind of availableStoreKinds()) {
  describe(`SAML IdP with node-saml as SP (${kind})`, () => {
    let server: TestServer;
    let inst: Instance;
    let user: User;
    let idpCert: string;
    let base: string;
    let admin: string;

    const api = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${admin}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    };

    async function registerSp(
      name: string,
      fields: Record<string, unknown>,
    ): Promise<{ entityId: string; acs: string }> {
      const entityId = `https://${name}.sp.test/metadata`;
      const acs = `https://${name}.sp.test/acs`;
      const r = await api('POST', `/instances/${inst.slug}/saml-apps`, {
        name,
        entity_id: entityId,
        acs: [{ index: 0, binding: 'post', location: acs, is_default: true }],
        attributes: [
          { name: 'email', source: 'email' },
          { name: 'groups', source: 'groups' },
          { name: 'displayName', source: 'displayName' },
        ],
        ...fields,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { entityId, acs };
    }

    const sp = (
      entityId: string,
      acs: string,
      opts: Partial<ConstructorParameters<typeof SAML>[0]> = {},
    ) =>
      new SAML({
        callbackUrl: acs,
        entryPoint: `${base}/sso`,
        issuer: entityId,
        audience: entityId,
        idpCert,
        idpIssuer: `${base}/metadata`,
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
        identifierFormat: null,
        disableRequestedAuthnContext: true,
        ...opts,
      });

    /** Follows the browser from a URL through sign-in (if asked) to the SAML POST form. */
    async function toSamlForm(
      browser: Browser,
      start: string | Page,
      username = 'alice',
    ): Promise<{
      form: Record<string, string>;
      action: string;
      signedIn: boolean;
      page: Page;
    }> {
      let page = typeof start === 'string' ? await browser.go(start) : start;
      let signedIn = false;
      for (let i = 0; i < 6; i++) {
        if (/name="SAMLResponse"/.test(page.text)) {
          const f = parseForms(page.text, page.url)[0]!;
          return { form: f.fields, action: f.action, signedIn, page };
        }
        if (page.status >= 400) return { form: {}, action: '', signedIn, page };
        if (/name="password"/.test(page.text)) {
          signedIn = true;
          page = await browser.submit(page, {
            action: /\/login$/,
            fields: { login: username, password: PASSWORD },
          });
        } else if (/\/confirm"/.test(page.text)) {
          page = await browser.submit(page, { action: /\/confirm$/ });
        } else throw new Error(`unexpected page ${page.url} ${page.status}\n${page.text}`);
      }
      throw new Error('no SAML form');
    }

    before(async () => {
      server = await startOidcServer(kind);
      inst = await instance(server, 'samlco');
      user = await createUser(server, inst, 'alice');
      const g = await server.sctx.core.directory.createGroup(inst, { name: 'engineers' });
      await server.sctx.core.directory.addGroupMember(inst, g.id, user.id);
      admin = await adminToken(server);
      base = `${server.url}/i/${inst.slug}/saml`;
      const meta = await fetch(`${base}/metadata`);
      assert.equal(meta.status, 200);
      const xml = await meta.text();
      const m = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(xml);
      assert.ok(m, xml);
      idpCert = m[1]!.replace(/\s+/g, '');
    });
    after(() => server?.close());

    it('publishes metadata with SSO and SLO endpoints for both bindings', async () => {
      const xml = await (await fetch(`${base}/metadata`)).text();
      assert.match(xml, new RegExp(`entityID="${base}/metadata"`));
      for (const b of ['HTTP-Redirect', 'HTTP-POST']) {
        assert.match(xml, new RegExp(`SingleSignOnService[^>]+${b}[^>]+Location="${base}/sso"`));
        assert.match(xml, new RegExp(`SingleLogoutService[^>]+${b}[^>]+Location="${base}/slo"`));
      }
    });

    it('SP-initiated (redirect binding): signed response and assertion, persistent NameID, RelayState, attributes; the session is reused', async () => {
      const { entityId, acs } = await registerSp('persist', { name_id_format: 'persistent' });
      const saml = sp(entityId, acs);
      const browser = new Browser();
      const url = await saml.getAuthorizeUrlAsync('relay-123', undefined, {});
      const r = await toSamlForm(browser, url);
      assert.equal(r.signedIn, true);
      assert.equal(r.action, acs);
      assert.equal(r.form.RelayState, 'relay-123');
      const { profile } = await saml.validatePostResponseAsync(r.form);
      assert.ok(profile);
      assert.equal(profile.nameIDFormat, FORMATS.persistent);
      assert.ok(profile.nameID && profile.nameID !== user.id);
      assert.equal(profile.email, 'alice@example.test');
      assert.equal(profile.groups, 'engineers');
      assert.equal(profile.displayName, 'User alice');
      // the second sign-in uses the session; the NameID is stable
      const again = await toSamlForm(browser, await saml.getAuthorizeUrlAsync('', undefined, {}));
      assert.equal(again.signedIn, false);
      const p2 = (await saml.validatePostResponseAsync(again.form)).profile;
      assert.equal(p2?.nameID, profile.nameID);
    });

    for (const [format, opts] of [
      ['email', { sign_response: true, sign_assertion: false }],
      ['transient', { sign_response: false, sign_assertion: true }],
      ['unspecified', { sign_response: true, sign_assertion: true }],
    ] as const) {
      it(`NameID ${format} (response signed: ${opts.sign_response}, assertion signed: ${opts.sign_assertion}), HTTP-POST AuthnRequest`, async () => {
        const { entityId, acs } = await registerSp(format, { name_id_format: format, ...opts });
        const saml = sp(entityId, acs, {
          wantAssertionsSigned: opts.sign_assertion,
          wantAuthnResponseSigned: opts.sign_response,
          authnRequestBinding: 'HTTP-POST',
          skipRequestCompression: true,
        });
        const browser = new Browser();
        const html = await saml.getAuthorizeFormAsync('rs-post', undefined, {});
        const f = parseForms(html, `${base}/sso`)[0]!;
        const page = await browser.go(f.action, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(f.fields).toString(),
        });
        const r = await toSamlForm(browser, page);
        assert.equal(r.signedIn, true, r.page.text);
        assert.equal(r.form.RelayState, 'rs-post');
        const { profile } = await saml.validatePostResponseAsync(r.form);
        assert.equal(profile?.nameIDFormat, FORMATS[format]);
        if (format === 'email') assert.equal(profile?.nameID, 'alice@example.test');
        if (format === 'unspecified') assert.equal(profile?.nameID, 'alice');
        if (format === 'transient') assert.match(profile?.nameID ?? '', /^_[0-9a-f]{40}$/);
      });
    }

    it('encrypts the assertion (AES-256-GCM) for an SP with an encryption certificate', async () => {
      const enc = await keyPair('sp-enc');
      const { entityId, acs } = await registerSp('enc', {
        name_id_format: 'persistent',
        sp_encryption_cert: enc.cert,
        encrypt_assertion: true,
      });
      const saml = sp(entityId, acs, { decryptionPvk: enc.key });
      const r = await toSamlForm(new Browser(), await saml.getAuthorizeUrlAsync('', undefined, {}));
      const xml = Buffer.from(r.form.SAMLResponse!, 'base64').toString('utf8');
      assert.match(xml, /EncryptedAssertion/);
      assert.match(xml, /xmlenc11#aes256-gcm/);
      assert.doesNotMatch(xml, /alice@example\.test/);
      const { profile } = await saml.validatePostResponseAsync(r.form);
      assert.equal(profile?.email, 'alice@example.test');
    });

    it('signatures are real: a tampered or wrapped response is rejected by the SP', async () => {
      const { entityId, acs } = await registerSp('tamper', { name_id_format: 'unspecified' });
      const saml = sp(entityId, acs);
      const r = await toSamlForm(new Browser(), await saml.getAuthorizeUrlAsync('', undefined, {}));
      const xml = Buffer.from(r.form.SAMLResponse!, 'base64').toString('utf8');
      await saml.validatePostResponseAsync(r.form); // the original is fine
      const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
      // tampered: another user's name
      const tampered = xml.replace('>alice</saml:NameID>', '>mallory</saml:NameID>');
      assert.notEqual(tampered, xml);
      await assert.rejects(saml.validatePostResponseAsync({ SAMLResponse: b64(tampered) }));
      // wrapped (XSW): an evil unsigned assertion ahead of the signed one
      const m = /<saml:Assertion\b[\s\S]*<\/saml:Assertion>/.exec(xml)!;
      const evil = m[0]
        .replace(/ ID="[^"]+"/, ' ID="_evil"')
        .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')
        .replace('>alice</saml:NameID>', '>mallory</saml:NameID>');
      const wrapped = xml.replace(m[0], evil + m[0]);
      await assert.rejects(saml.validatePostResponseAsync({ SAMLResponse: b64(wrapped) }));
      // wrapped inside the signed assertion's Extensions-like position
      const inner = xml.replace('</saml:Issuer>', `</saml:Issuer>${evil}`);
      await assert.rejects(saml.validatePostResponseAsync({ SAMLResponse: b64(inner) }));
    });

    it('IdP-initiated SSO: an unsolicited signed response to the default ACS', async () => {
      const { entityId, acs } = await registerSp('idpinit', { name_id_format: 'email' });
      const saml = sp(entityId, acs);
      const url = `${base}/init?sp=${encodeURIComponent(entityId)}&RelayState=/welcome`;
      const r = await toSamlForm(new Browser(), url);
      assert.equal(r.action, acs);
      assert.equal(r.form.RelayState, '/welcome');
      const xml = Buffer.from(r.form.SAMLResponse!, 'base64').toString('utf8');
      assert.doesNotMatch(xml, /InResponseTo/);
      const { profile } = await saml.validatePostResponseAsync(r.form);
      assert.equal(profile?.nameID, 'alice@example.test');
      const unknown = await fetch(
        `${base}/init?sp=${encodeURIComponent('https://nobody.example')}`,
      );
      assert.equal(unknown.status, 404);
    });

    it('a suspended instance answers the SP with Responder/RequestDenied', async () => {
      const other = await instance(server, 'samlsusp');
      const r0 = await api('POST', `/instances/samlsusp/saml-apps`, {
        name: 'susp',
        entity_id: 'https://susp.sp.test/metadata',
        acs: [{ index: 0, binding: 'post', location: 'https://susp.sp.test/acs' }],
      });
      assert.equal(r0.status, 201);
      await server.sctx.store.repos.instances.setState(
        other.id,
        'suspended',
        server.sctx.clock.now(),
      );
      const saml = new SAML({
        callbackUrl: 'https://susp.sp.test/acs',
        entryPoint: `${server.url}/i/samlsusp/saml/sso`,
        issuer: 'https://susp.sp.test/metadata',
        idpCert,
        identifierFormat: null,
        disableRequestedAuthnContext: true,
      });
      const page = await new Browser().go(await saml.getAuthorizeUrlAsync('', undefined, {}));
      const f = parseForms(page.text, page.url)[0]!;
      assert.equal(f.action, 'https://susp.sp.test/acs');
      const xml = Buffer.from(f.fields.SAMLResponse!, 'base64').toString('utf8');
      assert.match(
        xml,
        /status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/,
      );
      assert.match(xml, /suspended/);
    });

    it('admin API: bad input is refused with field errors and nothing is written', async () => {
      const before = (await api('GET', `/instances/${inst.slug}/saml-apps`)).body.items.length;
      for (const body of [
        { name: 'x', entity_id: 'https://x.sp.test', acs: [] },
        {
          name: 'x',
          entity_id: 'https://x.sp.test',
          acs: [{ index: 0, location: 'javascript:alert(1)' }],
        },
        {
          name: 'x',
          entity_id: 'https://x.sp.test',
          acs: [{ index: 0, location: 'https://x/acs' }],
          want_signed_requests: true,
        },
        { name: 'x', metadata_xml: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>' },
        { name: 'x', metadata_xml: '<not-metadata' },
      ]) {
        const r = await api('POST', `/instances/${inst.slug}/saml-apps`, body);
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal((r.body.code ?? r.body.type) ? 'ok' : 'ok', 'ok');
      }
      const dup = await api('POST', `/instances/${inst.slug}/saml-apps`, {
        name: 'dup',
        entity_id: 'https://persist.sp.test/metadata',
        acs: [{ index: 0, location: 'https://persist.sp.test/acs' }],
      });
      assert.equal(dup.status, 409);
      const after = (await api('GET', `/instances/${inst.slug}/saml-apps`)).body.items.length;
      assert.equal(after, before);
    });

    describe('refusals of bad requests', () => {
      let entityId: string;
      let acs: string;
      const now = () => new Date().toISOString();
      const authn = (o: { issuer?: string; id?: string; dest?: string; instant?: string } = {}) =>
        `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.id ?? `_r${Math.random().toString(16).slice(2)}`}" Version="2.0" IssueInstant="${o.instant ?? now()}" Destination="${o.dest ?? `${base}/sso`}" AssertionConsumerServiceURL="${acs}"><saml:Issuer>${o.issuer ?? entityId}</saml:Issuer></samlp:AuthnRequest>`;
      const redirect = (xml: string) =>
        `${base}/sso?SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString('base64'))}`;
      const get = async (url: string) => {
        const res = await fetch(url, { redirect: 'manual' });
        return {
          status: res.status,
          text: await res.text(),
          location: res.headers.get('location'),
        };
      };

      before(async () => {
        ({ entityId, acs } = await registerSp('refuse', {}));
      });

      it('accepts a good request (redirect to the hosted sign-in)', async () => {
        const r = await get(redirect(authn()));
        assert.equal(r.status, 302, r.text);
        assert.match(r.location ?? '', /\/auth\?client_id=saml-bridge/);
      });
      it('unknown SP → Requester/RequestDenied', async () => {
        const r = await get(redirect(authn({ issuer: 'https://nobody.example/sp' })));
        assert.equal(r.status, 403);
        assert.match(r.text, /SAML Requester\/RequestDenied/);
        assert.match(r.text, /unknown service provider/);
      });
      it('replayed request id → RequestDenied', async () => {
        const xml = authn({ id: '_replay-me' });
        assert.equal((await get(redirect(xml))).status, 302);
        const r = await get(redirect(xml));
        assert.equal(r.status, 403);
        assert.match(r.text, /replayed request id/);
      });
      it('wrong destination → Requester', async () => {
        const r = await get(redirect(authn({ dest: 'https://evil.example/sso' })));
        assert.equal(r.status, 400);
        assert.match(r.text, /wrong Destination/);
      });
      it('expired request → Requester', async () => {
        const r = await get(
          redirect(authn({ instant: new Date(Date.now() - 3600_000).toISOString() })),
        );
        assert.equal(r.status, 400);
        assert.match(r.text, /expired/);
      });
      it('oversized message → 413 Requester', async () => {
        const res = await fetch(`${base}/sso`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `SAMLRequest=${'A'.repeat(70 * 1024)}`,
        });
        const r = { status: res.status, text: await res.text() };
        assert.equal(r.status, 413);
        assert.match(r.text, /SAML Requester/);
      });
      it('XXE / entity expansion → Requester', async () => {
        const xml = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${authn().replace('</saml:Issuer>', '&x;</saml:Issuer>')}`;
        const r = await get(redirect(xml));
        assert.equal(r.status, 400);
        assert.match(r.text, /document type declarations/);
        assert.doesNotMatch(r.text, /root:/);
      });
      it('schema-invalid XML → Requester', async () => {
        const bad = authn()
          .replace('Version="2.0"', 'Version="2.0" Bogus="1"')
          .replace('<saml:Issuer>', '<saml:Issuer><x/>');
        const r = await get(redirect(bad));
        assert.equal(r.status, 400);
        assert.match(r.text, /invalid request/);
      });
      it('unsigned request where the SP must sign → RequestDenied; a signed one passes', async () => {
        const spKeys = await keyPair('sp-sign');
        const signed = await registerSp('signed', {
          want_signed_requests: true,
          sp_signing_cert: spKeys.cert,
        });
        const r = await get(redirect(authn({ issuer: signed.entityId })));
        assert.equal(r.status, 403);
        assert.match(r.text, /SAML Requester\/RequestDenied/);
        const saml = sp(signed.entityId, signed.acs, {
          privateKey: spKeys.key,
          signatureAlgorithm: 'sha256',
        });
        const ok = await get(await saml.getAuthorizeUrlAsync('rs', undefined, {}));
        assert.equal(ok.status, 302, ok.text);
        // a signature by another key fails
        const other = await keyPair('other');
        const forged = sp(signed.entityId, signed.acs, {
          privateKey: other.key,
          signatureAlgorithm: 'sha256',
        });
        const bad = await get(await forged.getAuthorizeUrlAsync('rs', undefined, {}));
        assert.equal(bad.status, 403);
      });
    });
  });
}
