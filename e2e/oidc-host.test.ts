// Endpoints are published on PUBLIC_URL's origin: a forged Host header changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'node:http';
import { startTestServer, type TestServer } from '../packages/server/src/testing.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer('sqlite');
});
after(async () => server?.close());

function get(path: string, host: string): Promise<Record<string, string>> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(JSON.parse(body) as Record<string, string>));
    });
    req.on('error', reject);
    req.end();
  });
}

test('discovery ignores a forged Host header', async () => {
  const doc = await get('/i/default/.well-known/openid-configuration', 'evil.example');
  const origin = new URL(server.sctx.config.publicUrl).origin;
  assert.equal(doc.issuer, `${origin}/i/default`);
  for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint'])
    assert.equal(new URL(doc[k]!).origin, origin, k);
});
