// MFA challenge storage on every store: expired challenges (of every instance) are
// deleted by the periodic sweep, unexpired ones — consumed or not — stay until they expire.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, newId, type Instance, type MfaChallenge, type Store } from '@idaas/core';
import { availableStoreKinds, freshStore, seedInstances, type TestStore } from './testing.ts';

const clock = new ManualClock('2026-03-01T00:00:00Z');

for (const kind of availableStoreKinds()) {
  describe(`MFA challenge storage on ${kind}`, () => {
    let t: TestStore;
    let store: Store;
    let a: Instance;
    let b: Instance;
    before(async () => {
      t = await freshStore(kind);
      store = t.store;
      [a, b] = (await seedInstances(t, clock, ['alpha', 'beta'])) as [Instance, Instance];
    });
    after(async () => t.dispose());

    const challenge = (instanceId: string, expiresInMs: number): MfaChallenge => ({
      instanceId,
      id: newId(clock),
      userId: null,
      kind: 'webauthn-auth',
      value: 'challenge-value',
      attempts: 0,
      expiresAt: new Date(clock.now().getTime() + expiresInMs),
      consumedAt: null,
      createdAt: clock.now(),
    });

    test('sweepExpired deletes the expired challenges of every instance and only those', async () => {
      const repo = store.repos.mfaChallenges;
      const expiredA = challenge(a.id, 60_000);
      const expiredB = challenge(b.id, 120_000);
      const atTheSweep = challenge(a.id, 300_000); // expires exactly when the sweep runs
      const liveA = challenge(a.id, 301_000);
      const consumedLive = challenge(b.id, 600_000);
      for (const c of [expiredA, expiredB, atTheSweep, liveA, consumedLive]) await repo.insert(c);
      assert.equal(await repo.consume(b.id, consumedLive.id, clock.now()), true);

      assert.equal(await repo.sweepExpired(clock.now()), 0, 'nothing has expired yet');
      const sweepAt = new Date(clock.now().getTime() + 300_000);
      assert.equal(await repo.sweepExpired(sweepAt), 3);
      assert.equal(await repo.get(a.id, expiredA.id), null);
      assert.equal(await repo.get(b.id, expiredB.id), null);
      assert.equal(await repo.get(a.id, atTheSweep.id), null);
      assert.equal((await repo.get(a.id, liveA.id))?.id, liveA.id);
      assert.ok((await repo.get(b.id, consumedLive.id))?.consumedAt, 'consumed, not yet expired');
      assert.equal(await repo.sweepExpired(sweepAt), 0, 'a second sweep finds nothing');
      assert.equal(await repo.sweepExpired(new Date(sweepAt.getTime() + 300_000)), 2);
      assert.equal(await repo.get(b.id, consumedLive.id), null);
    });
  });
}
