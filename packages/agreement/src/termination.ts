// Early termination: charge and refund (G9.3.3), provider notice (G9.3.4).
// The customer pays for whole calendar months of service actually provided, counted
// from the start, plus the days of the partial month, each day at the monthly price
// ÷ the number of days of the calendar month it falls in; a started day counts as a
// day. The rest of the prepayment is refunded. Months are calendar months in the zone.
import type { Amount, Money } from './money.ts';
import { money, round2 } from './money.ts';
import { AGREEMENT_ZONE } from './model.ts';
import { DAY, zoned } from './time.ts';

export interface PrepaidTerm {
  /** activation: the term is counted from here (G9.1.1) */
  start: number;
  monthlyPrice: Amount;
  /** what the customer paid for the term */
  paid: Amount;
}

export interface Consumption {
  months: number;
  days: number;
  /** unrounded value of the service provided */
  value: Money;
}

/** The value of service provided over [start, end). */
export function consumed(
  start: number,
  end: number,
  monthlyPrice: Amount,
  zone = AGREEMENT_ZONE,
): Consumption {
  if (end < start) throw new RangeError('end: before the start of the term');
  const from = zoned(zone, start);
  const to = zoned(zone, end);
  // Whole months: the largest n with start + n months ≤ end (Temporal clamps Jan 31 + 1 month to Feb 28/29).
  let months = 0;
  while (from.add({ months: months + 1 }).epochMilliseconds <= end) months++;
  const partialStart = from.add({ months });
  const days = partialStart.until(to, {
    largestUnit: 'days',
    smallestUnit: 'days',
    roundingMode: 'ceil',
  }).days;
  const price = money(monthlyPrice);
  let value = price.times(months);
  for (let i = 0; i < days; i++) {
    value = value.plus(price.dividedBy(partialStart.add({ days: i }).daysInMonth));
  }
  return { months, days, value };
}

export interface Settlement extends Consumption {
  charge: Money;
  refund: Money;
}

/** G9.3.3: charge for what was provided up to `at` (never more than paid); refund = paid − charge. */
export function earlyTermination(term: PrepaidTerm, at: number, zone = AGREEMENT_ZONE): Settlement {
  const c = consumed(term.start, at, term.monthlyPrice, zone);
  const paid = money(term.paid);
  const value = round2(c.value);
  const charge = value.lte(paid) ? value : paid;
  return { ...c, charge, refund: paid.minus(charge) };
}

export const PROVIDER_NOTICE_DAYS = 30;

/**
 * G9.3.4: the provider may end the agreement 30 days (exact) after its notice is
 * delivered, refunding the prepayment not yet consumed at the end.
 */
export function providerTermination(
  term: PrepaidTerm,
  noticeDeliveredAt: number,
  endAt?: number,
  zone = AGREEMENT_ZONE,
): Settlement & { earliestEnd: number; end: number } {
  const earliestEnd = noticeDeliveredAt + PROVIDER_NOTICE_DAYS * DAY;
  const end = Math.max(endAt ?? earliestEnd, earliestEnd);
  return { ...earlyTermination(term, end, zone), earliestEnd, end };
}
