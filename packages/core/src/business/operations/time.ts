// Calendar helpers of operations: months in the agreement zone (MAU, SLA, claims),
// UTC hours (metering) and 5-minute windows (SLA1).
import { AGREEMENT_ZONE, HOUR, WINDOW, startOfMonth, zoned } from '@idaas/agreement';
import { invalid } from '../../errors.ts';

/** `YYYY-MM` of the calendar month (agreement zone, Asia/Shanghai) containing `at`. */
export function monthKey(at: Date | number): string {
  const z = zoned(AGREEMENT_ZONE, typeof at === 'number' ? at : at.getTime());
  return `${z.year}-${String(z.month).padStart(2, '0')}`;
}

/** [start, end) of a `YYYY-MM` month in the agreement zone; a malformed month names `field`. */
export function monthRange(month: string, field = 'month'): { start: Date; end: Date } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw invalid(field, 'must be a month as YYYY-MM');
  // the 15th, noon UTC, lies inside the month in any zone within ±12 h
  const mid = Date.UTC(Number(m[1]), Number(m[2]) - 1, 15, 12);
  return {
    start: new Date(startOfMonth(AGREEMENT_ZONE, mid)),
    end: new Date(startOfMonth(AGREEMENT_ZONE, mid, 1)),
  };
}

/** The UTC hour containing `at` (the metering and settlement unit, G3.3). */
export function hourStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR) * HOUR);
}

/** The 5-minute window containing `at` (SLA1). Month boundaries fall on window boundaries. */
export function windowStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / WINDOW) * WINDOW);
}
