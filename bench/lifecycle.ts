// npm run bench:lifecycle [-- --instances N]: lifecycle transitions per second of the
// durable scheduler with 1 and 2 worker processes (e2e/support/lifecycle-worker.ts).
// N ID2 instances in grace (default 1,000,000 on PostgreSQL — DATABASE_URL or
// TEST_DATABASE_URL —, 20,000 on SQLite) whose suspension timers are spread over a
// simulated month; the workers sweep to the month's end (instances in arrears early in
// the month are also released: 360 h after suspension). Bench rows have no directory
// data, so a release here costs its key destruction and its timers, not a purge.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createPgSchema, dropPgSchema, openStore } from '@idaas/storage';

const { values } = parseArgs({
  options: { instances: { type: 'string' }, batch: { type: 'string' } },
});
const base = [process.env.DATABASE_URL, process.env.TEST_DATABASE_URL].find((u) =>
  u?.startsWith('postgres'),
);
const n = Number(values.instances ?? (base ? 1_000_000 : 20_000));
if (!Number.isInteger(n) || n < 1) {
  console.error('bench: --instances must be a positive integer');
  process.exit(2);
}
const batch = values.batch ?? '500';
const worker = fileURLToPath(new URL('../e2e/support/lifecycle-worker.ts', import.meta.url));
const M0 = Date.parse('2026-07-01T00:00:00Z');
const MONTH = 30 * 86_400_000;
const NOW = new Date(M0 + MONTH).toISOString();
const CLOCK = 'bench';

async function prepare(): Promise<{ url: string; drop(): Promise<void> }> {
  if (base) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const url = await createPgSchema(base, schema);
    return {
      url,
      drop: async () => {
        await dropPgSchema(base, schema);
        await dropPgSchema(base, `${schema}_keyvault`);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'idaas-bench-'));
  return {
    url: `sqlite:${join(dir, 'bench.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function seed(url: string): Promise<void> {
  const store = openStore(url);
  await store.migrate();
  const at = new Date(M0).toISOString();
  await store.repos.testClocks.insert({
    id: CLOCK,
    name: 'bench',
    now: new Date(M0),
    createdAt: new Date(M0),
    updatedAt: new Date(M0),
  });
  // arrears anchors spread so that the suspensions (anchor + 24 h) fill the month
  const start = M0 - 86_400_000;
  const step = MONTH / n;
  const t0 = performance.now();
  if (store.dialect === 'postgres') {
    await sql`
      insert into lifecycles (instance_id, account_id, policy, state, clause, engine,
        next_due_at, clock_id, version, updated_at)
      select 'b-' || g, 'acc', 'ID2', 'grace', 'ID2',
        '{"policy":"ID2","state":"grace","anchors":{"arrears":' || a || '},"fired":[]}',
        to_char(to_timestamp((a + 86400000) / 1000.0) at time zone 'UTC',
          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        ${CLOCK}, 0, ${at}
      from (select g, (${start}::bigint + floor(g * ${step}::float8))::bigint as a
            from generate_series(0, ${n - 1}) g) s`.execute(store.db);
    await sql`analyze lifecycles`.execute(store.db);
  } else {
    for (let i = 0; i < n; i += 500) {
      const rows = [];
      for (let g = i; g < Math.min(n, i + 500); g++) {
        const a = start + Math.floor(g * step);
        rows.push({
          instance_id: `b-${g}`,
          account_id: 'acc',
          policy: 'ID2',
          state: 'grace',
          clause: 'ID2',
          engine: JSON.stringify({
            policy: 'ID2',
            state: 'grace',
            anchors: { arrears: a },
            fired: [],
          }),
          next_due_at: new Date(a + 86_400_000).toISOString(),
          clock_id: CLOCK,
          version: 0,
          updated_at: at,
        });
      }
      await store.db.insertInto('lifecycles').values(rows).execute();
    }
  }
  console.log(
    `  seeded ${n.toLocaleString('en')} instances in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  await store.close();
}

function runWorker(url: string): Promise<{ transitions: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker], {
      env: { ...process.env, DATABASE_URL: url, CLOCK_ID: CLOCK, NOW, BATCH: batch },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const done = out.split('\n').find((l) => l.startsWith('done'));
      if (code !== 0 || !done) return reject(new Error(`worker exited ${code}`));
      const [, t, ms] = done.split(' ');
      resolve({ transitions: Number(t), ms: Number(ms) });
    });
  });
}

console.log(
  `bench:lifecycle — ${n.toLocaleString('en')} ID2 instances, timers over a simulated month, ${base ? 'PostgreSQL' : 'SQLite'}, batch ${batch}`,
);
const results: { workers: number; rate: number }[] = [];
for (const workers of [1, 2]) {
  const db = await prepare();
  try {
    await seed(db.url);
    const runs = await Promise.all(Array.from({ length: workers }, () => runWorker(db.url)));
    const transitions = runs.reduce((s, r) => s + r.transitions, 0);
    const ms = Math.max(...runs.map((r) => r.ms));
    const rate = Math.round((transitions * 1000) / ms);
    results.push({ workers, rate });
    console.log(
      `  ${workers} worker${workers > 1 ? 's' : ' '}: ${transitions.toLocaleString('en')} transitions in ${(ms / 1000).toFixed(1)} s = ${rate.toLocaleString('en')} transitions/s (${runs.map((r) => r.transitions.toLocaleString('en')).join(' + ')})`,
    );
  } finally {
    await db.drop();
  }
}
const [one, two] = results;
console.log(
  `  scaling 1 → 2 workers: ×${(two!.rate / one!.rate).toFixed(2)}; goal ≥ 5,000 transitions/s: ${Math.max(one!.rate, two!.rate) >= 5000 ? 'met' : 'NOT met'}`,
);
