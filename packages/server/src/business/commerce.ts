// Wiring of the commerce module: accounts, plans, orders, payments, ledger; provides the ledger port.
import type { LedgerPort } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import type { BusinessPorts } from './index.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the commerce work
export interface CommerceModule {}

export function wireCommerce(
  _sctx: ServerContext,
  _ports: BusinessPorts,
  _provide: { ledger(p: LedgerPort): void },
): CommerceModule {
  return {};
}
