// The identity service's SLA (SLA1–SLA3), with G10.3 (maintenance excluded), G10.4
// (72 consecutive hours → termination right) and G5.8 (free trials: no SLA).
import type { Amount, Money } from './money.ts';
import { money, round2 } from './money.ts';
import { AGREEMENT_ZONE } from './model.ts';
import { HOUR, MINUTE, dateOf, startOfDate, startOfMonth, zoned } from './time.ts';

export const WINDOW = 5 * MINUTE;

export interface RequestWindow {
  /** start of the 5-minute window, epoch ms, on a 5-minute boundary of the month */
  start: number;
  /** all requests received */
  requests: number;
  /** 4xx: not valid requests (SLA1) */
  clientErrors?: number;
  /** refused because of arrears: not valid requests (SLA1) */
  arrearsRefused?: number;
  /** 5xx caused by the service */
  serverErrors?: number;
  /** timeouts caused by the service */
  timeouts?: number;
}

export interface Interval {
  start: number;
  end: number;
}

export interface Availability {
  /** percent, unrounded */
  percent: Money;
  /** 5-minute windows counted (the month's windows minus those inside maintenance) */
  windows: number;
  excluded: number;
}

/**
 * SLA1: availability of the calendar month containing `monthOf` (agreement zone) =
 * (1 − Σ window error rates ÷ number of windows) × 100. A window's error rate =
 * failed ÷ valid requests (0 without valid requests). Windows that lie entirely inside
 * announced maintenance (G10.3) are left out of both sums. Windows not given had no
 * requests and count 0.
 */
export function monthlyAvailability(
  monthOf: number,
  windows: readonly RequestWindow[],
  maintenance: readonly Interval[] = [],
  zone = AGREEMENT_ZONE,
): Availability {
  const start = startOfMonth(zone, monthOf);
  const end = startOfMonth(zone, monthOf, 1);
  const inMaintenance = (w: number) => maintenance.some((m) => m.start <= w && w + WINDOW <= m.end);
  let excluded = 0;
  for (let w = start; w < end; w += WINDOW) if (inMaintenance(w)) excluded++;
  const total = Math.round((end - start) / WINDOW) - excluded;
  const seen = new Set<number>();
  let errorSum = money(0);
  windows.forEach((w, i) => {
    const f = `windows[${i}]`;
    if (w.start < start || w.start >= end) throw new RangeError(`${f}.start: outside the month`);
    if ((w.start - start) % WINDOW !== 0)
      throw new RangeError(`${f}.start: not on a 5-minute boundary`);
    if (seen.has(w.start)) throw new RangeError(`${f}.start: duplicate window`);
    seen.add(w.start);
    if (inMaintenance(w.start)) return;
    const valid = w.requests - (w.clientErrors ?? 0) - (w.arrearsRefused ?? 0);
    const failed = (w.serverErrors ?? 0) + (w.timeouts ?? 0);
    if (valid < 0 || failed > valid || failed < 0)
      throw new RangeError(`${f}: counts do not add up`);
    if (valid > 0) errorSum = errorSum.plus(money(failed).dividedBy(valid));
  });
  const percent = total > 0 ? money(1).minus(errorSum.dividedBy(total)).times(100) : money(100);
  return { percent, windows: total, excluded };
}

export const COMMITMENT = '99.95';

/** SLA2 tiers: ≥ 99.95 → 0 %; [99.0, 99.95) → 10 %; [95.0, 99.0) → 25 %; < 95.0 → 100 %. */
export function creditPercent(availabilityPercent: Amount): 0 | 10 | 25 | 100 {
  const a = money(availabilityPercent);
  if (a.gte(COMMITMENT)) return 0;
  if (a.gte('99.0')) return 10;
  if (a.gte('95.0')) return 25;
  return 100;
}

/**
 * SLA2: credit, as vouchers for this product (G3.5), for one month: tier × the month's
 * fee, capped so that all credits for the month stay ≤ the month's fee. Free trials
 * have no SLA (G5.8).
 */
export function slaCredit(args: {
  availabilityPercent: Amount;
  monthlyFee: Amount;
  alreadyCredited?: Amount;
  freeTrial?: boolean;
}): Money {
  if (args.freeTrial) return money(0);
  const fee = money(args.monthlyFee);
  const room = fee.minus(args.alreadyCredited ?? 0);
  const wanted = round2(fee.times(creditPercent(args.availabilityPercent)).dividedBy(100));
  if (room.lte(0)) return money(0);
  return wanted.lte(room) ? wanted : room;
}

/**
 * SLA3: claims for the month containing `monthOf` open at 00:00 of the 5th business
 * day (Monday–Friday; no public-holiday calendar is applied) of the following month,
 * and close at the end of the second month after it: [opens, closes).
 */
export function claimWindow(
  monthOf: number,
  zone = AGREEMENT_ZONE,
): { opens: number; closes: number } {
  let day = dateOf(zone, startOfMonth(zone, monthOf, 1));
  let business = 0;
  for (;;) {
    const dow = zoned(zone, startOfDate(zone, day)).dayOfWeek; // 1 = Monday … 7 = Sunday
    if (dow <= 5 && ++business === 5) break;
    day++;
  }
  return { opens: startOfDate(zone, day), closes: startOfMonth(zone, monthOf, 3) };
}

export function mayClaim(monthOf: number, at: number, zone = AGREEMENT_ZONE): boolean {
  const { opens, closes } = claimWindow(monthOf, zone);
  return at >= opens && at < closes;
}

export const TERMINATION_OUTAGE_HOURS = 72;

/**
 * G10.4 / SLA3: the first instant at which the service has been unavailable for 72
 * consecutive hours (outages that touch or overlap are one), or null.
 */
export function terminationRightFrom(outages: readonly Interval[]): number | null {
  const sorted = [...outages].sort((a, b) => a.start - b.start);
  let run: Interval | null = null;
  for (const o of sorted) {
    if (run && o.start <= run.end) run = { start: run.start, end: Math.max(run.end, o.end) };
    else run = { ...o };
    if (run.end - run.start >= TERMINATION_OUTAGE_HOURS * HOUR)
      return run.start + TERMINATION_OUTAGE_HOURS * HOUR;
  }
  return null;
}
