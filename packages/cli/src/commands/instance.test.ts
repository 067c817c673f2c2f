// `idaas instance …` through the real launcher on a fresh (unmigrated) store of each kind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds, freshDatabaseUrl } from '@idaas/storage';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas instance on ${kind}`, () => {
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    before(async () => {
      const fresh = await freshDatabaseUrl(kind);
      drop = fresh.drop;
      env = { DATABASE_URL: fresh.url, IDAAS_KEK: randomBytes(32).toString('base64') };
    });
    after(async () => {
      await drop?.();
    });

    test('create on an empty store migrates it; --json prints the instance', async () => {
      const r = await idaas(
        ['instance', 'create', '--slug', 'acme', '--name', 'Acme Corp', '--json'],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.slug, 'acme');
      assert.equal(out.display_name, 'Acme Corp');
      assert.equal(out.state, 'active');
      assert.equal(typeof out.id, 'string');
      assert.match(String(out.issuer), /\/i\/acme$/);
      assert.ok(!('data_key_wrapped' in out));
    });

    test('create without --json prints a human summary', async () => {
      const r = await idaas(['instance', 'create', '--slug', 'beta'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /created instance beta/);
    });

    test('list --json prints every instance', async () => {
      const r = await idaas(['instance', 'list', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const items = JSON.parse(r.stdout) as { slug: string; display_name: string }[];
      assert.deepEqual(items.map((i) => i.slug).sort(), ['acme', 'beta']);
      const human = await idaas(['instance', 'list'], env);
      assert.equal(human.code, 0);
      assert.match(human.stdout, /acme\s+active/);
    });

    test('bad input → exit 2 with one line naming the flag, nothing written', async () => {
      badInput(
        await idaas(['instance', 'create', '--slug', 'acme'], env),
        /--slug: already exists/,
      );
      badInput(await idaas(['instance', 'create', '--slug', 'Not A Slug'], env), '--slug');
      badInput(await idaas(['instance', 'create'], env), /--slug: is required/);
      badInput(
        await idaas(['instance', 'create', '--slug', 'gamma', '--region', 'X'], env),
        '--region',
      );
      badInput(await idaas(['instance', 'create', '--slug', 'delta', '--bogus'], env), '--bogus');
      badInput(await idaas(['instance', 'create', '--slug'], env), '--slug');
      badInput(await idaas(['instance', 'frobnicate'], env), /unknown subcommand "frobnicate"/);
      badInput(await idaas(['instance'], env), /subcommand is required/);
      const r = await idaas(['instance', 'list', '--json'], env);
      assert.deepEqual((JSON.parse(r.stdout) as { slug: string }[]).map((i) => i.slug).sort(), [
        'acme',
        'beta',
      ]);
    });

    test('bad configuration → exit 2 naming the variable', async () => {
      badInput(await idaas(['instance', 'list'], { ...env, IDAAS_KEK: 'short' }), 'IDAAS_KEK');
      badInput(
        await idaas(['instance', 'list'], { ...env, DATABASE_URL: 'mysql://x' }),
        'DATABASE_URL',
      );
    });

    test('--help', async () => {
      const r = await idaas(['instance', '--help'], env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /idaas instance <command>/);
      assert.match(r.stdout, /create --slug S \[--name N\]/);
    });

    test('show --json: state, clause and next_transition_at (null without a lifecycle); bad slug exit 2', async () => {
      assert.equal((await idaas(['instance', 'create', '--slug', 'shown'], env)).code, 0);
      const r = await idaas(['instance', 'show', '--slug', 'shown', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.slug, 'shown');
      assert.equal(out.state, 'active');
      assert.equal(out.clause, null);
      assert.equal(out.next_transition_at, null);
      const human = await idaas(['instance', 'show', '--slug', 'shown'], env);
      assert.match(human.stdout, /state: +active/);
      badInput(await idaas(['instance', 'show', '--slug', 'no-such'], env), '--slug');
      badInput(await idaas(['instance', 'show'], env), '--slug');
    });
  });
}
