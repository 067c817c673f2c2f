// npm run bench:audit [-- --records N] [-- --instances I] [-- --concurrency C]: audit
// append throughput through the real sink (group commit, hash chain, sealed personal
// data, head rows locked per batch) on PostgreSQL — TEST_DATABASE_URL or DATABASE_URL —
// and on SQLite. Goal: ≥ 5,000 records/s on PostgreSQL. Then every chain is verified
// (and that rate printed too).
import { parseArgs } from 'node:util';
import { verifyInstanceAuditTrail, type Instance } from '@idaas/core';
import type { StoreKind } from '@idaas/storage';
import { startTestServer } from '../packages/server/src/testing.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string' },
    instances: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const n = Number(values.records ?? 50_000);
const nInstances = Number(values.instances ?? 10);
const concurrency = Number(values.concurrency ?? 500);
for (const [k, v] of Object.entries({ n, nInstances, concurrency }))
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench: ${k} must be a positive integer`);
    process.exit(2);
  }
process.env.TEST_DATABASE_URL ??= process.env.DATABASE_URL?.startsWith('postgres')
  ? process.env.DATABASE_URL
  : undefined;
const GOAL = 5000;

async function bench(kind: StoreKind): Promise<void> {
  const server = await startTestServer(kind);
  try {
    const { sctx } = server;
    const instances: Instance[] = [];
    for (let i = 0; i < nInstances; i++)
      instances.push(await sctx.core.instances.create({ slug: `bench-${i}` }));
    const one = (i: number) =>
      sctx.audit.record({
        instanceId: instances[i % nInstances]!.id,
        actor: { type: 'user', id: `usr-${i % 1000}` },
        action: i % 3 ? 'login.succeeded' : 'token.issued',
        target: { type: 'application', id: `app-${i % 20}` },
        result: 'success',
        ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        userAgent:
          'Mozilla/5.0 (bench) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
        host: 'id.bench.test',
        details: { client_id: `app-${i % 20}`, grant: 'authorization_code' },
      });
    // warm-up (JIT, connection pool, key cache)
    await Promise.all(Array.from({ length: 2000 }, (_, i) => one(i)));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) await one(next++);
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const rate = n / secs;
    const t1 = performance.now();
    let checked = 0;
    for (const inst of instances) {
      const r = await verifyInstanceAuditTrail(sctx.core, inst.id);
      if (!r.ok) throw new Error(`chain of ${inst.slug} broken: ${JSON.stringify(r.broken)}`);
      checked += r.checked;
    }
    const vsecs = (performance.now() - t1) / 1000;
    console.log(
      `${kind.padEnd(8)} append ${Math.round(rate).toLocaleString('en')} records/s ` +
        `(${n.toLocaleString('en')} records, ${nInstances} instances, ${concurrency} concurrent callers, ${secs.toFixed(2)} s)` +
        `${kind === 'postgres' ? `  goal ≥ ${GOAL.toLocaleString('en')}/s: ${rate >= GOAL ? 'met' : 'NOT met'}` : ''}`,
    );
    console.log(
      `${kind.padEnd(8)} verify ${Math.round(checked / vsecs).toLocaleString('en')} records/s (${checked.toLocaleString('en')} records, all chains intact)`,
    );
  } finally {
    await server.close();
  }
}

const kinds: StoreKind[] = process.env.TEST_DATABASE_URL ? ['postgres', 'sqlite'] : ['sqlite'];
if (!process.env.TEST_DATABASE_URL)
  console.log('(set TEST_DATABASE_URL or DATABASE_URL to a PostgreSQL database for the goal)');
for (const kind of kinds) await bench(kind);
