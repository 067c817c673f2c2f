import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  claimWindow,
  creditPercent,
  mayClaim,
  monthlyAvailability,
  slaCredit,
  terminationRightFrom,
  WINDOW,
} from './sla.ts';
import { HOUR, instant, iso } from './time.ts';

const march = instant('2026-03-01T00:00:00+08:00');

test('SLA1: availability over the month’s 5-minute windows; windows without requests count 0', () => {
  const none = monthlyAvailability(march, []);
  assert.deepEqual([none.windows, none.percent.toString()], [31 * 288, '100']);
  const one = monthlyAvailability(march, [
    { start: march, requests: 100, serverErrors: 30, timeouts: 20 },
  ]);
  // (1 − 0.5 / 8928) × 100
  assert.equal(one.percent.toFixed(10), '99.9943996416');
  const feb28 = monthlyAvailability(instant('2028-02-10T00:00:00+08:00'), []);
  assert.equal(feb28.windows, 29 * 288);
});

test('SLA1: client errors and requests refused for arrears are not valid requests', () => {
  const a = monthlyAvailability(march, [
    {
      start: march + WINDOW,
      requests: 100,
      clientErrors: 40,
      arrearsRefused: 10,
      serverErrors: 25,
    },
  ]);
  const b = monthlyAvailability(march, [{ start: march + WINDOW, requests: 50, serverErrors: 25 }]);
  assert.equal(a.percent.toString(), b.percent.toString());
});

test('SLA1 G10.3: windows inside announced maintenance are excluded', () => {
  const maintenance = [{ start: march, end: march + HOUR }];
  const a = monthlyAvailability(
    march,
    [{ start: march, requests: 10, serverErrors: 10 }],
    maintenance,
  );
  assert.deepEqual([a.windows, a.excluded, a.percent.toString()], [31 * 288 - 12, 12, '100']);
  assert.throws(
    () => monthlyAvailability(march, [{ start: march + 1000, requests: 1 }]),
    /windows\[0\]\.start: not on a 5-minute boundary/,
  );
  assert.throws(
    () => monthlyAvailability(march, [{ start: march - WINDOW, requests: 1 }]),
    /windows\[0\]\.start: outside the month/,
  );
});

test('SLA2: credit tiers at their boundaries', () => {
  const rows: [string, number][] = [
    ['100', 0],
    ['99.95', 0],
    ['99.9499', 10],
    ['99.0', 10],
    ['98.9999', 25],
    ['95.0', 25],
    ['94.9999', 100],
    ['0', 100],
  ];
  for (const [a, pct] of rows) assert.equal(creditPercent(a), pct, a);
});

test('SLA2 G5.8: credit as a share of the month’s fee, capped at the fee; free trials get none', () => {
  assert.equal(slaCredit({ availabilityPercent: '99.5', monthlyFee: '1000' }).toFixed(2), '100.00');
  assert.equal(
    slaCredit({ availabilityPercent: '99.5', monthlyFee: '333.33' }).toFixed(2),
    '33.33',
  );
  assert.equal(
    slaCredit({ availabilityPercent: '90', monthlyFee: '1000', alreadyCredited: '950' }).toFixed(2),
    '50.00',
  );
  assert.equal(
    slaCredit({ availabilityPercent: '90', monthlyFee: '1000', alreadyCredited: '1000' }).toFixed(
      2,
    ),
    '0.00',
  );
  assert.equal(
    slaCredit({ availabilityPercent: '50', monthlyFee: '1000', freeTrial: true }).toFixed(2),
    '0.00',
  );
});

test('SLA3: claims open on the 5th business day of the next month, close 2 months after the affected month', () => {
  const rows: [string, string, string][] = [
    ['2026-03-15T00:00:00+08:00', '2026-04-06T16:00:00.000Z', '2026-05-31T16:00:00.000Z'], // Apr 1 is a Wednesday → Apr 7
    ['2026-01-31T23:59:59+08:00', '2026-02-05T16:00:00.000Z', '2026-03-31T16:00:00.000Z'], // Feb 1 Sunday → Feb 6
    ['2026-12-01T00:00:00+08:00', '2027-01-06T16:00:00.000Z', '2027-02-28T16:00:00.000Z'], // Jan 1 2027 Friday → Jan 7
  ];
  for (const [month, opens, closes] of rows) {
    const w = claimWindow(instant(month));
    assert.deepEqual([iso(w.opens), iso(w.closes)], [opens, closes], month);
  }
  const w = claimWindow(march);
  assert.equal(mayClaim(march, w.opens - 1), false);
  assert.equal(mayClaim(march, w.opens), true);
  assert.equal(mayClaim(march, w.closes - 1), true);
  assert.equal(mayClaim(march, w.closes), false);
});

test('G10.4 SLA3: 72 consecutive hours of outage give a termination right', () => {
  const t0 = march;
  assert.equal(terminationRightFrom([{ start: t0, end: t0 + 71 * HOUR }]), null);
  assert.equal(terminationRightFrom([{ start: t0, end: t0 + 72 * HOUR }]), t0 + 72 * HOUR);
  // Touching outages are one; a 1 ms gap breaks the run.
  assert.equal(
    terminationRightFrom([
      { start: t0 + 40 * HOUR, end: t0 + 80 * HOUR },
      { start: t0, end: t0 + 40 * HOUR },
    ]),
    t0 + 72 * HOUR,
  );
  assert.equal(
    terminationRightFrom([
      { start: t0, end: t0 + 40 * HOUR },
      { start: t0 + 40 * HOUR + 1, end: t0 + 80 * HOUR },
    ]),
    null,
  );
});
