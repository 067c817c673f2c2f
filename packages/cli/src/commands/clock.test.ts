// `idaas clock …` and `idaas instance show` through the real launcher, on a store of
// each kind: a test clock drives an ID2 instance from grace to suspended (the clause
// and the next transition shown), bad input exits 2 with one line naming the flag.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { KeyEncryptionKey, ManualClock } from '@idaas/core';
import { LifecycleService } from '@idaas/core/business/lifecycle/index';
import { availableStoreKinds, freshDatabaseUrl, openStore } from '@idaas/storage';
import { idaas, badInput, type Run } from '../testing.ts';

const T0 = '2026-03-01T00:00:00.000Z';
const H = 3_600_000;

const json = (r: Run): Record<string, unknown> => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

for (const kind of availableStoreKinds()) {
  describe(`idaas clock on ${kind}`, () => {
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    before(async () => {
      const fresh = await freshDatabaseUrl(kind);
      drop = fresh.drop;
      env = { DATABASE_URL: fresh.url, IDAAS_KEK: randomBytes(32).toString('base64') };
    });
    after(async () => drop?.());

    test('create, advance --by / --to; instance show follows the lifecycle', async () => {
      const clock = json(
        await idaas(['clock', 'create', '--name', 'cli', '--at', T0, '--json'], env),
      );
      assert.equal(typeof clock.clock_id, 'string');
      assert.equal(clock.now, T0);
      const clockId = String(clock.clock_id);
      const inst = json(await idaas(['instance', 'create', '--slug', 'metered', '--json'], env));

      // commerce's part in this story (an ID2 instance in arrears), done on the store
      const store = openStore(env.DATABASE_URL!, {
        kek: KeyEncryptionKey.fromBase64(env.IDAAS_KEK!),
      });
      try {
        const lifecycle = new LifecycleService({ store, clock: new ManualClock(T0) });
        const row = await store.repos.instances.get(String(inst.id));
        await lifecycle.ensure(
          { instanceId: row!.id, accountId: row!.accountId, policy: 'ID2', clockId },
          new Date(T0),
        );
        await lifecycle.record(row!.id, { type: 'activate' }, new Date(T0));
        await lifecycle.record(row!.id, { type: 'arrears' }, new Date(T0));
      } finally {
        await store.close();
      }

      let shown = json(await idaas(['instance', 'show', '--slug', 'metered', '--json'], env));
      assert.equal(shown.state, 'grace');
      assert.equal(shown.clause, 'ID2');
      assert.equal(shown.next_transition_at, new Date(Date.parse(T0) + 24 * H).toISOString());

      const adv = json(
        await idaas(['clock', 'advance', '--clock', clockId, '--by', '36h', '--json'], env),
      );
      assert.equal(adv.now, new Date(Date.parse(T0) + 36 * H).toISOString());
      assert.equal(adv.transitions, 1);
      shown = json(await idaas(['instance', 'show', '--slug', 'metered', '--json'], env));
      assert.equal(shown.state, 'suspended');
      assert.equal(shown.clause, 'ID2');
      assert.equal(shown.next_transition_at, new Date(Date.parse(T0) + 384 * H).toISOString());

      const to = new Date(Date.parse(T0) + 48 * H).toISOString();
      const adv2 = json(
        await idaas(['clock', 'advance', '--clock', clockId, '--to', to, '--json'], env),
      );
      assert.equal(adv2.now, to);
      assert.equal(adv2.transitions, 0);
      const p1dt2h = json(
        await idaas(['clock', 'advance', '--clock', clockId, '--by', 'P1DT2H', '--json'], env),
      );
      assert.equal(p1dt2h.now, new Date(Date.parse(T0) + 74 * H).toISOString());
      const human = await idaas(['clock', 'advance', '--clock', clockId, '--by', '90m'], env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /clock .* now /);

      badInput(await idaas(['clock', 'advance', '--clock', clockId, '--to', T0], env), '--to');
      badInput(
        await idaas(['clock', 'advance', '--clock', clockId, '--to', 'yesterday'], env),
        '--to',
      );
      badInput(await idaas(['clock', 'advance', '--clock', clockId, '--by', '3x'], env), '--by');
      badInput(await idaas(['clock', 'advance', '--clock', clockId], env), '--to');
      badInput(await idaas(['clock', 'advance', '--by', '1h'], env), '--clock');
      badInput(await idaas(['clock', 'advance', '--clock', 'nope', '--by', '1h'], env), '--clock');
      badInput(await idaas(['clock', 'create', '--at', 'soon'], env), '--at');
    });
  });
}
