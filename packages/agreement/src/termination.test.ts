import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consumed, earlyTermination, providerTermination } from './termination.ts';
import { instant, iso } from './time.ts';

test('G9.3.3: whole months plus days of the partial month at monthly ÷ days in that month; table', () => {
  const rows: [string, string, string, string, number, number, string, string][] = [
    // start, end, monthly, paid, months, days, charge, refund
    [
      '2026-01-15T10:00:00+08:00',
      '2026-03-20T10:00:00+08:00',
      '300',
      '3600',
      2,
      5,
      '648.39',
      '2951.61',
    ],
    // partial period across a month end: 9 days of February (÷28) + 5 of March (÷31), a started day counts
    [
      '2026-01-20T00:00:00+08:00',
      '2026-03-05T12:00:00+08:00',
      '300',
      '3600',
      1,
      14,
      '444.82',
      '3155.18',
    ],
    // Jan 31 + 1 month = Feb 29 (leap year); the one partial day is priced ÷ 29
    [
      '2028-01-31T10:00:00+08:00',
      '2028-03-01T10:00:00+08:00',
      '300',
      '3600',
      1,
      1,
      '310.34',
      '3289.66',
    ],
    [
      '2026-03-01T00:00:00+08:00',
      '2026-03-01T00:00:00+08:00',
      '300',
      '300',
      0,
      0,
      '0.00',
      '300.00',
    ],
    // never more than paid
    [
      '2026-01-01T00:00:00+08:00',
      '2026-03-01T00:00:00+08:00',
      '300',
      '100',
      2,
      0,
      '100.00',
      '0.00',
    ],
  ];
  for (const [start, end, monthlyPrice, paid, months, days, charge, refund] of rows) {
    const r = earlyTermination({ start: instant(start), monthlyPrice, paid }, instant(end));
    assert.deepEqual(
      [r.months, r.days, r.charge.toFixed(2), r.refund.toFixed(2)],
      [months, days, charge, refund],
      `${start} → ${end}`,
    );
  }
});

test('G9.3.3: the end may not precede the start', () => {
  assert.throws(() => consumed(10, 5, '1'), /end/);
});

test('G9.3.4: provider notice: ends no earlier than 30 days after delivery, refunds the unconsumed prepayment', () => {
  const term = { start: instant('2026-01-01T00:00:00+08:00'), monthlyPrice: '310', paid: '3720' };
  const r = providerTermination(term, instant('2026-02-15T00:00:00+08:00'));
  assert.equal(iso(r.earliestEnd), '2026-03-16T16:00:00.000Z'); // Mar 17 00:00 +08
  // 2 whole months (Jan, Feb) + 16 days of March at 310/31 = 10 a day
  assert.deepEqual(
    [r.months, r.days, r.charge.toFixed(2), r.refund.toFixed(2)],
    [2, 16, '780.00', '2940.00'],
  );
  const asked = providerTermination(
    term,
    instant('2026-02-15T00:00:00+08:00'),
    instant('2026-03-01T00:00:00+08:00'),
  );
  assert.equal(asked.end, r.earliestEnd, 'an earlier end is moved to the earliest allowed');
});
