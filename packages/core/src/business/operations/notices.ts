// Notices (G11): queued per channel in the transaction that causes them, sent by a
// durable job, with records of sending and deemed delivery (G11.3, G11.4).
import { deliveredAt, HOUR, MINUTE } from '@idaas/agreement';
import { newId } from '../../ids.ts';
import { invalid, notFound } from '../../errors.ts';
import type { Repos } from '../../ports.ts';
import type { NoticePort } from '../contracts.ts';
import type { NoticeChannel, NoticeRecord } from '../operations-ports.ts';
import type { ChannelSenders, Locale, OperationsDeps } from './deps.ts';

export const NOTICE_SEND = 'notice.send';

/** Backoff between attempts at sending a notice: 1 min, 5 min, 30 min, 2 h, 6 h … */
const BACKOFF = [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR];

export function localeOf(value: string | null | undefined): Locale {
  return value && value.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

export type NotifyInput = Parameters<NoticePort['notify']>[0];

export class NoticeService implements NoticePort {
  readonly #d: OperationsDeps;
  constructor(deps: OperationsDeps) {
    this.#d = deps;
  }

  /** NoticePort: one row per channel (deduplicated by `dedupeKey`), send jobs queued. */
  async notify(input: NotifyInput): Promise<void> {
    if (input.tx) {
      await this.#notify(input, input.tx);
      return;
    }
    await this.#d.store.transaction((tx) => this.#notify(input, tx));
  }

  /** Like notify, returning the rows it inserted (none when deduplicated). */
  async notifyRows(input: NotifyInput, tx: Repos): Promise<NoticeRecord[]> {
    return this.#notify(input, tx);
  }

  async #notify(input: NotifyInput, tx: Repos): Promise<NoticeRecord[]> {
    const { accountId, template, at } = input;
    if (!input.dedupeKey) throw invalid('dedupeKey', 'is required');
    const contacts = await tx.opsLookups.contactsOf(accountId);
    const locale = localeOf(contacts?.locale);
    const text = this.#d.renderer.render(template, locale, input.vars);
    const channels: NoticeChannel[] = ['in-site', ...this.#d.renderer.channels(template)];
    const rows: NoticeRecord[] = [];
    for (const channel of channels) {
      const address =
        channel === 'email'
          ? (contacts?.email ?? null)
          : channel === 'sms'
            ? (contacts?.phone ?? null)
            : channel === 'paper'
              ? (contacts?.postalAddress ?? null)
              : null;
      if (channel !== 'in-site' && !address) continue; // no such contact detail on file
      const inbox = channel === 'in-site';
      rows.push({
        id: newId(this.#d.clock),
        accountId,
        instanceId: input.instanceId,
        channel,
        address,
        template,
        locale,
        subject: text.subject,
        body: channel === 'sms' ? text.short : text.body,
        clause: input.clause,
        // the in-site inbox is written here: delivered when sent (G11.3)
        status: inbox ? 'sent' : 'queued',
        createdAt: at,
        sentAt: inbox ? at : null,
        deliveredAt: inbox ? at : null,
        readAt: null,
        error: null,
        dedupeKey: `${input.dedupeKey}:${channel}`,
        transport: inbox ? 'inbox' : null,
        attempts: inbox ? 1 : 0,
      });
    }
    const inserted = await tx.notices.insertMany(rows);
    const queued = inserted.filter((r) => r.status === 'queued');
    if (queued.length) {
      // read in this transaction (another connection would wait on SQLite's single one)
      const clockId = (await tx.opsLookups.accountKind(accountId))?.clockId ?? null;
      for (const r of queued)
        await this.#d.jobs.enqueue(
          {
            kind: NOTICE_SEND,
            payload: { noticeId: r.id },
            runAt: at,
            dedupeKey: `notice:${r.id}:1`,
            clockId,
          },
          tx,
        );
    }
    return inserted;
  }

  /**
   * The `notice.send` job: sends a queued notice once. A notice already sent is skipped
   * (idempotent). A failure is recorded and retried later by a new job with backoff;
   * after `noticeMaxAttempts` the notice is `failed`.
   */
  async deliver(
    job: { payload: Record<string, unknown>; now: Date; clockId: string | null; tx: Repos },
    senders: ChannelSenders,
  ): Promise<'sent' | 'posted' | 'skipped' | 'retry' | 'failed'> {
    const { tx, now } = job;
    const id = String(job.payload.noticeId ?? '');
    const n = await tx.notices.get(id);
    if (!n || n.status !== 'queued') return 'skipped';
    if (n.channel === 'paper') {
      // posted today; delivered at 00:00 of natural day 5 after the posting day (G11.3)
      const delivered = new Date(deliveredAt({ channel: 'paper', sentAt: now.getTime() }));
      await tx.notices.markSent(id, {
        status: 'posted',
        sentAt: now,
        deliveredAt: delivered,
        transport: 'post',
        note: null,
      });
      return 'posted';
    }
    try {
      const r =
        n.channel === 'email'
          ? await senders.email({ to: n.address!, subject: n.subject, text: n.body })
          : await senders.sms({ to: n.address!, text: n.body });
      await tx.notices.markSent(id, {
        status: 'sent',
        sentAt: now,
        deliveredAt: now, // electronic: delivered when sent successfully (G11.3)
        transport: r.transport,
        note: r.rejected ? `recipient refused (${r.rejected}); counts as delivered (G11.4)` : null,
      });
      return 'sent';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const attempts = await tx.notices.recordFailure(id, message);
      if (attempts >= this.#d.options.noticeMaxAttempts) {
        await tx.notices.markFailed(id, message);
        return 'failed';
      }
      const wait = BACKOFF[Math.min(attempts - 1, BACKOFF.length - 1)]!;
      await this.#d.jobs.enqueue(
        {
          kind: NOTICE_SEND,
          payload: { noticeId: id },
          runAt: new Date(now.getTime() + wait),
          dedupeKey: `notice:${id}:${attempts + 1}`,
          clockId: job.clockId,
        },
        tx,
      );
      return 'retry';
    }
  }

  /** The in-site inbox of an account (G11.1): its in-site notices, newest first. */
  inbox(accountId: string, q: { limit: number; cursor: string | null; unread?: boolean }) {
    return this.#d.store.repos.notices.listByAccount(accountId, {
      ...q,
      channel: 'in-site',
    });
  }

  /** Every notice of an account on every channel (records of sending and delivery). */
  list(
    accountId: string,
    q: { limit: number; cursor: string | null; channel?: NoticeChannel },
  ): Promise<{ items: NoticeRecord[]; next: string | null }> {
    return this.#d.store.repos.notices.listByAccount(accountId, q);
  }

  async read(accountId: string, id: string): Promise<NoticeRecord> {
    const n = await this.#d.store.repos.notices.get(id);
    if (!n || n.accountId !== accountId) throw notFound('notice');
    if (n.channel === 'in-site' && !n.readAt) {
      const at = (await this.#d.clocks.clockFor(accountId)).now();
      await this.#d.store.repos.notices.markRead(accountId, id, at);
      return { ...n, readAt: at };
    }
    return n;
  }
}
