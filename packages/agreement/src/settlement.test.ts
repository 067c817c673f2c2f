import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hourlyCharge, settlementWindow } from './settlement.ts';
import { instant, iso } from './time.ts';

test('G3.3 P9 P20 P22 P31: hourly settlement covers the previous clock hour [start, end)', () => {
  for (const at of ['2026-03-01T10:00:00+08:00', '2026-03-01T10:59:59.999+08:00']) {
    const w = settlementWindow(instant(at));
    assert.deepEqual(
      [iso(w.start), iso(w.end)],
      ['2026-03-01T01:00:00.000Z', '2026-03-01T02:00:00.000Z'],
      at,
    );
  }
  // Across midnight and a month end.
  const w = settlementWindow(instant('2026-03-01T00:30:00+08:00'));
  assert.deepEqual(
    [iso(w.start), iso(w.end)],
    ['2026-02-28T15:00:00.000Z', '2026-02-28T16:00:00.000Z'],
  );
});

test('G3.3: clock hours of the zone (Kathmandu +05:45), not of UTC', () => {
  const w = settlementWindow(instant('2026-03-01T10:20:00+05:45'), 'Asia/Kathmandu');
  assert.deepEqual(
    [iso(w.start), iso(w.end)],
    ['2026-03-01T03:15:00.000Z', '2026-03-01T04:15:00.000Z'],
  );
});

test('G3.3 ID2: amount = Σ usage × unit price, rounded half up once', () => {
  assert.equal(
    hourlyCharge([
      { quantity: '2.5', unitPrice: '0.012' },
      { quantity: 1234, unitPrice: '0.0001' },
    ]).toFixed(2),
    '0.15', // 0.03 + 0.1234 = 0.1534
  );
  assert.equal(hourlyCharge([{ quantity: 1, unitPrice: '0.005' }]).toFixed(2), '0.01'); // half up
  assert.equal(hourlyCharge([{ quantity: 3, unitPrice: '0.1' }]).toString(), '0.3'); // no float error
  assert.equal(hourlyCharge([]).toFixed(2), '0.00');
});
