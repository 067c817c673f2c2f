// npm run bench:scim [-- --users N] [-- --runs R]: SCIM list latency over N users
// (default 100,000) of one instance, on SQLite and — when TEST_DATABASE_URL is set — on
// PostgreSQL. Users are bulk-inserted through the repos in one transaction (directory
// row + sealed SCIM blob with an externalId blind index, as a SCIM POST leaves them),
// then timed over HTTP with a real client-credentials token:
//   - `userName eq "…"` (pushed down to the username blind index), goal p99 ≤ 20 ms;
//   - `emails co "…"` (a full scan: decrypt every user in batches, evaluate in memory).
import { parseArgs } from 'node:util';
import { availableStoreKinds, type StoreKind } from '@idaas/storage';
import type { User } from '@idaas/core';
import { startTestServer } from '../packages/server/src/testing.ts';
import { scimClient } from '../packages/server/src/scim/testing.ts';

const { values } = parseArgs({
  options: { users: { type: 'string' }, runs: { type: 'string' }, 'scan-runs': { type: 'string' } },
});
const n = Number(values.users ?? 100_000);
const runs = Number(values.runs ?? 200);
const scanRuns = Number(values['scan-runs'] ?? 5);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error('bench: --users and --runs must be positive integers');
  process.exit(2);
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function bench(kind: StoreKind): Promise<void> {
  const server = await startTestServer(kind);
  try {
    const c = await scimClient(kind, 'default', server);
    const { store, core, clock } = server.sctx;
    const dk = core.instances.dataKey(c.instance);
    const t0 = performance.now();
    const BATCH = 5_000;
    for (let from = 0; from < n; from += BATCH) {
      await store.transaction(async (tx) => {
        for (let i = from; i < Math.min(n, from + BATCH); i++) {
          const at = clock.now();
          const u: User = {
            instanceId: c.instance.id,
            id: `u${String(i).padStart(8, '0')}`,
            username: `user${i}`,
            email: `user${i}@bench${i % 100}.test`,
            emailVerified: true,
            phone: null,
            displayName: `Bench User ${i}`,
            status: 'enabled',
            passwordHash: null,
            createdAt: at,
            updatedAt: at,
          };
          await tx.users.insert(u);
          const externalId = `ext-${i}`;
          await tx.scim.put({
            instanceId: u.instanceId,
            kind: 'User',
            resourceId: u.id,
            externalIdLookup: dk.lookup('scim-externalId', externalId),
            version: 1,
            data: dk.encrypt(
              JSON.stringify({ externalId, name: { givenName: 'Bench', familyName: `N${i}` } }),
              `scim-User:${u.id}`,
            ),
            updatedAt: at,
          });
        }
      });
    }
    const setup = (performance.now() - t0) / 1000;
    console.log(`${kind}: ${n} users inserted in ${setup.toFixed(1)} s`);

    const time = async (filter: string, k: number, check: (total: number) => void) => {
      const xs: number[] = [];
      for (let i = 0; i < k; i++) {
        const f = filter.replace('$', String((i * 7919) % n));
        const s = performance.now();
        const r = await c.req('GET', `/Users?filter=${encodeURIComponent(f)}&count=10`);
        xs.push(performance.now() - s);
        if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
        check(r.body.totalResults as number);
      }
      return xs;
    };
    await time('userName eq "user$"', 20, () => {}); // warm-up
    const eq = await time('userName eq "user$"', runs, (t) => {
      if (t !== 1) throw new Error(`eq found ${t}`);
    });
    console.log(
      `${kind}: userName eq  p50 ${ms(pct(eq, 50))}  p99 ${ms(pct(eq, 99))}  (${runs} requests; goal p99 ≤ 20 ms: ${pct(eq, 99) <= 20 ? 'met' : 'MISSED'})`,
    );
    const co = await time('emails co "@bench7.test"', scanRuns, (t) => {
      if (t !== Math.floor(n / 100) + (n % 100 > 7 ? 1 : 0)) throw new Error(`co found ${t}`);
    });
    console.log(
      `${kind}: emails co    p50 ${ms(pct(co, 50))}  p99 ${ms(pct(co, 99))}  (${scanRuns} requests, full scan with decryption)`,
    );
  } finally {
    await server.close();
  }
}

for (const kind of availableStoreKinds()) await bench(kind);
