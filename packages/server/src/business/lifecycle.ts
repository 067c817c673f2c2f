// Wiring of the lifecycle module: provides the account clocks (test clocks), the
// lifecycle port (agreement engine per instance) and the durable job queue/scheduler.
import type { AccountClocks, JobQueue, LifecyclePort } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import type { BusinessPorts } from './index.ts';

export interface LifecycleModule {
  start(): () => Promise<void>;
}

export function wireLifecycle(
  _sctx: ServerContext,
  _ports: BusinessPorts,
  _provide: {
    clocks(p: AccountClocks): void;
    lifecycle(p: LifecyclePort): void;
    jobs(p: JobQueue): void;
  },
): LifecycleModule {
  return { start: () => async () => {} };
}
