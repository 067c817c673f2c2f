// Memory per cached instance: start a real server (in-process, SQLite), create N
// instances (default 1,000), let each serve one request (discovery, which builds its
// Provider), then report RSS and V8 heap growth per instance beyond the first.
//
//   npm run bench:memory     (node --expose-gc; BENCH_INSTANCES=1000)
import { startTestServer } from '../packages/server/src/testing.ts';

const N = Number(process.env.BENCH_INSTANCES ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench:memory)');

async function settle(): Promise<{ rss: number; heap: number; external: number }> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

const server = await startTestServer('sqlite', {
  env: { PROVIDER_CACHE_SIZE: String(N + 10) },
  logLevel: 'silent',
});
try {
  const core = server.sctx.core;
  const slugs: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i += 8) {
    const batch = Array.from({ length: Math.min(8, N - i) }, (_, j) => `bench-${i + j}`);
    await Promise.all(batch.map((slug) => core.instances.create({ slug })));
    slugs.push(...batch);
  }
  console.log(`# created ${N} instances in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const hit = async (slug: string) => {
    const r = await fetch(`${server.url}/i/${slug}/.well-known/openid-configuration`);
    if (r.status !== 200) throw new Error(`${slug}: ${r.status}`);
    await r.arrayBuffer();
  };
  // warm: one instance served, plus the code paths of a request
  await hit(slugs[0]!);
  for (let i = 0; i < 50; i++) await hit(slugs[0]!);
  const base = await settle();
  for (const slug of slugs.slice(1)) await hit(slug);
  const after = await settle();
  const cached = server.app.oidc.cachedProviders?.() ?? NaN;
  const per = (a: number, b: number) => (b - a) / (N - 1) / 1024;
  console.log(`instances served: ${N}, providers cached: ${cached}`);
  console.log(
    `RSS      ${(base.rss / 2 ** 20).toFixed(1)} MiB → ${(after.rss / 2 ** 20).toFixed(1)} MiB   ${per(base.rss, after.rss).toFixed(1)} KiB/instance`,
  );
  console.log(
    `heapUsed ${(base.heap / 2 ** 20).toFixed(1)} MiB → ${(after.heap / 2 ** 20).toFixed(1)} MiB   ${per(base.heap, after.heap).toFixed(1)} KiB/instance`,
  );
  console.log(
    `external ${(base.external / 2 ** 20).toFixed(1)} MiB → ${(after.external / 2 ** 20).toFixed(1)} MiB   ${per(base.external, after.external).toFixed(1)} KiB/instance`,
  );
  console.log('goal: ≤ 200 KiB per instance beyond the first (RSS)');
} finally {
  await server.close();
}
