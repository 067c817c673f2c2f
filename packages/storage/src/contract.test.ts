// The storage contract: one suite, run on SQLite always and on PostgreSQL when
// TEST_DATABASE_URL is set. Every behaviour of the Store port that callers rely on.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppError,
  ManualClock,
  newId,
  type Instance,
  type KeyEncryptionKey,
  type Store,
  type User,
} from '@idaas/core';
import { availableStoreKinds, freshStore, type TestStore } from './testing.ts';

const clock = new ManualClock('2026-03-01T00:00:00Z');

let kek: KeyEncryptionKey;

function instance(accountId: string, slug: string): Instance {
  const at = clock.now();
  const id = newId(clock);
  return {
    id,
    accountId,
    slug,
    displayName: slug.toUpperCase(),
    region: 'cn-shanghai',
    state: 'active',
    dataKeyWrapped: kek.newDataKey(id).wrapped,
    platform: false,
    configVersion: 1,
    createdAt: at,
    updatedAt: at,
  };
}

function user(instanceId: string, username: string, email: string | null = null): User {
  const at = clock.now();
  clock.advance(1);
  return {
    instanceId,
    id: newId(clock),
    username,
    email,
    emailVerified: false,
    phone: null,
    displayName: null,
    status: 'enabled',
    passwordHash: null,
    createdAt: at,
    updatedAt: at,
  };
}

