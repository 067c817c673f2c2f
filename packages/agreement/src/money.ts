// Money: decimal.js, never binary floating point. Amounts in CNY; round half up to
// 2 decimals once, at the end of each calculation (agreement.md, time conventions).
import { Decimal } from 'decimal.js';

export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;
/** Pass amounts as strings ("12.30") or Decimals; integers as numbers are fine too. */
export type Amount = string | number | Decimal;

export function money(x: Amount): Money {
  return new Money(x);
}

export function round2(x: Amount): Money {
  return new Money(x).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

export function sum(xs: readonly Amount[]): Money {
  return xs.reduce<Money>((acc, x) => acc.plus(x), new Money(0));
}
