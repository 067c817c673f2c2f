// Wiring of the lifecycle module: provides the account clocks (test clocks), the
// lifecycle port (agreement engine per instance) and the durable job queue/scheduler.
import type { AccountClocks, JobQueue, LifecyclePort } from '@idaas/core';
import {
  DurableJobs,
  LifecycleService,
  Scheduler,
  TestClocks,
} from '@idaas/core/business/lifecycle/index';
import type { ServerContext } from '../context.ts';
import type { BusinessPorts } from './index.ts';

export interface LifecycleModule {
  service: LifecycleService;
  jobs: DurableJobs;
  scheduler: Scheduler;
  clocks: TestClocks;
  /** Starts the wall-clock scheduler loop; returns a function that stops it. */
  start(): () => Promise<void>;
}

export function wireLifecycle(
  sctx: ServerContext,
  _ports: BusinessPorts,
  provide: {
    clocks(p: AccountClocks): void;
    lifecycle(p: LifecyclePort): void;
    jobs(p: JobQueue): void;
  },
): LifecycleModule {
  const { store, clock } = sctx;
  const service = new LifecycleService({ store, clock, audit: sctx.audit });
  const jobs = new DurableJobs(store, clock);
  const clocks = new TestClocks(store, clock);
  const scheduler = new Scheduler(store, clock, service, jobs, {
    onError: (err, what) => sctx.logger.warn({ err }, `scheduler: ${what} failed (retried later)`),
  });
  provide.clocks(clocks);
  provide.lifecycle(service);
  provide.jobs(jobs);
  return {
    service,
    jobs,
    scheduler,
    clocks,
    start: () => scheduler.start(sctx.config.schedulerIntervalMs),
  };
}
