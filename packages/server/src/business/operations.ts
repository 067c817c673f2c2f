// Wiring of the operations module: notices, metering and settlement, SLA, tickets; provides the notice port.
import type { NoticePort, UsagePort } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import type { BusinessPorts } from './index.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the operations work
export interface OperationsModule {}

export function wireOperations(
  _sctx: ServerContext,
  _ports: BusinessPorts,
  _provide: { notices(p: NoticePort): void; usage(p: UsagePort): void },
): OperationsModule {
  return {};
}
