// Lifecycle enforcement on real stores (both dialects): the repos (version checks,
// claims — two concurrent claimers never get the same row on PostgreSQL — jobs, test
// clocks), then the agreement engine driven on a test clock: ID2 arrears → grace →
// suspended → payment → active; ID1 unpaid order → void (instance removed, receipt);
// ID1 paid term → expiry → suspended → released (rows gone, receipt, and a backup of the
// database taken before the release does not make personal data readable: ID3, G6.4).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { initialState, policyByKey, simulate } from '@idaas/agreement';
import {
  AppError,
  ManualClock,
  argon2Hasher,
  createCore,
  type Core,
  type LifecycleRow,
  type LifecycleTransition,
} from '@idaas/core';
import {
  DurableJobs,
  LifecycleService,
  Scheduler,
  TestClocks,
} from '@idaas/core/business/lifecycle/index';
import { openStore } from '../store.ts';
import { availableStoreKinds, freshDatabaseUrl, freshStore, type TestStore } from '../testing.ts';

const H = 3_600_000;
const D = 24 * H;
const T0 = '2026-03-01T00:00:00.000Z';

interface Harness {
  clock: ManualClock;
  core: Core;
  service: LifecycleService;
  jobs: DurableJobs;
  scheduler: Scheduler;
  clocks: TestClocks;
  seen: LifecycleTransition[];
}

function harness(t: TestStore): Harness {
  const clock = new ManualClock(T0);
  const core = createCore({
    store: t.store,
    clock,
    kek: t.kek,
    hasher: argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  });
  const service = new LifecycleService({ store: t.store, clock });
  const jobs = new DurableJobs(t.store, clock, { backoffMs: 1000 });
  const scheduler = new Scheduler(t.store, clock, service, jobs, { batch: 50 });
  const seen: LifecycleTransition[] = [];
  service.onTransition(async (tr, tx) => {
    seen.push(tr);
    // a listener's write commits with the transition: a notice job per transition
    await jobs.enqueue(
      {
        kind: 'test.notice',
        payload: { instanceId: tr.instanceId, to: tr.to },
        runAt: tr.at,
        dedupeKey: `notice:${tr.instanceId}:${tr.to}:${tr.at.toISOString()}`,
        clockId: (await tx.lifecycles.get(tr.instanceId))?.clockId ?? null,
      },
      tx,
    );
  });
  jobs.register('test.notice', async () => {});
  return {
    clock,
    core,
    service,
    jobs,
    scheduler,
    clocks: new TestClocks(t.store, clock),
    seen,
  };
}

const row = (id: string, over: Partial<LifecycleRow> = {}): LifecycleRow => ({
  instanceId: id,
  accountId: 'acc',
  policy: 'ID2',
  state: 'grace',
  clause: 'ID2',
  engine: { ...initialState(policyByKey('ID2')!), state: 'grace' },
  nextDueAt: new Date(T0),
  clockId: null,
  version: 0,
  updatedAt: new Date(T0),
  ...over,
});

