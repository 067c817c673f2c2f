// SAML SSO round trips per second: an HTTP-Redirect AuthnRequest in (a fresh request id
// each time, schema-validated, replay-checked), a signed HTTP-POST Response out (response
// and assertion signed, RSA-SHA256), for a user who already has a sign-in session — the
// steady state of an SP sending its users to us. SQLite (and PostgreSQL when
// TEST_DATABASE_URL is set); the server and the load generator share this process.
//
//   npm run bench:saml            (BENCH_SECONDS=5 BENCH_CONCURRENCY=8 by default)
import { deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer } from '../packages/server/src/testing.ts';
import { adminToken } from '../packages/server/src/api/fixtures.ts';
import { Browser } from '../e2e/support/browser.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PASSWORD = 'bench-password-123';

async function run(kind: 'sqlite' | 'postgres'): Promise<void> {
  const server = await startTestServer(kind, {
    env: { RATE_LIMIT_LOGIN_PER_MINUTE: '1000000' },
    logLevel: 'silent',
  });
  try {
    const core = server.sctx.core;
    const inst = (await core.instances.find('default'))!;
    await core.directory.createUser(inst, {
      username: 'bench',
      password: PASSWORD,
      email: 'bench@example.test',
      emailVerified: true,
    });
    const entityId = 'https://bench.sp.test/metadata';
    const acs = 'https://bench.sp.test/acs';
    const admin = await adminToken(server);
    const res = await fetch(`${server.url}/api/v1/instances/default/saml-apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench',
        entity_id: entityId,
        acs: [{ index: 0, binding: 'post', location: acs, is_default: true }],
        name_id_format: 'persistent',
        attributes: [{ name: 'email', source: 'email' }],
      }),
    });
    if (res.status !== 201) throw new Error(`create SAML app: ${res.status} ${await res.text()}`);
    const sso = `${server.url}/i/default/saml/sso`;
    const request = () => {
      const xml = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${sso}" AssertionConsumerServiceURL="${acs}"><saml:Issuer>${entityId}</saml:Issuer></samlp:AuthnRequest>`;
      return `${sso}?SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString('base64'))}&RelayState=bench`;
    };
    // sign in once (hosted sign-in, consent if asked)
    const browser = new Browser();
    let page = await browser.go(request());
    for (let i = 0; i < 5 && !/name="SAMLResponse"/.test(page.text); i++) {
      if (/name="password"/.test(page.text))
        page = await browser.submit(page, {
          action: /\/login$/,
          fields: { login: 'bench', password: PASSWORD },
        });
      else if (/\/confirm"/.test(page.text))
        page = await browser.submit(page, { action: /\/confirm$/ });
      else throw new Error(`unexpected page ${page.url} ${page.status}\n${page.text}`);
    }
    if (!/name="SAMLResponse"/.test(page.text)) throw new Error('no SAML response after sign-in');
    const cookie = browser.jar.header(new URL(sso));

    // warm up (validator workers, JIT) before measuring
    await Promise.all(
      Array.from({ length: CONCURRENCY * 2 }, () =>
        fetch(request(), { headers: { cookie } }).then((r) => r.text()),
      ),
    );
    const lat: number[] = [];
    let errors = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const worker = async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const r = await fetch(request(), { headers: { cookie }, redirect: 'manual' });
        const text = await r.text();
        if (r.status !== 200 || !text.includes('name="SAMLResponse"')) errors++;
        lat.push(performance.now() - t0);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - started) / 1000;
    lat.sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(1);
    console.log(
      `saml sso (${kind}): ${(lat.length / elapsed).toFixed(0)} round trips/s  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  ` +
        `(${lat.length} requests, ${errors} errors, concurrency ${CONCURRENCY}, ${SECONDS}s)`,
    );
    if (errors) process.exitCode = 1;
  } finally {
    await server.close();
  }
}

for (const kind of availableStoreKinds()) await run(kind);
