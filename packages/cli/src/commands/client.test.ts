// `idaas client …` through the real launcher, on the store of a running test server:
// the printed credentials work at the server's token endpoint.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { idaas, badInput } from '../testing.ts';

async function clientCredentials(server: TestServer, slug: string, id: string, secret: string) {
  const res = await fetch(`${server.url}/i/${slug}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const kind of availableStoreKinds()) {
  describe(`idaas client on ${kind}`, () => {
    let server: TestServer;
    let env: Record<string, string>;
    before(async () => {
      server = await startTestServer(kind);
      env = { DATABASE_URL: server.databaseUrl, IDAAS_KEK: server.kek };
    });
    after(async () => {
      await server?.close();
    });
    const names = async () => {
      const inst = await server.sctx.core.instances.get('default');
      return (await server.sctx.core.applications.list(inst, { limit: 200 })).items
        .map((a) => a.name)
        .sort();
    };

    test('create --json prints client_id and client_secret, which work at the token endpoint', async () => {
      const r = await idaas(
        [
          'client',
          'create',
          '--instance',
          'default',
          '--name',
          'backend',
          '--grant',
          'client_credentials',
          '--json',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(typeof out.client_id, 'string');
      assert.equal(typeof out.client_secret, 'string');
      assert.equal(out.client_type, 'confidential');
      assert.deepEqual(out.grant_types, ['client_credentials']);
      assert.ok(!('secret_encrypted' in out));
      const token = await clientCredentials(
        server,
        'default',
        String(out.client_id),
        String(out.client_secret),
      );
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal(typeof token.body.access_token, 'string');
      const wrong = await clientCredentials(
        server,
        'default',
        String(out.client_id),
        'not-the-secret',
      );
      assert.equal(wrong.status, 401);
    });

    test('repeatable --grant and --redirect-uri, --scope; human output shows both values', async () => {
      const r = await idaas(
        [
          'client',
          'create',
          '--instance',
          'default',
          '--name',
          'web',
          '--grant',
          'authorization_code',
          '--grant',
          'refresh_token',
          '--redirect-uri',
          'https://app.example.com/cb',
          '--redirect-uri',
          'http://127.0.0.1:8080/cb',
          '--scope',
          'openid profile',
          '--scope',
          'offline_access',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const id = /client_id:\s+(\S+)/.exec(r.stdout)?.[1];
      assert.ok(id, r.stdout);
      assert.match(r.stdout, /client_secret:\s+\S{20,}/);
      const inst = await server.sctx.core.instances.get('default');
      const app = await server.sctx.core.applications.findByClientId(inst, id);
      assert.deepEqual(app?.grantTypes, ['authorization_code', 'refresh_token']);
      assert.deepEqual(app?.redirectUris, [
        'https://app.example.com/cb',
        'http://127.0.0.1:8080/cb',
      ]);
      assert.deepEqual(app?.scopes, ['openid', 'profile', 'offline_access']);
    });

    test('--public: client_secret is null; device_code shorthand', async () => {
      const r = await idaas(
        [
          'client',
          'create',
          '--instance',
          'default',
          '--name',
          'tv',
          '--grant',
          'device_code',
          '--grant',
          'refresh_token',
          '--public',
          '--json',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.client_secret, null);
      assert.equal(out.client_type, 'public');
      assert.deepEqual(out.grant_types, [
        'urn:ietf:params:oauth:grant-type:device_code',
        'refresh_token',
      ]);
      const list = await idaas(['client', 'list', '--instance', 'default', '--json'], env);
      assert.equal(list.code, 0, list.stderr);
      const items = JSON.parse(list.stdout) as Record<string, unknown>[];
      assert.ok(items.some((a) => a.client_id === out.client_id));
      for (const a of items) assert.ok(!('client_secret' in a), 'list never shows secrets');
    });

    test('bad input → exit 2 with one line naming the flag, nothing written', async () => {
      const before = await names();
      const base = ['client', 'create', '--instance', 'default', '--name', 'bad'];
      badInput(
        await idaas(
          [
            ...base,
            '--grant',
            'authorization_code',
            '--redirect-uri',
            'http://evil.example.com/cb',
          ],
          env,
        ),
        /--redirect-uri "http:\/\/evil.example.com\/cb": .*https/,
      );
      badInput(
        await idaas(
          [
            ...base,
            '--grant',
            'authorization_code',
            '--redirect-uri',
            'https://ok.example.com/cb',
            '--redirect-uri',
            'not a uri',
          ],
          env,
        ),
        /--redirect-uri "not a uri"/,
      );
      badInput(
        await idaas([...base, '--grant', 'authorization_code'], env),
        /--redirect-uri: .*redirect URI/,
      );
      badInput(await idaas([...base], env), /--grant: is required/);
      badInput(
        await idaas([...base, '--grant', 'password'], env),
        /--grant: unknown grant type "password"/,
      );
      badInput(await idaas([...base, '--grant', 'client_credentials', '--public'], env), '--grant');
      badInput(
        await idaas([...base, '--grant', 'client_credentials', '--scope', 'bad"scope'], env),
        '--scope',
      );
      badInput(
        await idaas(
          ['client', 'create', '--instance', 'default', '--grant', 'client_credentials'],
          env,
        ),
        /--name: is required/,
      );
      badInput(
        await idaas(
          [
            'client',
            'create',
            '--instance',
            'nope',
            '--name',
            'x',
            '--grant',
            'client_credentials',
          ],
          env,
        ),
        /--instance: no instance "nope"/,
      );
      badInput(
        await idaas([...base, '--grant', 'client_credentials', '--client-id', 'x'], env),
        '--client-id',
      );
      assert.deepEqual(await names(), before);
    });

    test('--help', async () => {
      const r = await idaas(['client', '--help'], env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /--redirect-uri/);
      assert.match(r.stdout, /--public/);
    });
  });
}
