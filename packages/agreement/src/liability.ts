// G10.6: the provider's liability is capped at the fees the customer paid for that
// service over the 12 calendar months before the instant in question.
import type { Amount, Money } from './money.ts';
import { money, round2 } from './money.ts';
import { AGREEMENT_ZONE } from './model.ts';
import { addMonths } from './time.ts';

export interface Payment {
  at: number;
  service: string;
  amount: Amount;
  /** vouchers are not fees paid (G3.5); default cash */
  kind?: 'cash' | 'voucher';
}

/** Σ cash paid for `service` in [at − 12 months, at). */
export function liabilityCap(
  payments: readonly Payment[],
  service: string,
  at: number,
  zone = AGREEMENT_ZONE,
): Money {
  const from = addMonths(zone, at, -12);
  let total = money(0);
  for (const p of payments) {
    if (p.service === service && (p.kind ?? 'cash') === 'cash' && p.at >= from && p.at < at) {
      total = total.plus(p.amount);
    }
  }
  return round2(total);
}
