// A scheduler worker process for the fault test and the benchmark: sweeps one clock's
// due lifecycle rows at a fixed `now` until nothing is due, printing progress lines.
//   DATABASE_URL  the store;  CLOCK_ID  the clock (empty = wall clock rows)
//   NOW           RFC 3339;   BATCH     rows per transaction (default 500)
//   SLOW_MS       a listener pause per transition (widens the window for SIGKILL)
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '@idaas/core';
import { DurableJobs, LifecycleService, Scheduler } from '@idaas/core/business/lifecycle/index';
import { openStore } from '@idaas/storage';

const url = process.env.DATABASE_URL!;
const clockId = process.env.CLOCK_ID || null;
const now = new Date(Date.parse(process.env.NOW!));
const batch = Number(process.env.BATCH ?? 500);
const slow = Number(process.env.SLOW_MS ?? 0);

const store = openStore(url);
const service = new LifecycleService({ store, clock: systemClock });
if (slow > 0) service.onTransition(async () => void (await sleep(slow)));
const scheduler = new Scheduler(store, systemClock, service, new DurableJobs(store, systemClock), {
  batch,
  onError: (err) => process.stderr.write(`worker: ${String(err)}\n`),
});

const started = performance.now();
let total = 0;
process.stdout.write('started\n');
for (;;) {
  const n = (await service.sweep(clockId, now, batch)).transitions.length;
  total += n;
  if (n > 0) process.stdout.write(`progress ${total}\n`);
  else {
    const next = await scheduler.nextDue(clockId);
    if (!next || next > now) break;
    await sleep(20); // rows locked by another worker: wait for them
  }
}
process.stdout.write(`done ${total} ${Math.round(performance.now() - started)}\n`);
await store.close();
