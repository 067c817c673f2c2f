// `idaas keys …` through the real launcher, on the store of a running test server: the
// server publishes the rotated keys.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { REVALIDATE_MS } from '@idaas/server/oidc/index';
import { idaas, badInput } from '../testing.ts';

async function publishedKids(server: TestServer, slug: string): Promise<string[]> {
  const conf = (await (
    await fetch(`${server.url}/i/${slug}/.well-known/openid-configuration`)
  ).json()) as {
    jwks_uri: string;
  };
  const jwks = (await (await fetch(conf.jwks_uri)).json()) as {
    keys: { kid: string; d?: string }[];
  };
  for (const k of jwks.keys) assert.equal(k.d, undefined);
  return jwks.keys.map((k) => k.kid).sort();
}

for (const kind of availableStoreKinds()) {
  describe(`idaas keys on ${kind}`, () => {
    let server: TestServer;
    let env: Record<string, string>;
    before(async () => {
      server = await startTestServer(kind);
      env = { DATABASE_URL: server.databaseUrl, IDAAS_KEK: server.kek };
    });
    after(async () => {
      await server?.close();
    });

    test('rotate --json: new active keys, the old ones retiring; the server publishes all four', async () => {
      const before = await idaas(['keys', 'list', '--instance', 'default', '--json'], env);
      assert.equal(before.code, 0, before.stderr);
      const old = (JSON.parse(before.stdout) as { keys: { kid: string; status: string }[] }).keys;
      assert.equal(old.length, 2);
      assert.deepEqual(await publishedKids(server, 'default'), old.map((k) => k.kid).sort());

      const r = await idaas(['keys', 'rotate', '--instance', 'default', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        keys: {
          kid: string;
          alg: string;
          status: string;
          retire_after: string | null;
          public_jwk: Record<string, unknown>;
        }[];
      };
      const active = out.keys.filter((k) => k.status === 'active');
      const retiring = out.keys.filter((k) => k.status === 'retiring');
      assert.deepEqual(active.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      assert.deepEqual(retiring.map((k) => k.kid).sort(), old.map((k) => k.kid).sort());
      for (const k of retiring) assert.equal(typeof k.retire_after, 'string');
      for (const k of out.keys) assert.ok(!('d' in k.public_jwk));
      // the server notices the rotation when it next revalidates the instance (REVALIDATE_MS)
      const want = out.keys.map((k) => k.kid).sort();
      let got: string[] = [];
      for (let i = 0; i < 20; i++) {
        got = await publishedKids(server, 'default');
        if (got.join() === want.join()) break;
        await sleep(REVALIDATE_MS / 4);
      }
      assert.deepEqual(got, want);
    });

    test('rotate without --json prints a summary', async () => {
      const r = await idaas(['keys', 'rotate', '--instance', 'default'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /rotated the signing keys of instance default/);
      assert.match(r.stdout, /active\s+ES256/);
    });

    test('bad input → exit 2 with one line naming the flag', async () => {
      const inst = await server.sctx.core.instances.get('default');
      const before = (await server.sctx.core.signingKeys.list(inst)).length;
      badInput(
        await idaas(['keys', 'rotate', '--instance', 'nope'], env),
        /--instance: no instance "nope"/,
      );
      badInput(await idaas(['keys', 'rotate'], env), /--instance: is required/);
      badInput(
        await idaas(['keys', 'spin', '--instance', 'default'], env),
        /unknown subcommand "spin"/,
      );
      assert.equal((await server.sctx.core.signingKeys.list(inst)).length, before);
    });

    test('--help', async () => {
      const r = await idaas(['keys', '--help'], env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /rotate --instance S/);
    });
  });
}
