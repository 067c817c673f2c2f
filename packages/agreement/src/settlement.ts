// Postpaid hourly settlement for the previous hour (G3.3; P9, P20, P22, P31, ID2).
import type { Amount, Money } from './money.ts';
import { money, round2 } from './money.ts';
import { AGREEMENT_ZONE } from './model.ts';
import { zoned } from './time.ts';

/**
 * The billing window a settlement at `at` covers: the whole clock hour before the
 * hour containing `at`, in `zone`, as [start, end). A settlement at 10:00:00 covers
 * [09:00, 10:00); one at 10:59:59.999 covers the same hour.
 */
export function settlementWindow(
  at: number,
  zone = AGREEMENT_ZONE,
): { start: number; end: number } {
  const end = zoned(zone, at).round({ smallestUnit: 'hour', roundingMode: 'floor' });
  return { start: end.subtract({ hours: 1 }).epochMilliseconds, end: end.epochMilliseconds };
}

export interface UsageLine {
  quantity: Amount;
  unitPrice: Amount;
}

/** Σ quantity × unit price over the window's usage, rounded once at the end. */
export function hourlyCharge(usage: readonly UsageLine[]): Money {
  return round2(usage.reduce((acc, u) => acc.plus(money(u.quantity).times(u.unitPrice)), money(0)));
}
