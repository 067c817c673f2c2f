// Order hold and renewal deadlines (G3.2.1, P5, P6, G3.2.2, ID1).
import { DAY } from './time.ts';

/** Hold of an unpaid prepaid order in days: 7 (G3.2.1), 3 for P5 and P6. */
export function orderHoldDays(policyId: string): number {
  return policyId === 'P5' || policyId === 'P6' ? 3 : 7;
}

/**
 * G3.2.1: an unpaid order is held `holdDays` exact days from its creation and is void
 * at that instant. A payment at exactly the void instant is too late (exclusive),
 * like every engine deadline.
 */
export function orderVoidAt(createdAt: number, holdDays = 7): number {
  return createdAt + holdDays * DAY;
}
export function orderPayableAt(createdAt: number, at: number, holdDays = 7): boolean {
  return at >= createdAt && at < orderVoidAt(createdAt, holdDays);
}

/**
 * G3.2.2: a renewal must be paid no later than 7 days before the term ends. "No later
 * than" is inclusive: a renewal paid at exactly termEnd − 7 days is in time.
 */
export function renewalDeadline(termEnd: number): number {
  return termEnd - 7 * DAY;
}
export function renewalInTime(termEnd: number, paidAt: number): boolean {
  return paidAt <= renewalDeadline(termEnd);
}

/** ID1: reminders 7, 3 and 1 exact days before expiry (G3.2.2: reminders before the deadline). */
export function reminderInstants(
  termEnd: number,
  daysBefore: readonly number[] = [7, 3, 1],
): number[] {
  return [...daysBefore].sort((a, b) => b - a).map((n) => termEnd - n * DAY);
}
