// Wiring of the commerce module: accounts, plans, orders, payments, ledger; provides the
// ledger port, registers commerce's durable jobs (order holds, term ends, hourly
// settlement, late fees, monthly invoices) and its lifecycle transition listener.
import type { LedgerPort } from '@idaas/core';
import { CommerceService } from '@idaas/core/business/commerce/index';
import type { ServerContext } from '../context.ts';
import type { BusinessPorts } from './index.ts';

export interface CommerceModule {
  service: CommerceService;
}

export function wireCommerce(
  sctx: ServerContext,
  ports: BusinessPorts,
  provide: { ledger(p: LedgerPort): void },
): CommerceModule {
  const service = new CommerceService({ store: sctx.store, core: sctx.core, ports });
  provide.ledger(service);
  try {
    service.registerJobs(ports.jobs);
    ports.lifecycle.onTransition(service.onTransition);
  } catch (err) {
    // the lifecycle module provides the job queue; without it commerce's timers do not run
    sctx.logger.warn({ err }, 'commerce: job queue or lifecycle port not available');
  }
  return { service };
}
