// G3.5: gifts, promotions and vouchers are kept apart from cash and are never
// refunded or converted to cash. SLA credits are issued as vouchers (SLA2).
import type { Amount, Money } from './money.ts';
import { money } from './money.ts';

export interface Balance {
  cash: Amount;
  voucher: Amount;
}

/**
 * Splits a refund of a purchase paid partly with vouchers. Consumption is taken from
 * the voucher part first, so the cash part is refunded as far as possible; the
 * voucher part of a refund is forfeited, never paid out as cash.
 */
export function splitRefund(
  paid: Balance,
  refund: Amount,
): { cash: Money; voucherForfeited: Money } {
  const r = money(refund);
  const total = money(paid.cash).plus(paid.voucher);
  if (r.isNegative() || r.gt(total))
    throw new RangeError('refund: must be between 0 and the amount paid');
  const cash = r.lte(paid.cash) ? r : money(paid.cash);
  return { cash, voucherForfeited: r.minus(cash) };
}

/** A credit (e.g. an SLA credit) goes to the voucher balance, never to cash. */
export function creditVoucher(balance: Balance, amount: Amount): { cash: Money; voucher: Money } {
  return { cash: money(balance.cash), voucher: money(balance.voucher).plus(amount) };
}

/** Only the cash balance can be withdrawn or refunded. */
export function withdrawable(balance: Balance): Money {
  return money(balance.cash);
}
