// Wiring of the operations module: notices (email over SMTP, SMS port, in-site inbox,
// paper), metering and SLA windows from runtime events, tickets, agreement versions;
// provides the notice and usage ports. Its settings are part of the central config.
import { hkdfSync } from 'node:crypto';
import type { NoticePort, UsagePort } from '@idaas/core';
import {
  createOperations,
  defaultOperationsOptions,
  type Operations,
  type OperationsOptions,
} from '@idaas/core/business/operations/index';
import type { ServerContext } from '../context.ts';
import type { BusinessPorts } from './index.ts';
import { loggingTransport, smtpTransport, type MailTransport } from '../notices/mail.ts';
import { loggingSms, type SmsProvider } from '../notices/sms.ts';
import { noticeRenderer } from '../notices/templates.ts';

/** The operations module's environment variables (README: configuration). */

export interface OperationsModule {
  ops: Operations;
  mail: MailTransport;
  sms: SmsProvider;
  /** Writes buffered metering and SLA counts now. */
  flush(): Promise<void>;
  /** Flushes every METERING_FLUSH_MS; the returned function stops and flushes once more. */
  start(): () => Promise<void>;
}

export function wireOperations(
  sctx: ServerContext,
  ports: BusinessPorts,
  provide: { notices(p: NoticePort): void; usage(p: UsagePort): void },
): OperationsModule {
  const { notices, supportResponseHours: hours, meteringFlushMs } = sctx.config;
  const log = sctx.logger.child({ module: 'operations' });
  const mail = notices.smtpUrl
    ? smtpTransport(notices.smtpUrl, notices.smtpFrom)
    : loggingTransport(log);
  if (!notices.smtpUrl)
    (sctx.config.production ? log.error.bind(log) : log.warn.bind(log))(
      'SMTP_URL is not set: notice emails are logged, not sent (their records say transport "log")',
    );
  const sms = loggingSms(log);
  const options: OperationsOptions = {
    ...defaultOperationsOptions,
    publicUrl: sctx.config.publicUrl,
    noticeLeadHours: notices.leadHours,
    noticeMaxAttempts: notices.maxAttempts,
    responseHours: { 1: hours[0], 2: hours[1], 3: hours[2], 4: hours[3] },
  };
  const meterKey = Buffer.from(
    hkdfSync('sha256', Buffer.from(sctx.config.kek, 'base64'), '', 'idaas metering user-ref', 32),
  );
  const ops = createOperations(
    {
      store: sctx.store,
      clock: sctx.clock,
      clocks: ports.clocks,
      jobs: ports.jobs,
      ledger: ports.ledger,
      renderer: noticeRenderer,
      options,
    },
    meterKey,
  );
  provide.notices(ops.notices);
  provide.usage(ops.meter);

  // jobs and the transition listener: lifecycle is wired before us (see ./index.ts)
  try {
    ops.register(
      { email: (m) => mail.send(m), sms: (m) => sms.send(m) },
      { onTransition: (l) => ports.lifecycle.onTransition(l) },
    );
  } catch (err) {
    log.warn({ err }, 'lifecycle ports not wired: notices are queued but no job sends them');
  }

  // runtime events → metering and SLA windows (buffered; exact counts on flush)
  // Usage is stamped in the time of the instance's account: the wall clock, or the
  // account's test clock (Stripe-style), so that settlement on a test clock sees it.
  const clockOfInstance = new Map<
    string,
    { testClock: boolean; accountId: string; until: number }
  >();
  const accountTime = async (instanceId: string, at: Date): Promise<Date> => {
    let hit = clockOfInstance.get(instanceId);
    if (!hit || hit.until < at.getTime()) {
      const inst = await sctx.store.repos.instances.get(instanceId);
      if (!inst) return at;
      const testClock = (await ports.clocks.testClockOf(inst.accountId)) !== null;
      hit = { testClock, accountId: inst.accountId, until: at.getTime() + 10_000 };
      if (clockOfInstance.size > 10_000) clockOfInstance.clear();
      clockOfInstance.set(instanceId, hit);
    }
    return hit.testClock ? (await ports.clocks.clockFor(hit.accountId)).now() : at;
  };
  // Events whose account time is still being looked up: a flush waits for them, so
  // that everything emitted before it is counted.
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>): Promise<void> => {
    inflight.add(p);
    return p.finally(() => inflight.delete(p));
  };
  sctx.events.on('authenticated', (e) =>
    track(
      (async () =>
        ops.meter.record({
          kind: 'authenticated',
          instanceId: e.instanceId,
          userId: e.userId,
          at: await accountTime(e.instanceId, e.at),
        }))(),
    ),
  );
  sctx.events.on('tokenIssued', (e) =>
    track(
      (async () =>
        ops.meter.record({
          kind: 'tokenIssued',
          instanceId: e.instanceId,
          userId: e.userId,
          grantType: e.grantType,
          at: await accountTime(e.instanceId, e.at),
        }))(),
    ),
  );
  const slugs = new Map<string, { id: string | null; until: number }>();
  sctx.events.on('instanceRequest', async (e) => {
    let hit = slugs.get(e.instanceSlug);
    if (!hit || hit.until < e.at.getTime()) {
      const ref = await sctx.store.repos.opsLookups.instanceRef(e.instanceSlug);
      hit = { id: ref?.slug === e.instanceSlug ? ref.id : null, until: e.at.getTime() + 60_000 };
      slugs.set(e.instanceSlug, hit);
    }
    if (hit.id) ops.sla.recordRequest(hit.id, e.status, e.at);
  });

  const flush = async () => {
    await Promise.allSettled([...inflight]);
    await Promise.all([ops.meter.flush(), ops.sla.flush()]);
  };
  return {
    ops,
    mail,
    sms,
    flush,
    start() {
      const timer = setInterval(() => {
        flush().catch((err) => log.error({ err }, 'metering flush failed (kept for the next one)'));
      }, meteringFlushMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await flush().catch((err) => log.error({ err }, 'final metering flush failed'));
        mail.close();
      };
    },
  };
}
