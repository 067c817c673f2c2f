// Calendar arithmetic in the agreement zone and elsewhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueAt } from './delay.ts';
import {
  addMonths,
  dateOf,
  daysInMonthOf,
  instant,
  iso,
  naturalDayStart,
  parseInstant,
  startOfDate,
  startOfMonth,
} from './time.ts';

const SH = 'Asia/Shanghai';

test('natural days after / from the day of an anchor (time conventions)', () => {
  const a = instant('2026-03-05T23:59:59.999+08:00');
  assert.equal(iso(naturalDayStart(SH, a, 1, 'after')), '2026-03-05T16:00:00.000Z'); // Mar 6 00:00 +08
  assert.equal(iso(naturalDayStart(SH, a, 1, 'from-day-of')), '2026-03-04T16:00:00.000Z'); // Mar 5 00:00 +08
  // The same UTC date, but already March 6 in Shanghai:
  const b = instant('2026-03-05T16:00:00Z');
  assert.equal(iso(naturalDayStart(SH, b, 1, 'after')), '2026-03-06T16:00:00.000Z');
});

test('natural days across month ends, February and leap years', () => {
  const cases: [string, number, string][] = [
    ['2026-01-31T12:00:00+08:00', 1, '2026-01-31T16:00:00.000Z'], // Feb 1
    ['2026-02-28T12:00:00+08:00', 1, '2026-02-28T16:00:00.000Z'], // Mar 1 (2026 not leap)
    ['2028-02-28T12:00:00+08:00', 1, '2028-02-28T16:00:00.000Z'], // Feb 29 (2028 leap)
    ['2028-02-29T12:00:00+08:00', 1, '2028-02-29T16:00:00.000Z'], // Mar 1
    ['2100-02-28T12:00:00+08:00', 1, '2100-02-28T16:00:00.000Z'], // Mar 1 (2100 not leap)
    ['2026-12-31T12:00:00+08:00', 1, '2026-12-31T16:00:00.000Z'], // Jan 1
  ];
  for (const [at, day, want] of cases)
    assert.equal(iso(naturalDayStart(SH, instant(at), day, 'after')), want, at);
});

test('zones with odd offsets and DST use Temporal, not fixed offsets', () => {
  // Kathmandu is +05:45: 18:14Z is 23:59 local, the next day begins at 18:15Z.
  assert.equal(
    iso(naturalDayStart('Asia/Kathmandu', instant('2026-03-05T18:14:00Z'), 1, 'after')),
    '2026-03-05T18:15:00.000Z',
  );
  // New York springs forward on 2026-03-08; the day has 23 hours.
  const ny = 'America/New_York';
  const d = dateOf(ny, instant('2026-03-08T12:00:00-04:00'));
  assert.equal(startOfDate(ny, d + 1) - startOfDate(ny, d), 23 * 3_600_000);
  // An hour of UTC straddling a Kathmandu midnight maps both halves correctly.
  assert.equal(
    dateOf('Asia/Kathmandu', instant('2026-03-05T18:14:59.999Z')) + 1,
    dateOf('Asia/Kathmandu', instant('2026-03-05T18:15:00Z')),
  );
});

test('exact hours and days ignore the calendar; days before count backwards', () => {
  const a = instant('2026-03-01T10:00:00+08:00');
  assert.equal(iso(dueAt({ kind: 'hours', n: 360 }, a, SH)), '2026-03-16T02:00:00.000Z');
  assert.equal(iso(dueAt({ kind: 'days', n: 7 }, a, SH)), '2026-03-08T02:00:00.000Z');
  assert.equal(iso(dueAt({ kind: 'days', n: 7, before: true }, a, SH)), '2026-02-22T02:00:00.000Z');
});

test('calendar months: clamping at month ends and leap days', () => {
  assert.equal(
    iso(addMonths(SH, instant('2024-01-31T10:00:00+08:00'), 1)),
    '2024-02-29T02:00:00.000Z',
  );
  assert.equal(
    iso(addMonths(SH, instant('2025-01-31T10:00:00+08:00'), 1)),
    '2025-02-28T02:00:00.000Z',
  );
  assert.equal(
    iso(addMonths(SH, instant('2024-02-29T10:00:00+08:00'), -12)),
    '2023-02-28T02:00:00.000Z',
  );
  assert.equal(
    iso(startOfMonth(SH, instant('2026-03-01T07:59:59+08:00'))),
    '2026-02-28T16:00:00.000Z',
  );
  assert.equal(daysInMonthOf(SH, instant('2028-02-10T00:00:00+08:00')), 29);
});

test('timestamps: offsets required, validity checked, output as UTC with milliseconds', () => {
  assert.deepEqual(parseInstant('2026-03-01T10:00:00'), {
    ok: false,
    error: 'timestamp has no UTC offset',
  });
  assert.equal(parseInstant('2026-02-29T10:00:00Z').ok, false);
  assert.equal(parseInstant('2026-03-01').ok, false);
  assert.equal(parseInstant(12).ok, false);
  assert.equal(iso(instant('2026-03-01T10:00:00.5-05:30')), '2026-03-01T15:30:00.500Z');
  assert.equal(iso(instant('2026-03-01t10:00:00z')), '2026-03-01T10:00:00.000Z');
});
