// Instants and calendar arithmetic. Instants are epoch milliseconds (UTC). Every
// calendar question (which day, where a day or month starts) is answered by
// Temporal in the given IANA zone; answers are memoised per zone, because the
// engine asks the same questions millions of times (bench/agreement.ts).
import { Temporal } from 'temporal-polyfill';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** an exact day: 24 h (agreement.md: "days" are exact unless called natural) */
export const DAY = 86_400_000;

const EPOCH_DATE = Temporal.PlainDate.from({ year: 1970, month: 1, day: 1 });

/** Number of a calendar date: days since 1970-01-01 (a date, not an instant). */
export function dateNumber(date: Temporal.PlainDate): number {
  return Date.UTC(date.year, date.month - 1, date.day) / DAY;
}
export function plainDate(n: number): Temporal.PlainDate {
  return EPOCH_DATE.add({ days: n });
}

interface ZoneCache {
  /** UTC hour number → date number (in the zone) at the start of that hour */
  dateAtHour: Map<number, number>;
  /** date number → epoch ms of the first instant of that date in the zone */
  dayStart: Map<number, number>;
}
const zones = new Map<string, ZoneCache>();
function cacheFor(zone: string): ZoneCache {
  let c = zones.get(zone);
  if (!c) {
    // Fail early on an unknown zone, with its name.
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(zone);
    c = { dateAtHour: new Map(), dayStart: new Map() };
    zones.set(zone, c);
  }
  return c;
}

/** Epoch ms at which calendar date `n` begins in `zone` (00:00, or later on a DST gap). */
export function startOfDate(zone: string, n: number): number {
  const c = cacheFor(zone);
  let ms = c.dayStart.get(n);
  if (ms === undefined) {
    ms = plainDate(n).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
    c.dayStart.set(n, ms);
  }
  return ms;
}

/** The calendar date (number) that contains instant `ms` in `zone`. */
export function dateOf(zone: string, ms: number): number {
  const c = cacheFor(zone);
  const hour = Math.floor(ms / HOUR);
  let n = c.dateAtHour.get(hour);
  if (n === undefined) {
    n = dateNumber(
      Temporal.Instant.fromEpochMilliseconds(hour * HOUR)
        .toZonedDateTimeISO(zone)
        .toPlainDate(),
    );
    c.dateAtHour.set(hour, n);
  }
  // An hour of UTC may straddle a midnight of the zone (offsets like +05:45).
  while (ms >= startOfDate(zone, n + 1)) n++;
  return n;
}

/**
 * 00:00 of natural day `day` counted from anchor `ms`: `after` → day 1 is the day
 * after the anchor's date; `from-day-of` → day 1 is the anchor's date itself.
 */
export function naturalDayStart(
  zone: string,
  ms: number,
  day: number,
  count: 'after' | 'from-day-of',
): number {
  return startOfDate(zone, dateOf(zone, ms) + (count === 'after' ? day : day - 1));
}

export function zoned(zone: string, ms: number): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
}

/** Calendar months later (negative: earlier), same wall-clock time, clamped to month end. */
export function addMonths(zone: string, ms: number, months: number): number {
  return zoned(zone, ms).add({ months }).epochMilliseconds;
}

/** First instant of the calendar month containing `ms`, plus `offset` months. */
export function startOfMonth(zone: string, ms: number, offset = 0): number {
  const z = zoned(zone, ms);
  return Temporal.PlainDate.from({ year: z.year, month: z.month, day: 1 })
    .add({ months: offset })
    .toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

export function daysInMonthOf(zone: string, ms: number): number {
  return zoned(zone, ms).daysInMonth;
}

/** ISO 8601 in UTC with milliseconds and Z, as simulate.md prints instants. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?$/;
const HAS_OFFSET = /(?:[Zz]|[+-]\d{2}:\d{2})$/;

export type ParsedInstant = { ok: true; ms: number } | { ok: false; error: string };

/** An RFC 3339 timestamp with an offset → epoch ms; otherwise an error message. */
export function parseInstant(text: unknown): ParsedInstant {
  if (typeof text !== 'string')
    return { ok: false, error: 'expected an RFC 3339 timestamp string' };
  if (!RFC3339.test(text))
    return { ok: false, error: `not an RFC 3339 timestamp: ${JSON.stringify(text)}` };
  if (!HAS_OFFSET.test(text)) return { ok: false, error: 'timestamp has no UTC offset' };
  try {
    return {
      ok: true,
      ms: Temporal.Instant.from(text.toUpperCase().replace(' ', 'T')).epochMilliseconds,
    };
  } catch {
    return { ok: false, error: `not a valid date or time: ${JSON.stringify(text)}` };
  }
}

/** parseInstant for trusted input (tests, benchmarks): throws on error. */
export function instant(text: string): number {
  const p = parseInstant(text);
  if (!p.ok) throw new RangeError(`${text}: ${p.error}`);
  return p.ms;
}
