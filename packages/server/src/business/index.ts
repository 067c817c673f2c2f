// The composition of the business modules (commerce, lifecycle, operations) for the
// server and the CLI. Each module's wiring lives in its own file and fills in the
// ports it provides; the others reach them through `ports`, bound late so that the
// order of wiring does not matter.
import type {
  AccountClocks,
  JobQueue,
  LedgerPort,
  LifecyclePort,
  NoticePort,
  UsagePort,
} from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { wireCommerce, type CommerceModule } from './commerce.ts';
import { wireLifecycle, type LifecycleModule } from './lifecycle.ts';
import { wireOperations, type OperationsModule } from './operations.ts';

export interface BusinessPorts {
  clocks: AccountClocks;
  lifecycle: LifecyclePort;
  jobs: JobQueue;
  ledger: LedgerPort;
  notices: NoticePort;
  usage: UsagePort;
}

export interface Business {
  ports: BusinessPorts;
  commerce: CommerceModule;
  lifecycle: LifecycleModule;
  operations: OperationsModule;
  /** Starts background work (the scheduler loop); returns a function that stops it. */
  start(): () => Promise<void>;
}

function unbound(name: string): never {
  throw new Error(`business port ${name} is not wired`);
}

/** A port whose implementation is set later; calls go to whatever is bound at call time. */
function late<T extends object>(name: string): { port: T; bind(impl: T): void } {
  let impl: T | null = null;
  const port = new Proxy({} as T, {
    get: (_t, prop) => {
      const target = impl ?? unbound(name);
      const v = (target as Record<string | symbol, unknown>)[prop];
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { port, bind: (i) => void (impl = i) };
}

export function createBusiness(sctx: ServerContext): Business {
  const clocks = late<AccountClocks>('clocks');
  const lifecycle = late<LifecyclePort>('lifecycle');
  const jobs = late<JobQueue>('jobs');
  const ledger = late<LedgerPort>('ledger');
  const notices = late<NoticePort>('notices');
  const usage = late<UsagePort>('usage');
  const ports: BusinessPorts = {
    clocks: clocks.port,
    lifecycle: lifecycle.port,
    jobs: jobs.port,
    ledger: ledger.port,
    notices: notices.port,
    usage: usage.port,
  };
  const lifecycleModule = wireLifecycle(sctx, ports, {
    clocks: clocks.bind,
    lifecycle: lifecycle.bind,
    jobs: jobs.bind,
  });
  const commerceModule = wireCommerce(sctx, ports, { ledger: ledger.bind });
  const operationsModule = wireOperations(sctx, ports, {
    notices: notices.bind,
    usage: usage.bind,
  });
  return {
    ports,
    commerce: commerceModule,
    lifecycle: lifecycleModule,
    operations: operationsModule,
    start: () => {
      const stops = [lifecycleModule.start(), operationsModule.start()];
      return async () => {
        for (const stop of stops.reverse()) await stop();
      };
    },
  };
}
