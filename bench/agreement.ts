// npm run bench:agreement — one simulated year for 100,000 instances with random
// (seeded, deterministic) events across every policy of the catalog, on one core.
// Prints instance-years per second (goal ≥ 50,000). Event generation is not timed;
// the timed part is simulate(): evolve() per event plus the timers up to the year end.
import { CATALOG, instant, simulate } from '@idaas/agreement';
import type { EventType, SimEvent } from '@idaas/agreement';

const INSTANCES = Number(process.env.INSTANCES ?? 100_000);
const SEED = Number(process.env.SEED ?? 20260301);
const YEAR_START = instant('2026-01-01T00:00:00+08:00');
const YEAR_MS = 365 * 24 * 3_600_000;

/** mulberry32: a small seeded PRNG, so every run replays the same events. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LATER: EventType[] = [
  'arrears',
  'payment',
  'arrears',
  'payment',
  'expire',
  'renew',
  'quota-exhausted',
  'activate',
];

function scenario(rand: () => number, prepaid: boolean): SimEvent[] {
  const events: SimEvent[] = [];
  let at = YEAR_START + Math.floor(rand() * 30 * 24 * 3_600_000);
  const opening = rand();
  if (!prepaid || opening < 0.4) events.push({ at, type: 'activate' });
  else {
    events.push({ at, type: 'order-created' });
    if (opening < 0.9) {
      at += Math.floor(rand() * 5 * 24 * 3_600_000);
      events.push({
        at,
        type: 'order-paid',
        termEnd: at + (30 + Math.floor(rand() * 300)) * 24 * 3_600_000,
      });
    }
  }
  const n = 4 + Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) {
    at += Math.floor(rand() * (YEAR_MS / n));
    const type = LATER[Math.floor(rand() * LATER.length)] as EventType;
    events.push(type === 'renew' ? { at, type, termEnd: at + 90 * 24 * 3_600_000 } : { at, type });
  }
  return events;
}

const rand = prng(SEED);
const work = Array.from({ length: INSTANCES }, (_, i) => {
  const policy = CATALOG[i % CATALOG.length];
  const prepaid = policy?.transitions.some((t) => t.on === 'order-created') ?? false;
  return { policy, events: scenario(rand, prepaid) };
});
const until = YEAR_START + YEAR_MS;
const eventCount = work.reduce((n, w) => n + w.events.length, 0);

// Warm up (JIT, zone caches) on a slice, then measure the full run.
for (const w of work.slice(0, 2000)) if (w.policy) simulate(w.policy, w.events, until);

const t0 = process.hrtime.bigint();
let entries = 0;
const finals = new Map<string, number>();
for (const w of work) {
  if (!w.policy) continue;
  const r = simulate(w.policy, w.events, until);
  entries += r.timeline.length;
  finals.set(String(r.final), (finals.get(String(r.final)) ?? 0) + 1);
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const rate = INSTANCES / seconds;

console.log(
  `instances: ${INSTANCES} (${CATALOG.length} policies), events: ${eventCount}, timeline entries: ${entries}`,
);
console.log(`final states: ${[...finals].map(([s, n]) => `${s} ${n}`).join(', ')}`);
console.log(`time: ${seconds.toFixed(3)} s`);
console.log(
  `instance-years/s: ${Math.round(rate)} (goal ≥ 50000: ${rate >= 50_000 ? 'met' : 'NOT met'})`,
);
