// `idaas sla|notice|ticket …` through the real launcher on a fresh store of each kind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds, freshDatabaseUrl } from '@idaas/storage';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas sla, notice, ticket on ${kind}`, () => {
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    before(async () => {
      const fresh = await freshDatabaseUrl(kind);
      drop = fresh.drop;
      env = { DATABASE_URL: fresh.url, IDAAS_KEK: randomBytes(32).toString('base64') };
      const r = await idaas(['instance', 'create', '--slug', 'acme'], env);
      assert.equal(r.code, 0, r.stderr);
    });
    after(async () => {
      await drop?.();
    });

    test('sla report --json; maintenance add and list', async () => {
      const r = await idaas(
        ['sla', 'report', '--instance', 'acme', '--month', '2026-03', '--json'],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.availability, '100.0000');
      assert.equal(out.windows, 31 * 288);
      assert.equal(out.termination_right_from, null);
      assert.deepEqual(out.claim_window, {
        opens: '2026-04-06T16:00:00.000Z',
        closes: '2026-05-31T16:00:00.000Z',
      });
      const starts = new Date(Date.now() + 86_400_000).toISOString();
      const ends = new Date(Date.now() + 90_000_000).toISOString();
      const m = await idaas(
        [
          'sla',
          'maintenance',
          'add',
          '--instance',
          'acme',
          '--starts',
          starts,
          '--ends',
          ends,
          '--description',
          'db',
          '--json',
        ],
        env,
      );
      assert.equal(m.code, 0, m.stderr);
      assert.equal((JSON.parse(m.stdout) as { starts_at: string }).starts_at, starts);
      const l = await idaas(['sla', 'maintenance', 'list', '--json'], env);
      assert.equal((JSON.parse(l.stdout) as unknown[]).length, 1);
      const h = await idaas(['sla', 'report', '--instance', 'acme', '--month', '2026-03'], env);
      assert.match(h.stdout, /availability 100\.0000 %/);
    });

    test('bad input: exit 2 with one line naming the flag', async () => {
      badInput(
        await idaas(['sla', 'report', '--instance', 'acme', '--month', '2026-13'], env),
        '--month',
      );
      badInput(await idaas(['sla', 'report', '--month', '2026-03'], env), '--instance');
      badInput(
        await idaas(['sla', 'report', '--instance', 'nope', '--month', '2026-03'], env),
        '--instance',
      );
      badInput(
        await idaas(
          [
            'sla',
            'maintenance',
            'add',
            '--starts',
            'tomorrow',
            '--ends',
            'x',
            '--description',
            'd',
          ],
          env,
        ),
        '--starts',
      );
      const past = await idaas(
        [
          'sla',
          'maintenance',
          'add',
          '--starts',
          '2020-01-01T00:00:00Z',
          '--ends',
          '2020-01-01T01:00:00Z',
          '--description',
          'd',
        ],
        env,
      );
      badInput(past, '--starts');
      badInput(await idaas(['notice', 'list'], env), '--account');
      badInput(await idaas(['notice', 'list', '--account', 'nobody'], env), '--account');
      badInput(
        await idaas(['notice', 'list', '--account', 'a', '--channel', 'fax'], env),
        '--channel',
      );
      badInput(
        await idaas(
          ['ticket', 'open', '--account', 'a', '--subject', 's', '--body', 'b', '--severity', '7'],
          env,
        ),
        '--severity',
      );
      badInput(await idaas(['ticket', 'reply', '--body', 'b'], env), '--id');
      badInput(await idaas(['ticket', 'list', '--status', 'lost'], env), '--status');
    });
  });
}
