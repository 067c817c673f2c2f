// SAML joined to the security features, end to end with @node-saml/node-saml as the SPs,
// on every store:
//   - conditional access sees the SAML SP (a deny policy on one SP refuses it, another SP
//     signs in; with an existing session too);
//   - AuthnContextClassRef reflects the sign-in (password → PasswordProtectedTransport, TOTP
//     → REFEDS MFA), a RequestedAuthnContext asking for MFA steps up through the hosted
//     second step, one we cannot meet gets NoAuthnContext;
//   - ForceAuthn asks for the password again, IsPassive never shows a page (NoPassive),
//     NameIDPolicy (format, AllowCreate="false");
//   - SP-initiated logout propagates to the other SP of the session, then answers the
//     initiator;
//   - SP metadata imported from a URL (limits: size, scheme, cross-host redirects);
//   - the audit trail names the SP and status of each issued / refused response.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import '../packages/server/src/saml/reflect.ts';
import * as x509 from '@peculiar/x509';
import { SAML } from '@node-saml/node-saml';
import { availableStoreKinds } from '@idaas/storage';
import type { AuditInput, Instance } from '@idaas/core';
import type { TestServer } from '../packages/server/src/testing.ts';
import { adminToken } from '../packages/server/src/api/fixtures.ts';
import { beginTotp, confirmTotp } from '../packages/server/src/mfa/service.ts';
import { Browser, parseForms, type Page } from './support/browser.ts';
import { createUser, instance, PASSWORD, startOidcServer } from './support/oidc.ts';
import { totpAt } from './mfa-support.ts';

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

const STATUS = 'urn:oasis:names:tc:SAML:2.0:status:';
const PPT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const REFEDS_MFA = 'https://refeds.org/profile/mfa';
const FORMATS = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
};

/** The status codes (top-level first) and class ref of a SAMLResponse form field. */
function inspect(samlResponse: string): { codes: string[]; classRef: string | null } {
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  const codes = [...xml.matchAll(/<(?:\w+:)?StatusCode Value="([^"]+)"/g)].map((m) =>
    m[1]!.replace(STATUS, ''),
  );
  const c = /<(?:\w+:)?AuthnContextClassRef>([^<]+)</.exec(xml);
  return { codes, classRef: c ? c[1]! : null };
}