async function count(t: TestStore, table: string, instanceId: string): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(table)} where instance_id = ${instanceId}`.execute(
    t.store.db,
  );
  return Number(r.rows[0]!.n);
}

for (const kind of availableStoreKinds()) {
  describe(`lifecycle repos on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await freshStore(kind);
    });
    after(async () => t?.dispose());

    test('insert is idempotent; save checks the version; claims are due-ordered per clock', async () => {
      const repos = t.store.repos;
      assert.equal(await repos.lifecycles.insert(row('r1')), true);
      assert.equal(await repos.lifecycles.insert(row('r1')), false);
      const got = (await repos.lifecycles.get('r1'))!;
      assert.equal(got.version, 0);
      assert.equal(got.engine.state, 'grace');
      await repos.lifecycles.save([{ ...got, state: 'suspended' }], new Date(T0));
      assert.equal((await repos.lifecycles.get('r1'))!.version, 1);
      await assert.rejects(
        repos.lifecycles.save([{ ...got, state: 'active' }], new Date(T0)),
        (e: unknown) => e instanceof AppError && e.code === 'conflict',
      );
      assert.equal(
        (await repos.lifecycles.get('r1'))!.state,
        'suspended',
        'stale save not applied',
      );

      await repos.testClocks.insert({
        id: 'c1',
        name: 'c',
        now: new Date(T0),
        createdAt: new Date(T0),
        updatedAt: new Date(T0),
      });
      await repos.lifecycles.insert(row('r2', { nextDueAt: new Date(Date.parse(T0) + 2 * H) }));
      await repos.lifecycles.insert(row('r3', { nextDueAt: new Date(Date.parse(T0) + H) }));
      await repos.lifecycles.insert(row('r4', { nextDueAt: new Date(T0), clockId: 'c1' }));
      await repos.lifecycles.insert(row('r5', { nextDueAt: null }));
      const due = await t.store.transaction((tx) =>
        tx.lifecycles.claimDue(null, new Date(Date.parse(T0) + 2 * H), 10),
      );
      assert.deepEqual(
        due.map((r) => r.instanceId),
        ['r1', 'r3', 'r2'],
      );
      assert.deepEqual((await repos.lifecycles.nextDueAt('c1'))?.toISOString(), T0);
      assert.equal(await repos.lifecycles.nextDueAt('nope'), null);
    });

    test('jobs: dedupe keys, due claims, failure bookkeeping', async () => {
      const repos = t.store.repos;
      const job = {
        id: 'j1',
        kind: 'k',
        payload: { a: 1 },
        runAt: new Date(T0),
        attempts: 0,
        maxAttempts: 2,
        status: 'queued' as const,
        lastError: null,
        dedupeKey: 'once',
        clockId: null,
        createdAt: new Date(T0),
        updatedAt: new Date(T0),
      };
      assert.equal(await repos.jobs.insert(job), true);
      assert.equal(await repos.jobs.insert({ ...job, id: 'j2' }), false, 'same dedupe key');
      const [c] = await t.store.transaction((tx) => tx.jobs.claimDue(null, new Date(T0), 5));
      assert.deepEqual(c?.payload, { a: 1 });
      await repos.jobs.failed(
        'j1',
        { attempts: 1, runAt: new Date(Date.parse(T0) + 1000), error: 'boom', dead: false },
        new Date(T0),
      );
      assert.equal((await repos.jobs.nextRunAt(null))?.getTime(), Date.parse(T0) + 1000);
      await repos.jobs.finish('j1', new Date(T0));
      assert.equal((await repos.jobs.get('j1'))!.status, 'done');
      assert.equal(await repos.jobs.nextRunAt(null), null);
    });

    if (kind === 'postgres')
      test('two concurrent claimers never get the same row (FOR UPDATE SKIP LOCKED)', async () => {
        for (let i = 0; i < 40; i++)
          await t.store.repos.lifecycles.insert(
            row(`s${String(i).padStart(2, '0')}`, {
              nextDueAt: new Date(Date.parse(T0) - 10 * D + i),
            }),
          );
        const now = new Date(Date.parse(T0) - 9 * D);
        let release!: () => void;
        const hold = new Promise<void>((r) => (release = r));
        let claimedA: string[] = [];
        const a = t.store.transaction(async (tx) => {
          claimedA = (await tx.lifecycles.claimDue(null, now, 25)).map((r) => r.instanceId);
          await hold; // keep the locks while B claims
        });
        while (claimedA.length === 0) await new Promise((r) => setTimeout(r, 5));
        const claimedB = await t.store.transaction(async (tx) =>
          (await tx.lifecycles.claimDue(null, now, 25)).map((r) => r.instanceId),
        );
        release();
        await a;
        assert.equal(claimedA.length, 25);
        assert.equal(claimedB.length, 15);
        assert.deepEqual(
          claimedA.filter((x) => claimedB.includes(x)),
          [],
        );
      });
  });

  describe(`lifecycle on a test clock (${kind})`, () => {
    let t: TestStore;
    let h: Harness;
    before(async () => {
      t = await freshStore(kind);
      h = harness(t);
    });
    after(async () => t?.dispose());

    test('ID2: activate → arrears → grace → (24 h) suspended → payment → active', async () => {
      const inst = await h.core.instances.create({ slug: 'postpaid-a' });
      const c = await h.clocks.create({ name: 'id2', at: new Date(T0) });
      await h.service.ensure(
        { instanceId: inst.id, accountId: inst.accountId, policy: 'ID2', clockId: c.id },
        new Date(T0),
      );
      await h.service.record(inst.id, { type: 'activate' }, new Date(T0));
      const arrearsAt = new Date(Date.parse(T0) + 5 * H);
      await h.scheduler.advance(c.id, arrearsAt);
      const tr = await h.service.record(inst.id, { type: 'arrears' }, arrearsAt);
      assert.deepEqual(
        tr.map((x) => [x.from, x.to, x.clause]),
        [['active', 'grace', 'ID2']],
      );
      assert.equal((await t.store.repos.instances.get(inst.id))!.state, 'grace');
      assert.equal(
        (await h.service.get(inst.id))!.nextDueAt!.getTime(),
        arrearsAt.getTime() + 24 * H,
      );

      // 1 ms before the deadline: still grace; at the deadline: suspended
      await h.scheduler.advance(c.id, new Date(arrearsAt.getTime() + 24 * H - 1));
      assert.equal((await t.store.repos.instances.get(inst.id))!.state, 'grace');
      const r = await h.scheduler.advance(c.id, new Date(arrearsAt.getTime() + 36 * H));
      assert.equal(r.transitions, 1);
      assert.equal((await h.clocks.get(c.id)).now.getTime(), arrearsAt.getTime() + 36 * H);
      const lc = (await h.service.get(inst.id))!;
      assert.equal(lc.state, 'suspended');
      assert.equal(lc.clause, 'ID2');
      assert.equal(lc.nextDueAt!.getTime(), arrearsAt.getTime() + 24 * H + 360 * H);
      assert.equal((await t.store.repos.instances.get(inst.id))!.state, 'suspended');
      // the listener's job committed with the transition and ran at the transition's instant
      const notices = await t.store.repos.jobs.list({ kind: 'test.notice', limit: 100 });
      assert.ok(notices.some((j) => j.payload.to === 'suspended' && j.status === 'done'));

      const paid = await h.service.record(
        inst.id,
        { type: 'payment' },
        new Date(arrearsAt.getTime() + 40 * H),
      );
      assert.deepEqual(
        paid.map((x) => [x.from, x.to]),
        [['suspended', 'active']],
      );
      assert.equal((await t.store.repos.instances.get(inst.id))!.state, 'active');
      assert.equal((await h.service.get(inst.id))!.nextDueAt, null, 'timers cancelled');
      const timeline = await h.service.timeline(inst.id);
      assert.deepEqual(
        timeline.map((e) => e.state),
        ['active', 'grace', 'suspended', 'active'],
      );
      // the same as the agreement package's simulation of the same events
      const sim = simulate(
        policyByKey('ID2')!,
        [
          { at: Date.parse(T0), type: 'activate' },
          { at: arrearsAt.getTime(), type: 'arrears' },
          { at: arrearsAt.getTime() + 40 * H, type: 'payment' },
        ],
        arrearsAt.getTime() + 40 * H,
      );
      assert.deepEqual(
        timeline.map((e) => [e.at.getTime(), e.state, e.cause, e.clause]),
        sim.timeline.map((e) => [e.at, e.state, e.cause, e.clause]),
      );
    });

    test('a clock never moves backwards (400 naming `to`)', async () => {
      const c = await h.clocks.create({ at: new Date(T0) });
      await assert.rejects(
        h.scheduler.advance(c.id, new Date(Date.parse(T0) - 1)),
        (e: unknown) => e instanceof AppError && e.status === 400 && e.issues[0]?.field === 'to',
      );
      await assert.rejects(
        h.scheduler.advance('no-such-clock', new Date(T0)),
        (e: unknown) => e instanceof AppError && e.status === 404,
      );
    });

    test('ID1: an order unpaid for 7 days is void; the pending instance is removed with a receipt', async () => {
      const inst = await h.core.instances.create({ slug: 'unpaid-b' });
      await t.store.repos.instances.setState(inst.id, 'pending-payment', new Date(T0));
      const c = await h.clocks.create({ at: new Date(T0) });
      await h.service.ensure(
        { instanceId: inst.id, accountId: inst.accountId, policy: 'ID1', clockId: c.id },
        new Date(T0),
      );
      await h.service.record(inst.id, { type: 'order-created' }, new Date(T0));
      await h.scheduler.advance(c.id, new Date(Date.parse(T0) + 7 * D - 1));
      assert.equal((await t.store.repos.instances.get(inst.id))!.state, 'pending-payment');
      await h.scheduler.advance(c.id, new Date(Date.parse(T0) + 8 * D));
      assert.equal(await t.store.repos.instances.get(inst.id), null, 'instance removed');
      assert.equal(await t.store.vault.get(inst.id), null, 'data key destroyed');
      assert.equal(await h.service.get(inst.id), null, 'lifecycle row removed');
      const receipt = (await t.store.repos.receipts.byInstance(inst.id))!;
      assert.equal(receipt.clause, 'G3.2.1');
      assert.equal(receipt.instanceSlug, 'unpaid-b');
      assert.equal(receipt.at.getTime(), Date.parse(T0) + 7 * D);
      assert.equal(receipt.what.instances, 1);
      assert.equal(receipt.what.signing_keys, 2);
      assert.deepEqual(
        (await h.service.timeline(inst.id)).map((e) => [e.state, e.clause]),
        [
          ['pending-payment', 'G3.2.1'],
          ['void', 'G3.2.1'],
        ],
      );
      const receipts = await t.store.repos.receipts.byAccount(inst.accountId);
      assert.ok(receipts.some((r) => r.instanceId === inst.id));
    });

    test('jobs are retried with exponential backoff on the clock, then dead with the last error', async () => {
      const c = await h.clocks.create({ at: new Date(T0) });
      let calls = 0;
      h.jobs.register('test.flaky', async ({ tx }) => {
        calls++;
        await tx.testClocks.setNow(c.id, new Date(T0), new Date(T0)); // rolled back
        throw new Error(`attempt ${calls} failed`);
      });
      await h.jobs.enqueue({
        kind: 'test.flaky',
        payload: {},
        runAt: new Date(Date.parse(T0) + H),
        clockId: c.id,
        dedupeKey: 'flaky',
      });
      await h.scheduler.advance(c.id, new Date(Date.parse(T0) + 2 * D));
      const [job] = await t.store.repos.jobs.list({ kind: 'test.flaky', limit: 5 });
      assert.equal(job!.status, 'dead');
      assert.equal(job!.attempts, 8);
      assert.equal(calls, 8);
      assert.equal(job!.lastError, 'attempt 8 failed');
      // backoff 1 s, 2 s, … 64 s after the first run: the last attempt ran at +127 s
      assert.equal(job!.runAt.getTime(), Date.parse(T0) + H + 127_000 + 128_000);
    });
  });

  describe(`release on a test clock (${kind})`, () => {
    test('ID1: paid term → expiry → suspended → 360 h → released; a backup taken before does not decrypt', async () => {
      const { url, drop } = await freshDatabaseUrl(kind);
      const base = await freshStore('sqlite'); // only for its KEK
      const kek = base.kek;
      await base.dispose();
      const store = openStore(url, { kek });
      await store.migrate();
      const t: TestStore = { store, url, kek, dispose: async () => store.close() };
      const h = harness(t);
      const backupDir = mkdtempSync(join(tmpdir(), 'idaas-backup-'));
      try {
        const inst = await h.core.instances.create({ slug: 'subscriber-c' });
        const user = await h.core.directory.createUser(inst, {
          username: 'alice',
          email: 'alice@example.com',
          password: 'violet-harbor-lamp-1',
        });
        await h.core.applications.create(inst, {
          name: 'web',
          grantTypes: ['client_credentials'],
        });
        const c = await h.clocks.create({ at: new Date(T0) });
        await h.service.ensure(
          { instanceId: inst.id, accountId: inst.accountId, policy: 'ID1', clockId: c.id },
          new Date(T0),
        );
        const termEnd = new Date(Date.parse(T0) + 30 * D);
        await h.service.record(inst.id, { type: 'order-paid', termEnd }, new Date(T0));
        assert.equal((await h.service.get(inst.id))!.state, 'active');
        assert.equal(
          (await h.service.get(inst.id))!.nextDueAt!.getTime(),
          termEnd.getTime() - 7 * D,
          'first the 7-day renewal reminder',
        );

        await h.scheduler.advance(c.id, new Date(termEnd.getTime() + H));
        const lc = (await h.service.get(inst.id))!;
        assert.equal(lc.state, 'suspended');
        assert.equal(lc.nextDueAt!.getTime(), termEnd.getTime() + 360 * H);
        assert.equal((await t.store.repos.instances.get(inst.id))!.state, 'suspended');
        // suspension never touches data (ID3)
        assert.equal((await h.core.directory.getUser(inst, user.id)).username, 'alice');

        // a backup of the database (not of the key vault), taken before the release
        let backup: string | null = null;
        if (kind === 'sqlite') {
          await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.store.db);
          const file = url.slice('sqlite:'.length);
          backup = join(backupDir, 'idaas.db');
          copyFileSync(file, backup);
          if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${backup}-wal`);
        }

        await h.scheduler.advance(c.id, new Date(termEnd.getTime() + 360 * H - 1));
        assert.equal((await h.service.get(inst.id))!.state, 'suspended');
        await h.scheduler.advance(c.id, new Date(termEnd.getTime() + 400 * H));
        assert.equal(await t.store.repos.instances.get(inst.id), null);
        for (const table of ['users', 'applications', 'signing_keys', 'lifecycles'])
          assert.equal(await count(t, table, inst.id), 0, `${table} rows gone`);
        const receipt = (await t.store.repos.receipts.byInstance(inst.id))!;
        assert.equal(receipt.clause, 'ID1');
        assert.equal(receipt.at.getTime(), termEnd.getTime() + 360 * H);
        assert.equal(receipt.what.users, 1);
        assert.equal(receipt.what.applications, 1);
        assert.equal(receipt.what.signing_keys, 2);
        assert.equal(receipt.what.data_key, 1);
        assert.deepEqual(
          (await h.service.timeline(inst.id)).map((e) => [e.state, e.cause, e.effects.join(' ')]),
          [
            ['active', 'order-paid', ''],
            ['active', 'timer', 'notify'],
            ['active', 'timer', 'notify'],
            ['active', 'timer', 'notify'],
            ['suspended', 'expire', 'block-write block-api retain-data'],
            ['released', 'timer', 'delete-data'],
          ],
        );
        assert.deepEqual(
          h.seen.filter((s) => s.instanceId === inst.id).map((s) => s.to),
          ['active', 'active', 'active', 'active', 'suspended', 'released'],
        );

        if (backup) {
          // restore the backup beside the live key vault: the rows are back, the data is not
          const restored = openStore(`sqlite:${backup}`, {
            kek,
            vaultUrl: `sqlite:${join(dirname(url.slice('sqlite:'.length)), 'keyvault.db')}`,
          });
          try {
            const back = await restored.repos.instances.get(inst.id);
            assert.ok(back, 'the instance row is in the backup');
            assert.equal(back.dataKeyWrapped, null, 'but its key is gone');
            assert.equal(await count({ ...t, store: restored }, 'users', inst.id), 1);
            await assert.rejects(
              restored.repos.users.get(inst.id, user.id),
              (e: unknown) => e instanceof AppError && e.code === 'instance_unavailable',
            );
            const raw = await sql<{
              profile: string;
            }>`select profile from users where instance_id = ${inst.id}`.execute(restored.db);
            assert.ok(!raw.rows[0]!.profile.includes('alice'), 'no plaintext personal data');
          } finally {
            await restored.close();
          }
        }
      } finally {
        await t.dispose();
        await drop();
        rmSync(backupDir, { recursive: true, force: true });
      }
    });
  });
}
