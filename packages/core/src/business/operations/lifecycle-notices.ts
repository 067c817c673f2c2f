// Notices around lifecycle transitions (ID3, G11): renewal reminders (ID1: timer
// entries with the `notify` effect), a notice after each transition, and one before
// each scheduled transition naming what happens next, when, and by which clause.
import { DAY, due, evolve, iso, type InstanceState } from '@idaas/agreement';
import type { Repos } from '../../ports.ts';
import type { LifecycleTransition } from '../contracts.ts';
import type { OperationsDeps } from './deps.ts';
import type { NoticeService } from './notices.ts';

export const NOTICE_BEFORE = 'notice.before';

/** The next state-changing timer of an engine state: when, to what, by which clause. */
export function nextScheduledTransition(
  engine: InstanceState,
): { at: Date; to: string; clause: string; effects: string[] } | null {
  let s = engine;
  for (let i = 0; i < 16; i++) {
    const at = due(s);
    if (at === null) return null;
    const step = evolve(s, null, at);
    const change = step.entries.find((e) => e.state !== s.state);
    if (change)
      return {
        at: new Date(change.at),
        to: change.state,
        clause: change.clause,
        effects: [...change.effects],
      };
    s = step.state; // only effects (e.g. a reminder): look further
  }
  return null;
}

export class LifecycleNotices {
  readonly #d: OperationsDeps;
  readonly #notices: NoticeService;
  constructor(deps: OperationsDeps, notices: NoticeService) {
    this.#d = deps;
    this.#notices = notices;
  }

  #exportUrl(slug: string): string {
    return `${this.#d.options.publicUrl}/api/v1/instances/${encodeURIComponent(slug)}/export`;
  }

  /** The transition listener: runs in the transition's transaction. */
  async onTransition(t: LifecycleTransition, tx: Repos): Promise<void> {
    const ref = await tx.opsLookups.instanceRef(t.instanceId);
    const slug = ref?.slug ?? t.instanceId;
    const at = t.at;
    if (t.from === t.to) {
      if (!t.effects.includes('notify')) return;
      // a renewal reminder (ID1: 7, 3 and 1 days before the term ends, G3.2.2)
      const lc = await tx.opsLookups.lifecycleOf(t.instanceId);
      const engine = lc ? (JSON.parse(lc.engine) as InstanceState) : null;
      const termEnd = engine?.anchors['term-end'];
      const days = termEnd ? Math.max(0, Math.round((termEnd - at.getTime()) / DAY)) : 0;
      await this.#notices.notifyRows(
        {
          accountId: t.accountId,
          instanceId: t.instanceId,
          template: 'renewal.reminder',
          vars: {
            instance: slug,
            days,
            term_end: termEnd ? iso(termEnd) : '',
            clause: t.clause,
          },
          clause: t.clause,
          dedupeKey: `reminder:${t.instanceId}:${termEnd ?? at.getTime()}:${days}`,
          at,
        },
        tx,
      );
      return;
    }
    await this.#notices.notifyRows(
      {
        accountId: t.accountId,
        instanceId: t.instanceId,
        template: `lifecycle.after.${t.to}`,
        vars: {
          instance: slug,
          from: t.from ?? '',
          to: t.to,
          at: at.toISOString(),
          clause: t.clause,
          export_url: this.#exportUrl(slug),
        },
        clause: t.clause,
        dedupeKey: `after:${t.instanceId}:${at.getTime()}:${t.to}`,
        at,
      },
      tx,
    );
    // plan the notice before the next scheduled transition once this one is committed
    await this.#d.jobs.enqueue(
      {
        kind: NOTICE_BEFORE,
        payload: { instanceId: t.instanceId, state: t.to },
        runAt: at,
        dedupeKey: `before-plan:${t.instanceId}:${at.getTime()}:${t.to}`,
        clockId: (await tx.opsLookups.accountKind(t.accountId))?.clockId ?? null,
      },
      tx,
    );
  }

  /**
   * The `notice.before` job: finds the instance's next scheduled transition; waits
   * until `noticeLeadHours` before it (a new job), then notifies. Skipped when the
   * instance has moved on (e.g. paid) since it was planned.
   */
  async before(job: {
    payload: Record<string, unknown>;
    now: Date;
    clockId: string | null;
    tx: Repos;
  }): Promise<'waiting' | 'sent' | 'none' | 'stale'> {
    const { tx, now } = job;
    const instanceId = String(job.payload.instanceId ?? '');
    const lc = await tx.opsLookups.lifecycleOf(instanceId);
    if (!lc || lc.state !== job.payload.state) return 'stale';
    const next = nextScheduledTransition(JSON.parse(lc.engine) as InstanceState);
    if (!next) return 'none';
    if (job.payload.dueAt !== undefined && job.payload.dueAt !== next.at.toISOString())
      return 'stale';
    const sendAt = new Date(next.at.getTime() - this.#d.options.noticeLeadHours * 3_600_000);
    if (now < sendAt) {
      await this.#d.jobs.enqueue(
        {
          kind: NOTICE_BEFORE,
          payload: { instanceId, state: lc.state, dueAt: next.at.toISOString() },
          runAt: sendAt,
          dedupeKey: `before-wait:${instanceId}:${next.at.getTime()}:${next.to}`,
          clockId: job.clockId,
        },
        tx,
      );
      return 'waiting';
    }
    const ref = await tx.opsLookups.instanceRef(instanceId);
    const slug = ref?.slug ?? instanceId;
    await this.#notices.notifyRows(
      {
        accountId: lc.accountId,
        instanceId,
        template: `lifecycle.before.${next.to}`,
        vars: {
          instance: slug,
          from: lc.state ?? '',
          to: next.to,
          when: next.at.toISOString(),
          clause: next.clause,
          export_url: this.#exportUrl(slug),
        },
        clause: next.clause,
        dedupeKey: `before:${instanceId}:${next.at.getTime()}:${next.to}`,
        at: now,
      },
      tx,
    );
    return 'sent';
  }
}
