// Resource packages (G9.1.2–G9.1.4): usage draws on packages first, earliest expiry
// first; a package ends at its expiry or when used up; what is left at expiry is
// forfeited; usage beyond the packages is billed postpaid.
import type { Amount } from './money.ts';
import { Money, money, round2 } from './money.ts';

export interface ResourcePackage {
  id: string;
  remaining: Amount;
  /** epoch ms; the package is usable while `at < expiresAt` */
  expiresAt: number;
}

/** G9.1.2: ended at expiry (inclusive) or when used up. */
export function packageEnded(p: ResourcePackage, at: number): boolean {
  return at >= p.expiresAt || money(p.remaining).lte(0);
}

export interface Draw {
  drawn: { id: string; quantity: Money }[];
  /** quantity not covered by packages (G9.1.4) */
  overflow: Money;
  /** overflow × postpaid unit price, rounded */
  overflowCharge: Money;
  packages: ResourcePackage[];
}

export function drawUsage(
  packages: readonly ResourcePackage[],
  quantity: Amount,
  at: number,
  postpaidUnitPrice: Amount,
): Draw {
  let left = money(quantity);
  if (left.isNegative()) throw new RangeError('quantity: must not be negative');
  const order = packages
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => !packageEnded(p, at))
    .sort((a, b) => a.p.expiresAt - b.p.expiresAt || a.i - b.i);
  const after = packages.map((p) => ({ ...p }));
  const drawn: Draw['drawn'] = [];
  for (const { p, i } of order) {
    if (left.isZero()) break;
    const take = Money.min(left, money(p.remaining));
    drawn.push({ id: p.id, quantity: take });
    left = left.minus(take);
    const target = after[i];
    if (target) target.remaining = money(p.remaining).minus(take).toString();
  }
  return {
    drawn,
    overflow: left,
    overflowCharge: round2(left.times(postpaidUnitPrice)),
    packages: after,
  };
}

/** G9.1.3: quantities left in packages whose expiry is at or before `at` are forfeited. */
export function forfeitExpired(
  packages: readonly ResourcePackage[],
  at: number,
): { forfeited: { id: string; quantity: Money }[]; packages: ResourcePackage[] } {
  const forfeited: { id: string; quantity: Money }[] = [];
  const after = packages.map((p) => {
    if (at >= p.expiresAt && money(p.remaining).gt(0)) {
      forfeited.push({ id: p.id, quantity: money(p.remaining) });
      return { ...p, remaining: '0' };
    }
    return { ...p };
  });
  return { forfeited, packages: after };
}