for (const kind of availableStoreKinds()) {
  describe(`storage contract on ${kind}`, () => {
    let t: TestStore;
    let store: Store;
    let a: Instance;
    let b: Instance;
    before(async () => {
      t = await freshStore(kind);
      store = t.store;
      kek = t.kek;
      const acc = {
        id: newId(clock),
        kind: 'customer' as const,
        name: 'Acme',
        ownerEmail: 'o@acme.test',
        createdAt: clock.now(),
      };
      await store.repos.accounts.insert(acc);
      a = instance(acc.id, 'alpha');
      b = instance(acc.id, 'beta');
      await store.repos.instances.insert(a);
      await store.repos.instances.insert(b);
    });
    after(async () => t.dispose());

    test('migrate is idempotent', async () => {
      assert.deepEqual(await store.migrate(), []);
    });

    test('instances round-trip and slugs are unique', async () => {
      const got = await store.repos.instances.getBySlug('alpha');
      assert.deepEqual(got, a);
      await assert.rejects(
        store.repos.instances.insert({ ...instance(a.accountId, 'alpha') }),
        (e: unknown) => {
          assert.ok(e instanceof AppError);
          assert.equal(e.code, 'conflict');
          assert.equal(e.issues[0]?.field, 'slug');
          return true;
        },
      );
      assert.equal(await store.repos.instances.bumpConfigVersion(a.id, clock.now()), 2);
    });

    test('usernames are unique per instance, case-insensitively, not across instances', async () => {
      await store.repos.users.insert(user(a.id, 'Alice', 'alice@x.test'));
      await assert.rejects(
        store.repos.users.insert(user(a.id, 'alice')),
        /username: already exists/,
      );
      await assert.rejects(
        store.repos.users.insert(user(a.id, 'alice2', 'ALICE@x.test')),
        /email: already exists/,
      );
      await store.repos.users.insert(user(b.id, 'alice', 'alice@x.test'));
      const found = await store.repos.users.getByUsername(a.id, 'ALICE');
      assert.equal(found?.username, 'Alice');
      assert.equal((await store.repos.users.getByEmail(b.id, 'Alice@X.test'))?.instanceId, b.id);
    });

    test('every read is scoped by instance', async () => {
      const u = user(a.id, 'scoped');
      await store.repos.users.insert(u);
      assert.equal(await store.repos.users.get(b.id, u.id), null);
      assert.equal(await store.repos.users.delete(b.id, u.id), false);
      assert.ok(await store.repos.users.get(a.id, u.id));
    });

    test('cursor pagination visits every row once, in creation order', async () => {
      const inst = instance(a.accountId, 'pages');
      await store.repos.instances.insert(inst);
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        const u = user(inst.id, `p${i}`);
        made.push(u.id);
        await store.repos.users.insert(u);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const p = await store.repos.users.list(inst.id, { limit: 3, cursor });
        assert.ok(p.items.length <= 3);
        seen.push(...p.items.map((u) => u.id));
        cursor = p.next;
      } while (cursor);
      assert.deepEqual(seen, made);
      const search = await store.repos.users.list(inst.id, { limit: 10, q: 'P3' });
      assert.deepEqual(
        search.items.map((u) => u.username),
        ['p3'],
      );
    });

    test('user update changes only the given fields', async () => {
      const u = user(a.id, 'upd', 'upd@x.test');
      await store.repos.users.insert(u);
      await store.repos.users.update(
        a.id,
        u.id,
        { displayName: 'Up D', status: 'locked' },
        clock.now(),
      );
      const got = await store.repos.users.get(a.id, u.id);
      assert.equal(got?.displayName, 'Up D');
      assert.equal(got?.status, 'locked');
      assert.equal(got?.email, 'upd@x.test');
    });

    test('groups, membership and the groups claim', async () => {
      const u = user(a.id, 'member');
      await store.repos.users.insert(u);
      for (const name of ['staff', 'admins']) {
        const g = {
          instanceId: a.id,
          id: newId(clock),
          name,
          description: null,
          createdAt: clock.now(),
        };
        await store.repos.groups.insert(g);
        await store.repos.groups.addMember(a.id, g.id, u.id);
        await store.repos.groups.addMember(a.id, g.id, u.id); // idempotent
      }
      assert.deepEqual(await store.repos.users.groupNames(a.id, u.id), ['admins', 'staff']);
      const staff = await store.repos.groups.getByName(a.id, 'STAFF');
      assert.ok(staff);
      assert.deepEqual(
        (await store.repos.groups.members(a.id, staff.id, { limit: 10 })).items.map((x) => x.id),
        [u.id],
      );
      await store.repos.users.delete(a.id, u.id);
      assert.deepEqual((await store.repos.groups.members(a.id, staff.id, { limit: 10 })).items, []);
    });

    test('org units form a tree; users belong to several', async () => {
      const root = {
        instanceId: a.id,
        id: newId(clock),
        parentId: null,
        name: 'HQ',
        createdAt: clock.now(),
      };
      const sales = {
        instanceId: a.id,
        id: newId(clock),
        parentId: root.id,
        name: 'Sales',
        createdAt: clock.now(),
      };
      const eng = {
        instanceId: a.id,
        id: newId(clock),
        parentId: root.id,
        name: 'Engineering',
        createdAt: clock.now(),
      };
      for (const o of [root, sales, eng]) await store.repos.orgUnits.insert(o);
      assert.deepEqual(
        (await store.repos.orgUnits.children(a.id, root.id)).map((o) => o.name),
        ['Engineering', 'Sales'],
      );
      await store.repos.orgUnits.move(a.id, sales.id, eng.id);
      assert.deepEqual(
        (await store.repos.orgUnits.children(a.id, eng.id)).map((o) => o.name),
        ['Sales'],
      );
      const u = user(a.id, 'ou-member');
      await store.repos.users.insert(u);
      await store.repos.orgUnits.addMember(a.id, sales.id, u.id);
      await store.repos.orgUnits.addMember(a.id, eng.id, u.id);
      assert.deepEqual(
        (await store.repos.orgUnits.unitsOfUser(a.id, u.id)).map((o) => o.name),
        ['Engineering', 'Sales'],
      );
    });

    test('applications round-trip with lists; client ids unique per instance', async () => {
      const app = {
        instanceId: a.id,
        id: newId(clock),
        clientId: 'web',
        name: 'Web',
        clientType: 'confidential' as const,
        secretEncrypted: 'v1.x.y.z',
        redirectUris: ['https://app.test/cb'],
        postLogoutRedirectUris: [],
        grantTypes: ['authorization_code' as const, 'refresh_token' as const],
        scopes: ['openid', 'profile'],
        backchannelLogoutUri: null,
        accessTokenFormat: 'opaque' as const,
        firstParty: true,
        internal: false,
        tokenEndpointAuthMethod: 'client_secret_post' as const,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      };
      await store.repos.applications.insert(app);
      assert.deepEqual(await store.repos.applications.getByClientId(a.id, 'web'), app);
      assert.equal(await store.repos.applications.getByClientId(b.id, 'web'), null);
      await assert.rejects(
        store.repos.applications.insert({ ...app, id: newId(clock) }),
        /client_id: already exists/,
      );
      await store.repos.applications.update(
        a.id,
        app.id,
        { redirectUris: ['https://app.test/2'] },
        clock.now(),
      );
      assert.deepEqual((await store.repos.applications.get(a.id, app.id))?.redirectUris, [
        'https://app.test/2',
      ]);
    });

    test('signing keys: retiring keys stay published until retireAfter', async () => {
      const k = (kid: string) => ({
        instanceId: a.id,
        kid,
        alg: 'ES256' as const,
        status: 'active' as const,
        publicJwk: { kty: 'EC', kid },
        privateJwkEncrypted: 'enc',
        createdAt: clock.now(),
        retireAfter: null,
      });
      await store.repos.keys.insert(k('k1'));
      clock.advance(1000);
      await store.repos.keys.insert(k('k2'));
      const until = new Date(clock.now().getTime() + 3600_000);
      await store.repos.keys.retire(a.id, 'k1', until);
      assert.deepEqual(
        (await store.repos.keys.published(a.id, clock.now())).map((x) => x.kid),
        ['k2', 'k1'],
      );
      assert.deepEqual(
        (await store.repos.keys.published(a.id, until)).map((x) => x.kid),
        ['k2'],
      );
      assert.equal(await store.repos.keys.purgeRetired(a.id, until), 1);
      assert.deepEqual(
        (await store.repos.keys.list(a.id)).map((x) => x.kid),
        ['k2'],
      );
    });

    test('oidc models: upsert, lookups, consume, grant revocation, expiry sweep', async () => {
      const rec = (
        model: string,
        id: string,
        extra: Partial<{ grantId: string; uid: string; userCode: string }> = {},
      ) => ({
        instanceId: a.id,
        model,
        id,
        payload: { kind: model, jti: id },
        grantId: extra.grantId ?? null,
        uid: extra.uid ?? null,
        userCode: extra.userCode ?? null,
        expiresAt: new Date(clock.now().getTime() + 60_000),
        consumedAt: null,
      });
      await store.repos.oidc.upsert(rec('Session', 's1', { uid: 'u1' }));
      await store.repos.oidc.upsert(
        rec('DeviceCode', 'd1', { userCode: 'ABCD-EFGH', grantId: 'g1' }),
      );
      await store.repos.oidc.upsert(rec('AccessToken', 't1', { grantId: 'g1' }));
      await store.repos.oidc.upsert(rec('AccessToken', 't2', { grantId: 'g2' }));
      await store.repos.oidc.upsert({
        ...rec('AccessToken', 't2', { grantId: 'g2' }),
        payload: { updated: true },
      });
      assert.deepEqual((await store.repos.oidc.find(a.id, 'AccessToken', 't2'))?.payload, {
        updated: true,
      });
      assert.equal((await store.repos.oidc.findByUid(a.id, 'u1'))?.id, 's1');
      assert.equal(await store.repos.oidc.findByUid(b.id, 'u1'), null);
      assert.equal((await store.repos.oidc.findByUserCode(a.id, 'ABCD-EFGH'))?.id, 'd1');
      await store.repos.oidc.consume(a.id, 'DeviceCode', 'd1', clock.now());
      const consumed = await store.repos.oidc.find(a.id, 'DeviceCode', 'd1');
      assert.equal(consumed?.payload.consumed, Math.floor(clock.now().getTime() / 1000));
      await store.repos.oidc.revokeByGrantId(a.id, 'g1');
      assert.equal(await store.repos.oidc.find(a.id, 'AccessToken', 't1'), null);
      assert.equal(await store.repos.oidc.find(a.id, 'DeviceCode', 'd1'), null);
      assert.ok(await store.repos.oidc.find(a.id, 'AccessToken', 't2'));
      assert.equal(
        await store.repos.oidc.sweepExpired(new Date(clock.now().getTime() + 120_000)),
        2,
      );
    });

    test('concurrent OIDC writes all commit; a bad one fails alone (group commit on SQLite)', async () => {
      const rec = (instanceId: string, id: string) => ({
        instanceId,
        model: 'ClientCredentials',
        id,
        payload: { jti: id },
        grantId: null,
        uid: null,
        userCode: null,
        expiresAt: new Date(clock.now().getTime() + 60_000),
        consumedAt: null,
      });
      const ids = Array.from({ length: 200 }, (_, i) => `cc-${i}`);
      const results = await Promise.allSettled([
        ...ids.map((id) => store.repos.oidc.upsert(rec(a.id, id))),
        store.repos.oidc.upsert(rec('no-such-instance', 'orphan')), // violates the foreign key
      ]);
      assert.deepEqual(
        results.slice(0, -1).map((r) => r.status),
        ids.map(() => 'fulfilled'),
      );
      assert.equal(results.at(-1)!.status, 'rejected');
      for (const id of ids)
        assert.ok(await store.repos.oidc.find(a.id, 'ClientCredentials', id), id);
    });

    test('a failed transaction writes nothing', async () => {
      const u1 = user(a.id, 'tx-one');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.insert(u1);
          await tx.users.insert(user(a.id, 'TX-ONE')); // duplicate: the whole transaction rolls back
        }),
        /username: already exists/,
      );
      assert.equal(await store.repos.users.get(a.id, u1.id), null);
      const u2 = user(a.id, 'tx-two');
      await store.transaction(async (tx) => tx.users.insert(u2));
      assert.ok(await store.repos.users.get(a.id, u2.id));
    });

    test('personal data is encrypted at rest; the data key lives in the vault, not the store', async () => {
      const u = user(a.id, 'Secretive', 'secret.person@x.test');
      u.displayName = 'Secret Person';
      u.phone = '+8613800000001';
      await store.repos.users.insert(u);
      const raw = await t.store.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', u.id)
        .executeTakeFirstOrThrow();
      const text = JSON.stringify(raw);
      for (const s of ['Secretive', 'secretive', 'secret.person', 'Secret Person', '8613800000001'])
        assert.ok(!text.includes(s), `${s} is not stored in clear`);
      assert.deepEqual(await store.repos.users.get(a.id, u.id), u);
      assert.equal(
        (await store.repos.users.list(a.id, { limit: 5, q: 'secret.PERSON' })).items[0]?.id,
        u.id,
      );
      const instRow = await t.store.db
        .selectFrom('instances')
        .selectAll()
        .where('id', '=', a.id)
        .executeTakeFirstOrThrow();
      assert.ok(
        !JSON.stringify(instRow).includes(a.dataKeyWrapped!),
        'the wrapped key is not in the store',
      );
      assert.equal(await store.vault.get(a.id), a.dataKeyWrapped);
    });

    test('a destroyed data key makes the instance personal data unreadable', async () => {
      const c = instance(a.accountId, 'gamma');
      await store.repos.instances.insert(c);
      const u = user(c.id, 'doomed', 'doomed@x.test');
      await store.repos.users.insert(u);
      assert.equal(await store.vault.destroy(c.id), true);
      assert.equal((await store.repos.instances.get(c.id))?.dataKeyWrapped, null);
      await assert.rejects(
        store.repos.users.get(c.id, u.id),
        (e: unknown) => e instanceof AppError && e.code === 'instance_unavailable',
      );
      await assert.rejects(
        store.repos.users.getByUsername(c.id, 'doomed'),
        (e: unknown) => e instanceof AppError && e.code === 'instance_unavailable',
      );
    });

    test('inside a transaction, store.repos and nested transactions use it (no deadlock, sees own writes)', async () => {
      const u = user(a.id, 'ambient-one');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.insert(u);
          // code that reaches for store.repos (or opens a transaction) while one is open
          assert.ok(await store.repos.users.get(a.id, u.id), 'sees the uncommitted row');
          await store.transaction(async (inner) => inner.users.insert(user(a.id, 'ambient-two')));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(await store.repos.users.get(a.id, u.id), null, 'rolled back');
      assert.equal(
        await store.repos.users.getByUsername(a.id, 'ambient-two'),
        null,
        'the joined one too',
      );
    });

    test('afterCommit runs after a commit, not after a rollback, at once outside a transaction', async () => {
      const ran: string[] = [];
      await store.transaction(async () => {
        store.afterCommit(() => ran.push('committed'));
        assert.deepEqual(ran, [], 'not before the commit');
      });
      await assert.rejects(
        store.transaction(async () => {
          store.afterCommit(() => ran.push('rolled back'));
          throw new Error('no');
        }),
      );
      store.afterCommit(() => ran.push('outside'));
      assert.deepEqual(ran, ['committed', 'outside']);
    });

    test('settings', async () => {
      assert.equal(await store.repos.settings.get('x'), null);
      await store.repos.settings.set('x', '1');
      await store.repos.settings.set('x', '2');
      assert.equal(await store.repos.settings.get('x'), '2');
    });
  });
}
