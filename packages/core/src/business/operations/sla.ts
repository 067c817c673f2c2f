// The SLA (SLA1–SLA3, G10.3, G10.4, G5.8): request outcomes per instance in 5-minute
// windows, operator-declared maintenance, monthly availability and credits computed by
// @idaas/agreement, claims issued as vouchers through the ledger port.
import {
  COMMITMENT,
  WINDOW,
  claimWindow,
  creditPercent,
  mayClaim,
  money,
  monthlyAvailability,
  slaCredit,
  terminationRightFrom,
  type Interval,
} from '@idaas/agreement';
import { AppError, conflict, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { MaintenanceWindow, SlaClaim } from '../operations-ports.ts';
import type { OperationsDeps } from './deps.ts';
import { monthKey, monthRange, windowStart } from './time.ts';

export interface SlaReport {
  instanceId: string;
  month: string;
  /** percent, 4 decimals (rounded for display; credits use the exact value) */
  availability: string;
  commitment: string;
  met: boolean;
  windows: number;
  excludedWindows: number;
  failedRequests: number;
  validRequests: number;
  creditPercent: number;
  /** what a claim would credit now, in fen (0 for free trials) */
  creditFen: number;
  feeFen: number;
  freeTrial: boolean;
  claimWindow: { opens: Date; closes: Date };
  claim: SlaClaim | null;
  /** G10.4: the first instant of 72 consecutive hours unavailable, or null */
  terminationRightFrom: Date | null;
  outages: { start: Date; end: Date }[];
}

export class SlaService {
  readonly #d: OperationsDeps;
  /** `${instanceId} ${windowIso}` → counts not yet written */
  #buf = new Map<string, { valid: number; failed: number }>();
  #flushing: Promise<void> = Promise.resolve();
  constructor(deps: OperationsDeps) {
    this.#d = deps;
  }

  /**
   * One request under /i/:slug finished (SLA1): 5xx = failed; 4xx are not valid requests
   * (refusals for arrears are 403, so they are left out too); the rest are valid.
   */
  recordRequest(instanceId: string, status: number, at: Date): void {
    if (status >= 400 && status < 500) return;
    const k = `${instanceId} ${windowStart(at).toISOString()}`;
    const c = this.#buf.get(k) ?? { valid: 0, failed: 0 };
    c.valid++;
    if (status >= 500) c.failed++;
    this.#buf.set(k, c);
  }

  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#flushOnce());
    this.#flushing = run.catch(() => {});
    return run;
  }

  async #flushOnce(): Promise<void> {
    if (this.#buf.size === 0) return;
    const buf = this.#buf;
    this.#buf = new Map();
    try {
      await this.#d.store.transaction(async (tx) => {
        for (const [k, c] of buf) {
          const [instanceId, w] = k.split(' ') as [string, string];
          await tx.sla.addWindow(instanceId, new Date(w), c.valid, c.failed);
        }
      });
    } catch (err) {
      for (const [k, c] of buf) {
        const cur = this.#buf.get(k) ?? { valid: 0, failed: 0 };
        this.#buf.set(k, { valid: cur.valid + c.valid, failed: cur.failed + c.failed });
      }
      throw err;
    }
  }

  // ---- maintenance windows (G10.3: announced maintenance is excluded)

  async addMaintenance(input: {
    instanceId: string | null;
    startsAt: Date;
    endsAt: Date;
    description: string;
  }): Promise<MaintenanceWindow> {
    const m: MaintenanceWindow = {
      id: newId(this.#d.clock),
      instanceId: input.instanceId,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      description: input.description,
      announcedAt: this.#d.clock.now(),
    };
    this.#checkMaintenance(m);
    await this.#d.store.repos.sla.insertMaintenance(m);
    return m;
  }

  #checkMaintenance(m: MaintenanceWindow): void {
    if (!(m.endsAt > m.startsAt)) throw invalid('endsAt', 'must be after starts_at');
    if (!m.description.trim()) throw invalid('description', 'must not be empty');
    if (m.startsAt < m.announcedAt)
      throw invalid(
        'startsAt',
        'must not be in the past: maintenance is announced beforehand (G10.3)',
      );
  }

  async getMaintenance(id: string): Promise<MaintenanceWindow> {
    const m = await this.#d.store.repos.sla.getMaintenance(id);
    if (!m) throw notFound('maintenance window');
    return m;
  }

  async updateMaintenance(
    id: string,
    patch: { startsAt?: Date; endsAt?: Date; description?: string },
  ): Promise<MaintenanceWindow> {
    const cur = await this.getMaintenance(id);
    const now = this.#d.clock.now();
    if (cur.startsAt <= now) throw conflict('maintenance window has already started', 'id');
    const m: MaintenanceWindow = {
      ...cur,
      ...(patch.startsAt ? { startsAt: patch.startsAt } : {}),
      ...(patch.endsAt ? { endsAt: patch.endsAt } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      announcedAt: now,
    };
    this.#checkMaintenance(m);
    await this.#d.store.repos.sla.updateMaintenance(m);
    return m;
  }

  async deleteMaintenance(id: string): Promise<void> {
    if (!(await this.#d.store.repos.sla.deleteMaintenance(id)))
      throw notFound('maintenance window');
  }

  listMaintenance(instanceId: string | null, from: Date, to: Date): Promise<MaintenanceWindow[]> {
    return this.#d.store.repos.sla.maintenance(instanceId, from, to);
  }

  // ---- report and claims

  async report(instanceId: string, month: string): Promise<SlaReport> {
    const { start, end } = monthRange(month);
    const repos = this.#d.store.repos;
    const [rows, maint, plan, claim, feeFen] = await Promise.all([
      repos.sla.windows(instanceId, start, end),
      repos.sla.maintenance(instanceId, start, end),
      repos.opsLookups.planOf(instanceId),
      repos.sla.claim(instanceId, month),
      this.#d.ledger.feesFor(instanceId, start, end),
    ]);
    const intervals: Interval[] = maint.map((m) => ({
      start: m.startsAt.getTime(),
      end: m.endsAt.getTime(),
    }));
    const a = monthlyAvailability(
      start.getTime(),
      rows.map((w) => ({
        start: w.windowStart.getTime(),
        requests: w.valid,
        serverErrors: w.failed,
      })),
      intervals,
    );
    const inMaint = (w: number) => intervals.some((m) => m.start <= w && w + WINDOW <= m.end);
    // G10.4: a window in which every valid request failed is a window of unavailability
    const outages: Interval[] = rows
      .filter((w) => w.valid > 0 && w.failed === w.valid && !inMaint(w.windowStart.getTime()))
      .map((w) => ({ start: w.windowStart.getTime(), end: w.windowStart.getTime() + WINDOW }));
    const merged: Interval[] = [];
    for (const o of outages.sort((x, y) => x.start - y.start)) {
      const last = merged[merged.length - 1];
      if (last && o.start <= last.end) last.end = Math.max(last.end, o.end);
      else merged.push({ ...o });
    }
    const right = terminationRightFrom(merged);
    const freeTrial = plan !== null && !plan.sla;
    const credit = slaCredit({
      availabilityPercent: a.percent,
      monthlyFee: money(feeFen).dividedBy(100),
      alreadyCredited: money(claim?.creditFen ?? 0).dividedBy(100),
      freeTrial,
    });
    const cw = claimWindow(start.getTime());
    return {
      instanceId,
      month,
      availability: a.percent.toDecimalPlaces(4).toFixed(4),
      commitment: COMMITMENT,
      met: a.percent.gte(COMMITMENT),
      windows: a.windows,
      excludedWindows: a.excluded,
      failedRequests: rows
        .filter((w) => !inMaint(w.windowStart.getTime()))
        .reduce((s, w) => s + w.failed, 0),
      validRequests: rows
        .filter((w) => !inMaint(w.windowStart.getTime()))
        .reduce((s, w) => s + w.valid, 0),
      creditPercent: freeTrial ? 0 : creditPercent(a.percent),
      creditFen: claim ? 0 : credit.times(100).toNumber(),
      feeFen,
      freeTrial,
      claimWindow: { opens: new Date(cw.opens), closes: new Date(cw.closes) },
      claim,
      terminationRightFrom: right === null ? null : new Date(right),
      outages: merged.map((o) => ({ start: new Date(o.start), end: new Date(o.end) })),
    };
  }

  /**
   * SLA3: a claim for an instance and month, within the claim window; the credit
   * (SLA2, ≤ the month's fee) is issued as a voucher in the same transaction. One claim
   * per instance and month.
   */
  async claim(instanceId: string, month: string): Promise<SlaClaim> {
    const ref = await this.#d.store.repos.opsLookups.instanceRef(instanceId);
    if (!ref) throw notFound('instance');
    const { start } = monthRange(month);
    const now = (await this.#d.clocks.clockFor(ref.accountId)).now();
    if (!mayClaim(start.getTime(), now.getTime())) {
      const w = claimWindow(start.getTime());
      throw new AppError(
        'conflict',
        `month: claims for ${month} are accepted from ${new Date(w.opens).toISOString()} until ${new Date(w.closes).toISOString()} (SLA3)`,
        { issues: [{ field: 'month', message: 'outside the claim window (SLA3)' }] },
      );
    }
    if (month === monthKey(now)) throw invalid('month', 'the month has not ended');
    const report = await this.report(instanceId, month);
    if (report.freeTrial)
      throw new AppError('conflict', 'instance: free trials carry no SLA (G5.8)', {
        issues: [{ field: 'instance', message: 'free trial: no SLA (G5.8)' }],
      });
    if (report.claim) throw conflict(`month: ${month} was already claimed`, 'month');
    const c: SlaClaim = {
      id: newId(this.#d.clock),
      accountId: ref.accountId,
      instanceId,
      month,
      availability: report.availability,
      creditFen: report.creditFen,
      status: report.creditFen > 0 ? 'credited' : 'no-credit',
      createdAt: now,
    };
    await this.#d.store.transaction(async (tx) => {
      await tx.sla.insertClaim(c);
      if (c.creditFen > 0)
        await this.#d.ledger.issueVoucher({
          accountId: ref.accountId,
          amountFen: c.creditFen,
          reason: 'sla-credit',
          idempotencyKey: `sla-credit:${instanceId}:${month}`,
          at: now,
          expiresAt: null,
          tx,
        });
    });
    return c;
  }
}
