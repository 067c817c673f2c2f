// The operations module's services (notices, metering, SLA, tickets, agreement
// versions) over the store and the other modules' ports; the server wires them.
import type { Repos } from '../../ports.ts';
import type { LifecycleTransition } from '../contracts.ts';
import { AGREEMENT_EFFECTIVE, AgreementVersions } from './agreement-versions.ts';
import type { ChannelSenders, OperationsDeps } from './deps.ts';
import { LifecycleNotices, NOTICE_BEFORE } from './lifecycle-notices.ts';
import { Meter } from './metering.ts';
import { NOTICE_SEND, NoticeService } from './notices.ts';
import { SlaService } from './sla.ts';
import { TicketService } from './tickets.ts';

export * from './deps.ts';
export * from './time.ts';
export { NoticeService, NOTICE_SEND, localeOf } from './notices.ts';
export { LifecycleNotices, NOTICE_BEFORE, nextScheduledTransition } from './lifecycle-notices.ts';
export { Meter, COUNTED_TOKEN_GRANTS, type MeterEvent } from './metering.ts';
export { SlaService, type SlaReport } from './sla.ts';
export { TicketService, mayTransition, type Actor } from './tickets.ts';
export { AgreementVersions, AGREEMENT_EFFECTIVE } from './agreement-versions.ts';

export interface Operations {
  deps: OperationsDeps;
  notices: NoticeService;
  lifecycleNotices: LifecycleNotices;
  meter: Meter;
  sla: SlaService;
  tickets: TicketService;
  agreements: AgreementVersions;
  /** Registers the job kinds and the transition listener with the other modules' ports. */
  register(
    senders: ChannelSenders,
    lifecycle: {
      onTransition(l: (t: LifecycleTransition, tx: Repos) => Promise<void>): void;
    },
  ): void;
}

export function createOperations(deps: OperationsDeps, meterKey: Buffer): Operations {
  const notices = new NoticeService(deps);
  const lifecycleNotices = new LifecycleNotices(deps, notices);
  const agreements = new AgreementVersions(deps, notices);
  return {
    deps,
    notices,
    lifecycleNotices,
    meter: new Meter(deps.store, meterKey),
    sla: new SlaService(deps),
    tickets: new TicketService(deps, notices),
    agreements,
    register(senders, lifecycle) {
      deps.jobs.register(NOTICE_SEND, async (job) => {
        await notices.deliver(job, senders);
      });
      deps.jobs.register(NOTICE_BEFORE, async (job) => {
        await lifecycleNotices.before(job);
      });
      deps.jobs.register(AGREEMENT_EFFECTIVE, async (job) => {
        await agreements.recordContinuedUse(String(job.payload.versionId ?? ''), job.tx);
      });
      lifecycle.onTransition((t, tx) => lifecycleNotices.onTransition(t, tx));
    },
  };
}
