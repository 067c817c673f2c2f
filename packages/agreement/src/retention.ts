// G4.6: access logs are retained 180 days by default, configurable, never less than
// what the law requires. The legal minimum is a deployment setting (the default
// assumes six months ≈ 180 days); this function only enforces the ordering.
import { DAY } from './time.ts';

export const DEFAULT_LOG_RETENTION_DAYS = 180;

export function logRetentionDays(
  configured?: number,
  legalMinimumDays = DEFAULT_LOG_RETENTION_DAYS,
): number {
  const wanted = configured ?? DEFAULT_LOG_RETENTION_DAYS;
  if (!Number.isInteger(wanted) || wanted <= 0)
    throw new RangeError('configured: expected a whole number of days > 0');
  return Math.max(wanted, legalMinimumDays);
}

/** A log line recorded at `at` may be deleted from this instant on. */
export function logDeletableAt(at: number, retentionDays: number): number {
  return at + retentionDays * DAY;
}
