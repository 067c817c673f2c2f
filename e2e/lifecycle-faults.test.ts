// The durable scheduler under faults (PostgreSQL): two worker processes share the due
// timers of 2,000 ID2 instances; one is killed with SIGKILL in the middle of a sweep.
// Afterwards every transition happened exactly once: each instance's timeline equals
// the agreement package's simulate() of the same events (ID2, clause coverage), and
// nothing is still due.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { advance as advanceEngine, nextDue } from '@idaas/core/business/lifecycle/index';
import { initialState, policyByKey, simulate } from '@idaas/agreement';
import { freshDatabaseUrl, openStore, type OpenedStore } from '@idaas/storage';

const worker = fileURLToPath(new URL('./support/lifecycle-worker.ts', import.meta.url));
const H = 3_600_000;
const D = 24 * H;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const N = 2000;
const CLOCK = 'fault-clock';

function start(url: string): {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [worker], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      CLOCK_ID: CLOCK,
      NOW: new Date(NOW).toISOString(),
      BATCH: '25',
      SLOW_MS: '2',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, exited };
}

const arrearsAt = (i: number) => NOW - 20 * D + Math.floor((i * 20 * D) / N);
const activeAt = NOW - 30 * D;

describe(
  'scheduler under faults (PostgreSQL, two processes, SIGKILL)',
  { skip: !process.env.TEST_DATABASE_URL },
  () => {
    let store: OpenedStore;
    let url: string;
    let drop: () => Promise<void>;
    before(async () => {
      ({ url, drop } = await freshDatabaseUrl('postgres'));
      store = openStore(url);
      await store.migrate();
      const t0 = new Date(NOW);
      await store.repos.testClocks.insert({
        id: CLOCK,
        name: 'fault',
        now: t0,
        createdAt: t0,
        updatedAt: t0,
      });
      const policy = policyByKey('ID2')!;
      const rows = [];
      for (let i = 0; i < N; i++) {
        const s1 = advanceEngine(initialState(policy), { type: 'activate' }, activeAt).state;
        const s2 = advanceEngine(s1, { type: 'arrears' }, arrearsAt(i)).state;
        rows.push({
          instance_id: `f-${String(i).padStart(5, '0')}`,
          account_id: 'acc',
          policy: 'ID2',
          state: s2.state,
          clause: 'ID2',
          engine: JSON.stringify(s2),
          next_due_at: new Date(nextDue(s2)!).toISOString(),
          clock_id: CLOCK,
          version: 0,
          updated_at: t0.toISOString(),
        });
      }
      for (let i = 0; i < rows.length; i += 500)
        await store.db
          .insertInto('lifecycles')
          .values(rows.slice(i, i + 500))
          .execute();
    });
    after(async () => {
      await store?.close();
      await drop?.();
    });

    test('every transition happens exactly once', async () => {
      const a = start(url);
      const b = start(url);
      // kill A once it is well into its work (its transaction open: the listener is slow)
      while (!a.lines.some((l) => l.startsWith('progress') && Number(l.split(' ')[1]) >= 200)) {
        if (a.lines.some((l) => l.startsWith('done'))) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      a.child.kill('SIGKILL');
      assert.equal(await a.exited, null, 'A was killed');
      assert.ok(!a.lines.some((l) => l.startsWith('done')), 'A died mid-sweep');
      assert.equal(await b.exited, 0, 'B finished');
      const doneB = b.lines.find((l) => l.startsWith('done'))!;
      assert.ok(doneB, 'B swept to the end');
      const killedAfter = Number(
        a.lines
          .filter((l) => l.startsWith('progress'))
          .at(-1)!
          .split(' ')[1],
      );
      const byB = Number(doneB.split(' ')[1]);

      // exactly once: per instance, the timeline equals simulate() of the same events
      const events = await store.db
        .selectFrom('lifecycle_events')
        .select(['instance_id', 'at', 'state', 'cause', 'clause'])
        .orderBy('instance_id')
        .orderBy('at')
        .execute();
      const byInstance = new Map<string, string[]>();
      for (const e of events)
        byInstance.set(e.instance_id, [
          ...(byInstance.get(e.instance_id) ?? []),
          `${e.at} ${e.state} ${e.cause} ${e.clause}`,
        ]);
      let expectedTotal = 0;
      for (let i = 0; i < N; i++) {
        const id = `f-${String(i).padStart(5, '0')}`;
        const sim = simulate(
          policyByKey('ID2')!,
          [
            { at: activeAt, type: 'activate' },
            { at: arrearsAt(i), type: 'arrears' },
          ],
          NOW,
        );
        const expected = sim.timeline
          .slice(2)
          .map((e) => `${new Date(e.at).toISOString()} ${e.state} ${e.cause} ${e.clause}`);
        expectedTotal += expected.length;
        assert.deepEqual(byInstance.get(id) ?? [], expected, id);
      }
      assert.equal(events.length, expectedTotal);
      assert.ok(expectedTotal > N, 'suspensions and releases both happened');
      // A's committed batches + B's work = all of it (A's open batch was rolled back)
      assert.ok(byB < expectedTotal && byB >= expectedTotal - killedAfter - 25 * 2);
      const due = await sql<{
        n: string;
      }>`select count(*) as n from lifecycles where clock_id = ${CLOCK} and next_due_at <= ${new Date(NOW).toISOString()}`.execute(
        store.db,
      );
      assert.equal(Number(due.rows[0]!.n), 0, 'nothing left due');
    });
  },
);
