// Conditional access storage on every store: policies in priority order (unique per
// instance), reordering in one transaction, the default decision, group ids of a user,
// known devices capped per user, and everything removed with its instance or user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppError,
  ManualClock,
  newId,
  type AccessPolicy,
  type Instance,
  type Store,
  type User,
} from '@idaas/core';
import { availableStoreKinds, freshStore, seedInstances, type TestStore } from './testing.ts';

const clock = new ManualClock('2026-03-01T00:00:00Z');

function policy(instanceId: string, name: string, priority: number): AccessPolicy {
  clock.advance(1);
  return {
    instanceId,
    id: newId(clock),
    name,
    priority,
    enabled: true,
    conditions: {
      applications: [{ kind: 'oidc', id: 'client-1' }],
      users: [],
      groups: ['grp-x'],
      networks: ['10.0.0.0/8', '2001:db8::/32'],
      device: 'new',
      exclude: { applications: [], users: ['usr-9'], groups: [], networks: ['10.9.0.0/16'] },
    },
    decision: 'mfa',
    createdAt: clock.now(),
    updatedAt: clock.now(),
  };
}

for (const kind of availableStoreKinds()) {
  describe(`access policy storage on ${kind}`, () => {
    let t: TestStore;
    let store: Store;
    let a: Instance;
    let b: Instance;
    let u: User;
    before(async () => {
      t = await freshStore(kind);
      store = t.store;
      [a, b] = (await seedInstances(t, clock, ['alpha', 'beta'])) as [Instance, Instance];
      u = {
        instanceId: a.id,
        id: newId(clock),
        username: 'ann',
        email: null,
        emailVerified: false,
        phone: null,
        displayName: null,
        status: 'enabled',
        passwordHash: null,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      };
      await store.repos.users.insert(u);
    });
    after(async () => t.dispose());

    test('policies round-trip, list in priority order, per instance', async () => {
      const p2 = policy(a.id, 'second', 20);
      const p1 = policy(a.id, 'first', 10);
      await store.repos.accessPolicies.insert(p2);
      await store.repos.accessPolicies.insert(p1);
      await store.repos.accessPolicies.insert(policy(b.id, 'other instance', 10));
      assert.deepEqual(await store.repos.accessPolicies.get(a.id, p1.id), p1);
      assert.deepEqual(
        (await store.repos.accessPolicies.list(a.id)).map((p) => p.name),
        ['first', 'second'],
      );
      assert.equal(await store.repos.accessPolicies.get(b.id, p1.id), null);
      const changed = { ...p1, enabled: false, decision: 'deny' as const, updatedAt: clock.now() };
      await store.repos.accessPolicies.update(changed);
      assert.deepEqual(await store.repos.accessPolicies.get(a.id, p1.id), changed);
      assert.equal(await store.repos.accessPolicies.delete(a.id, p1.id), true);
      assert.equal(await store.repos.accessPolicies.delete(a.id, p1.id), false);
      await store.repos.accessPolicies.delete(a.id, p2.id);
    });

    test('a priority is unique per instance: a conflict naming priority', async () => {
      await store.repos.accessPolicies.insert(policy(a.id, 'p', 500));
      await assert.rejects(
        store.repos.accessPolicies.insert(policy(a.id, 'q', 500)),
        (e: unknown) =>
          e instanceof AppError && e.code === 'conflict' && e.issues[0]?.field === 'priority',
      );
    });

    test('setPriorities swaps priorities inside one transaction', async () => {
      const x = policy(a.id, 'x', 1);
      const y = policy(a.id, 'y', 2);
      const z = policy(a.id, 'z', 3);
      for (const p of [x, y, z]) await store.repos.accessPolicies.insert(p);
      await store.transaction(async (tx) =>
        tx.accessPolicies.setPriorities(
          a.id,
          [
            { id: z.id, priority: 1 },
            { id: x.id, priority: 2 },
            { id: y.id, priority: 3 },
          ],
          clock.now(),
        ),
      );
      const names = (await store.repos.accessPolicies.list(a.id))
        .filter((p) => p.priority < 10)
        .map((p) => `${p.name}${p.priority}`);
      assert.deepEqual(names, ['z1', 'x2', 'y3']);
      // a failing transaction leaves the old order
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.accessPolicies.setPriorities(a.id, [{ id: z.id, priority: 3 }], clock.now());
        }),
        /priority: already exists/,
      );
      assert.equal((await store.repos.accessPolicies.get(a.id, z.id))?.priority, 1);
    });

    test('default decision: null until set, then upserted', async () => {
      assert.equal(await store.repos.accessPolicies.getDefault(a.id), null);
      await store.repos.accessPolicies.setDefault(a.id, 'mfa', clock.now());
      await store.repos.accessPolicies.setDefault(a.id, 'deny', clock.now());
      assert.equal((await store.repos.accessPolicies.getDefault(a.id))?.decision, 'deny');
      assert.equal(await store.repos.accessPolicies.getDefault(b.id), null);
    });

    test('group ids of a user come from the directory', async () => {
      const g = {
        instanceId: a.id,
        id: newId(clock),
        name: 'staff',
        description: null,
        createdAt: clock.now(),
      };
      await store.repos.groups.insert(g);
      assert.deepEqual(await store.repos.accessPolicies.groupIdsOf(a.id, u.id), []);
      await store.repos.groups.addMember(a.id, g.id, u.id);
      assert.deepEqual(await store.repos.accessPolicies.groupIdsOf(a.id, u.id), [g.id]);
    });

    test('known devices: remembered, refreshed, capped per user (oldest dropped)', async () => {
      const d = store.repos.knownDevices;
      assert.equal(await d.has(a.id, u.id, 'h0'), false);
      const first = clock.now();
      await d.remember(a.id, u.id, 'h0', first, 3);
      clock.advance(1000);
      await d.remember(a.id, u.id, 'h1', clock.now(), 3);
      clock.advance(1000);
      await d.remember(a.id, u.id, 'h2', clock.now(), 3);
      clock.advance(1000);
      await d.remember(a.id, u.id, 'h0', clock.now(), 3); // h0 seen again: now the newest
      const h0 = (await d.list(a.id, u.id)).find((x) => x.deviceHash === 'h0')!;
      assert.deepEqual(h0.firstSeen, first);
      assert.deepEqual(h0.lastSeen, clock.now());
      clock.advance(1000);
      await d.remember(a.id, u.id, 'h3', clock.now(), 3); // h1 is the least recently seen
      assert.deepEqual(
        (await d.list(a.id, u.id)).map((x) => x.deviceHash),
        ['h3', 'h0', 'h2'],
      );
      assert.equal(await d.has(a.id, u.id, 'h1'), false);
      assert.equal(await d.has(a.id, u.id, 'h3'), true);
      assert.equal(await d.has(b.id, u.id, 'h3'), false);
      // deleting the user deletes their devices
      await store.repos.users.delete(a.id, u.id);
      assert.deepEqual(await d.list(a.id, u.id), []);
      assert.equal(await d.forget(a.id, u.id), 0);
    });
  });
}