for (const kind of availableStoreKinds()) {
  describe(`SAML and the security features (${kind})`, () => {
    let server: TestServer;
    let inst: Instance;
    let idpCert: string;
    let base: string;
    let admin: string;
    let totpSecret = '';
    let totpUsed = 0;
    const audited: AuditInput[] = [];

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

    interface Sp {
      entityId: string;
      acs: string;
      slo: string;
      key: string;
      cert: string;
    }
    async function registerSp(name: string, fields: Record<string, unknown> = {}): Promise<Sp> {
      const entityId = `https://${name}.sp.test/metadata`;
      const acs = `https://${name}.sp.test/acs`;
      const slo = `https://${name}.sp.test/slo`;
      const { key, cert } = await keyPair(name);
      const r = await api('POST', `/instances/${inst.slug}/saml-apps`, {
        name,
        entity_id: entityId,
        acs: [{ index: 0, binding: 'post', location: acs, is_default: true }],
        slo_url: slo,
        slo_binding: 'redirect',
        sp_signing_cert: cert,
        name_id_format: 'persistent',
        ...fields,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { entityId, acs, slo, key, cert };
    }

    const samlOf = (sp: Sp, opts: Partial<ConstructorParameters<typeof SAML>[0]> = {}) =>
      new SAML({
        callbackUrl: sp.acs,
        entryPoint: `${base}/sso`,
        logoutUrl: `${base}/slo`,
        logoutCallbackUrl: sp.slo,
        issuer: sp.entityId,
        audience: sp.entityId,
        idpCert,
        idpIssuer: `${base}/metadata`,
        privateKey: sp.key,
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
        identifierFormat: null,
        disableRequestedAuthnContext: true,
        ...opts,
      });

    /**
     * Follows the browser through the hosted pages up to the SAML POST form: the password
     * (counted), a TOTP second step when shown; stops at an error page.
     */
    async function toSamlForm(
      browser: Browser,
      start: string | Page,
      username: string,
    ): Promise<{ form: Record<string, string>; passwords: number; mfa: number; page: Page }> {
      let page = typeof start === 'string' ? await browser.go(start) : start;
      let passwords = 0;
      let mfa = 0;
      for (let i = 0; i < 8; i++) {
        if (/name="SAMLResponse"/.test(page.text)) {
          const f = parseForms(page.text, page.url)[0]!;
          return { form: f.fields, passwords, mfa, page };
        }
        if (page.status >= 400) return { form: {}, passwords, mfa, page };
        if (/name="password"/.test(page.text)) {
          passwords++;
          page = await browser.submit(page, {
            action: /\/login$/,
            fields: { login: username, password: PASSWORD },
          });
        } else if (/\/mfa\/totp"/.test(page.text)) {
          mfa++;
          totpUsed += 30_000; // a new time step each time (a code is good once)
          page = await browser.submit(page, {
            action: /\/mfa\/totp$/,
            fields: { code: totpAt(totpSecret, totpUsed) },
          });
        } else throw new Error(`unexpected page ${page.url} ${page.status}\n${page.text}`);
      }
      throw new Error('no SAML form');
    }

    before(async () => {
      server = await startOidcServer(kind);
      const sink = server.sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        audited.push(e);
        await record(e);
      };
      inst = await instance(server, 'samlsec');
      await createUser(server, inst, 'pam');
      await createUser(server, inst, 'newbie');
      const mo = await createUser(server, inst, 'mo');
      // mo has an authenticator app (every sign-in of mo has a second step)
      const enrollment = await beginTotp(server.sctx, inst, mo);
      totpSecret = enrollment.secret;
      totpUsed = Date.now();
      await confirmTotp(
        server.sctx,
        inst,
        mo,
        enrollment.enrollmentId,
        totpAt(totpSecret, totpUsed),
        'Phone',
      );
      admin = await adminToken(server);
      base = `${server.url}/i/${inst.slug}/saml`;
      const xml = await (await fetch(`${base}/metadata`)).text();
      idpCert = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(xml)![1]!.replace(/\s+/g, '');
    });
    after(() => server?.close());

    it('conditional access: a deny policy on one SAML SP refuses it while another SP signs in', async () => {
      const denied = await registerSp('ca-denied');
      const open = await registerSp('ca-open');
      const { createPolicy } = await import('../packages/server/src/security/access-admin.ts');
      await createPolicy(
        server.sctx,
        inst,
        {
          name: 'no ca-denied',
          decision: 'deny',
          enabled: true,
          conditions: {
            applications: [{ kind: 'saml', id: denied.entityId }],
            users: [],
            groups: [],
            networks: [],
            device: 'any',
            exclude: { applications: [], users: [], groups: [], networks: [] },
          },
        },
        { actor: { type: 'system', id: null } },
      );
      // through the hosted sign-in: refused after the password, nothing goes to the SP
      const b1 = new Browser();
      const r1 = await toSamlForm(
        b1,
        await samlOf(denied).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(r1.passwords, 1);
      assert.equal(r1.page.status, 403, r1.page.text);
      assert.deepEqual(r1.form, {});
      const decision = audited.filter((e) => e.action === 'access.decision').at(-1)!;
      assert.equal(decision.result, 'denied');
      // the other SP signs in (fresh browser)
      const b2 = new Browser();
      const r2 = await toSamlForm(
        b2,
        await samlOf(open).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(r2.passwords, 1);
      const { profile } = await samlOf(open).validatePostResponseAsync(r2.form);
      assert.ok(profile?.nameID);
      // with that session, the denied SP gets a RequestDenied Response (no page)
      const r3 = await toSamlForm(
        b2,
        await samlOf(denied).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(r3.passwords, 0);
      assert.deepEqual(inspect(r3.form.SAMLResponse!).codes, ['Responder', 'RequestDenied']);
      const refused = audited.filter((e) => e.action === 'saml.sso.refused').at(-1)!;
      assert.equal(refused.result, 'denied');
      assert.equal(refused.details?.sp, denied.entityId);
      const issued = audited.filter((e) => e.action === 'saml.sso.issued').at(-1)!;
      assert.equal(issued.details?.sp, open.entityId);
      assert.equal(issued.result, 'success');
    });

    it('AuthnContextClassRef: password → PasswordProtectedTransport; MFA → REFEDS MFA; a request for MFA steps up; an unknown class → NoAuthnContext', async () => {
      const sp = await registerSp('acr');
      const browser = new Browser();
      const plain = await toSamlForm(
        browser,
        await samlOf(sp).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(plain.mfa, 0);
      assert.equal(inspect(plain.form.SAMLResponse!).classRef, PPT);
      await samlOf(sp).validatePostResponseAsync(plain.form);
      // the SP asks for MFA: the same session steps up through the second step
      const wantsMfa = samlOf(sp, {
        disableRequestedAuthnContext: false,
        authnContext: [REFEDS_MFA],
        racComparison: 'minimum',
      });
      // mo (who has an authenticator app) signs in: password and TOTP
      const b2 = new Browser();
      const mfa = await toSamlForm(
        b2,
        await samlOf(sp).getAuthorizeUrlAsync('', undefined, {}),
        'mo',
      );
      assert.equal(mfa.mfa, 1);
      assert.equal(inspect(mfa.form.SAMLResponse!).classRef, REFEDS_MFA);
      await samlOf(sp).validatePostResponseAsync(mfa.form);
      // mo's MFA session satisfies the request at once
      const again = await toSamlForm(
        b2,
        await wantsMfa.getAuthorizeUrlAsync('', undefined, {}),
        'mo',
      );
      assert.equal(again.passwords + again.mfa, 0);
      assert.equal(inspect(again.form.SAMLResponse!).classRef, REFEDS_MFA);
      // pam's password session: a step-up is asked (the hosted page sets up an authenticator)
      const step = await browser.go(await wantsMfa.getAuthorizeUrlAsync('', undefined, {}));
      assert.equal(step.status, 200, step.text);
      assert.match(step.text, /id="totp-secret"/, 'inline set-up of a second factor');
      assert.doesNotMatch(step.text, /name="SAMLResponse"/);
      // a class we cannot provide
      const x509only = samlOf(sp, {
        disableRequestedAuthnContext: false,
        authnContext: ['urn:oasis:names:tc:SAML:2.0:ac:classes:X509'],
      });
      const none = await toSamlForm(
        b2,
        await x509only.getAuthorizeUrlAsync('', undefined, {}),
        'mo',
      );
      assert.deepEqual(inspect(none.form.SAMLResponse!).codes, ['Responder', 'NoAuthnContext']);
      const refused = audited.filter((e) => e.action === 'saml.sso.refused').at(-1)!;
      assert.equal(refused.details?.sub_status, `${STATUS}NoAuthnContext`);
    });

    it('ForceAuthn asks for the password again; IsPassive never shows a page (NoPassive without a session)', async () => {
      const sp = await registerSp('force');
      const browser = new Browser();
      const first = await toSamlForm(
        browser,
        await samlOf(sp).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(first.passwords, 1);
      const reuse = await toSamlForm(
        browser,
        await samlOf(sp).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(reuse.passwords, 0);
      const forced = await toSamlForm(
        browser,
        await samlOf(sp, { forceAuthn: true }).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(forced.passwords, 1, 'ForceAuthn: the password again');
      await samlOf(sp).validatePostResponseAsync(forced.form);
      // IsPassive with the session: answered at once
      const passive = samlOf(sp, { passive: true });
      const p1 = await toSamlForm(
        browser,
        await passive.getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(p1.passwords, 0);
      assert.deepEqual(inspect(p1.form.SAMLResponse!).codes, ['Success']);
      // IsPassive without a session: NoPassive, no page
      const p2 = await toSamlForm(
        new Browser(),
        await passive.getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(p2.passwords, 0);
      assert.deepEqual(inspect(p2.form.SAMLResponse!).codes, ['Responder', 'NoPassive']);
    });

    it('NameIDPolicy: another format → InvalidNameIDPolicy, unspecified accepted, AllowCreate="false" needs an identifier issued before', async () => {
      const sp = await registerSp('nameid');
      const browser = new Browser();
      const wrong = await toSamlForm(
        browser,
        await samlOf(sp, { identifierFormat: FORMATS.email }).getAuthorizeUrlAsync(
          '',
          undefined,
          {},
        ),
        'newbie',
      );
      assert.equal(wrong.passwords, 0, 'refused before any sign-in');
      assert.deepEqual(inspect(wrong.form.SAMLResponse!).codes, [
        'Responder',
        'InvalidNameIDPolicy',
      ]);
      const noCreate = samlOf(sp, { identifierFormat: FORMATS.persistent, allowCreate: false });
      const r1 = await toSamlForm(
        browser,
        await noCreate.getAuthorizeUrlAsync('', undefined, {}),
        'newbie',
      );
      assert.equal(r1.passwords, 1);
      assert.deepEqual(inspect(r1.form.SAMLResponse!).codes, ['Responder', 'InvalidNameIDPolicy']);
      const unspecified = await toSamlForm(
        browser,
        await samlOf(sp, { identifierFormat: FORMATS.unspecified }).getAuthorizeUrlAsync(
          '',
          undefined,
          {},
        ),
        'newbie',
      );
      const { profile } = await samlOf(sp).validatePostResponseAsync(unspecified.form);
      assert.equal(profile?.nameIDFormat, FORMATS.persistent);
      // now issued once: AllowCreate="false" is satisfied, same identifier
      const r2 = await toSamlForm(
        browser,
        await noCreate.getAuthorizeUrlAsync('', undefined, {}),
        'newbie',
      );
      const p2 = (await noCreate.validatePostResponseAsync(r2.form)).profile;
      assert.equal(p2?.nameID, profile?.nameID);
    });

    it('SP-initiated logout propagates to the other SP of the session, then answers the initiator', async () => {
      const a = await registerSp('slo-a');
      const b = await registerSp('slo-b');
      const browser = new Browser();
      const ra = await toSamlForm(
        browser,
        await samlOf(a).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      const pa = (await samlOf(a).validatePostResponseAsync(ra.form)).profile!;
      const rb = await toSamlForm(
        browser,
        await samlOf(b).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(rb.passwords, 0);
      await samlOf(b).validatePostResponseAsync(rb.form);
      // SP A asks to log out
      const leave = (l: string) => l.startsWith('https://');
      const atB = await browser.go(
        await samlOf(a).getLogoutUrlAsync(pa, 'rs-logout', {}),
        {},
        leave,
      );
      assert.ok(atB.url.startsWith(b.slo), atB.url);
      const qb = new URL(atB.url);
      const toB = await samlOf(b).validateRedirectAsync(
        Object.fromEntries(qb.searchParams),
        qb.search.slice(1),
      );
      assert.equal(toB.loggedOut, true);
      assert.ok(toB.profile);
      // SP B answers; the IdP then answers SP A
      const back = await samlOf(b).getLogoutResponseUrlAsync(
        toB.profile!,
        qb.searchParams.get('RelayState') ?? '',
        {},
        true,
      );
      const atA = await browser.go(back, {}, leave);
      assert.ok(atA.url.startsWith(a.slo), atA.url);
      const qa = new URL(atA.url);
      assert.ok(qa.searchParams.get('SAMLResponse'), 'a LogoutResponse for A');
      assert.equal(qa.searchParams.get('RelayState'), 'rs-logout');
      const done = await samlOf(a).validateRedirectAsync(
        Object.fromEntries(qa.searchParams),
        qa.search.slice(1),
      );
      assert.equal(done.loggedOut, true);
      // the session is gone: the password again
      const again = await toSamlForm(
        browser,
        await samlOf(b).getAuthorizeUrlAsync('', undefined, {}),
        'pam',
      );
      assert.equal(again.passwords, 1);
      const slo = audited.filter((e) => e.action === 'saml.slo').at(-1)!;
      assert.equal(slo.details?.sp, a.entityId);
      assert.equal(slo.details?.sps, 1);
      assert.ok(
        audited.some((e) => e.action === 'saml.slo.response' && e.details?.sp === b.entityId),
      );
    });

    describe('SP metadata from a URL', () => {
      let meta: Server;
      let metaUrl = '';
      const xmlFor = (entityId: string) =>
        `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://fetched.sp.test/acs" index="0" isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>`;
      before(async () => {
        meta = createServer((req, res) => {
          const port = (meta.address() as AddressInfo).port;
          if (req.url === '/meta') return res.end(xmlFor('https://fetched.sp.test/metadata'));
          if (req.url === '/meta2') return res.end(xmlFor('https://fetched2.sp.test/metadata'));
          if (req.url === '/same-host') {
            res.writeHead(302, { location: '/meta2' });
            return res.end();
          }
          if (req.url === '/other-host') {
            res.writeHead(302, { location: `http://127.0.0.2:${port}/meta` });
            return res.end();
          }
          if (req.url === '/big') return res.end(' '.repeat(300 * 1024));
          res.writeHead(404);
          res.end();
        });
        await new Promise<void>((r) => meta.listen(0, '127.0.0.1', r));
        metaUrl = `http://127.0.0.1:${(meta.address() as AddressInfo).port}`;
      });
      after(() => meta?.close());

      it('creates an application from a metadata URL (same-host redirects followed)', async () => {
        const r = await api('POST', `/instances/${inst.slug}/saml-apps`, {
          name: 'fetched',
          metadata_url: `${metaUrl}/meta`,
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(r.body.entity_id, 'https://fetched.sp.test/metadata');
        assert.equal(r.body.acs[0].location, 'https://fetched.sp.test/acs');
        const re = await api('POST', `/instances/${inst.slug}/saml-apps/${r.body.id}/metadata`, {
          metadata_url: `${metaUrl}/same-host`,
        });
        assert.equal(re.status, 200, JSON.stringify(re.body));
        assert.equal(re.body.entity_id, 'https://fetched2.sp.test/metadata');
      });

      it('refuses too large documents, other schemes, cross-host redirects, and both sources at once; nothing is written', async () => {
        const before = (await api('GET', `/instances/${inst.slug}/saml-apps`)).body.items.length;
        for (const [body, why] of [
          [{ metadata_url: `${metaUrl}/big` }, /larger than/],
          [{ metadata_url: 'ftp://127.0.0.1/meta' }, /http and https/],
          [{ metadata_url: `${metaUrl}/other-host` }, /another host/],
          [{ metadata_url: `${metaUrl}/missing` }, /HTTP 404/],
          [{ metadata_url: `${metaUrl}/meta`, metadata_xml: xmlFor('x') }, /not both/],
        ] as const) {
          const r = await api('POST', `/instances/${inst.slug}/saml-apps`, {
            name: 'bad',
            ...body,
          });
          assert.equal(r.status, 400, JSON.stringify(r.body));
          assert.match(JSON.stringify(r.body), why);
          assert.match(JSON.stringify(r.body), /metadata_url/);
        }
        assert.equal(
          (await api('GET', `/instances/${inst.slug}/saml-apps`)).body.items.length,
          before,
        );
      });
    });
  });
}
