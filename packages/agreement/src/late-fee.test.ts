import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daysOverdue, lateFee, lateFeeForDays } from './late-fee.ts';
import { DAY, instant } from './time.ts';

const due = instant('2026-03-01T00:00:00+08:00');

test('G3.4: 0.05 % per full day overdue, simple; table', () => {
  const rows: [string, number, string][] = [
    ['1000.00', 0, '0.00'],
    ['1000.00', 1, '0.50'],
    ['1000.00', 10, '5.00'],
    ['1000.00', 365, '182.50'], // simple: not 1000 × (1.0005^365 − 1) = 200.01
    ['333.33', 3, '0.50'], // rounded once: 0.499995; per-day rounding would give 0.51
    ['0.01', 1000, '0.01'],
  ];
  for (const [amount, days, fee] of rows)
    assert.equal(lateFeeForDays(amount, days).toFixed(2), fee, `${amount} × ${days}`);
});

test('G3.4: full days: 23:59:59.999 overdue is 0 days; exactly 24 h is 1', () => {
  assert.equal(daysOverdue(due, due + DAY - 1), 0);
  assert.equal(daysOverdue(due, due + DAY), 1);
  assert.equal(daysOverdue(due, due - DAY), 0);
  assert.equal(lateFee('2000', due, due + 3 * DAY + 5).toFixed(2), '3.00');
  assert.throws(() => lateFeeForDays('1', -1), /days/);
});
