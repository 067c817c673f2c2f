// G3.4: late fee 0.05 % of the overdue amount per day overdue, simple (not
// compounding), counted in full days (exact 24 h periods since the due instant).
import type { Amount, Money } from './money.ts';
import { money, round2 } from './money.ts';
import { DAY } from './time.ts';

export const LATE_FEE_RATE_PER_DAY = '0.0005';

/** Full days overdue: 0 until 24 h after the due instant, then 1, … */
export function daysOverdue(dueAt: number, at: number): number {
  return at <= dueAt ? 0 : Math.floor((at - dueAt) / DAY);
}

export function lateFeeForDays(overdue: Amount, days: number): Money {
  if (!Number.isInteger(days) || days < 0)
    throw new RangeError('days: expected a whole number ≥ 0');
  return round2(money(overdue).times(LATE_FEE_RATE_PER_DAY).times(days));
}

export function lateFee(overdue: Amount, dueAt: number, at: number): Money {
  return lateFeeForDays(overdue, daysOverdue(dueAt, at));
}
