import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  orderHoldDays,
  orderPayableAt,
  orderVoidAt,
  reminderInstants,
  renewalDeadline,
  renewalInTime,
} from './orders.ts';
import { instant, iso } from './time.ts';

const created = instant('2026-02-26T10:00:00+08:00');

test('G3.2.1: an unpaid order is held 7 days and void at the instant the hold ends (exclusive)', () => {
  const voidAt = orderVoidAt(created);
  assert.equal(iso(voidAt), '2026-03-05T02:00:00.000Z'); // across the end of February
  assert.equal(orderPayableAt(created, voidAt - 1), true);
  assert.equal(orderPayableAt(created, voidAt), false);
  assert.equal(orderPayableAt(created, created - 1), false);
});

test('P5 P6: 3-day holds; others 7 (G3.2.1)', () => {
  assert.deepEqual(['P5', 'P6', 'P7', 'ID1'].map(orderHoldDays), [3, 3, 7, 7]);
  assert.equal(iso(orderVoidAt(created, orderHoldDays('P6'))), '2026-03-01T02:00:00.000Z');
});

test('G3.2.2: renewal no later than 7 days before the term end (inclusive)', () => {
  const end = instant('2026-03-01T00:00:00+08:00');
  assert.equal(iso(renewalDeadline(end)), '2026-02-21T16:00:00.000Z');
  assert.equal(renewalInTime(end, renewalDeadline(end)), true);
  assert.equal(renewalInTime(end, renewalDeadline(end) + 1), false);
});

test('ID1: reminders 7, 3 and 1 days before expiry, in time order', () => {
  const end = instant('2028-03-01T00:00:00+08:00'); // leap year: Feb 29 exists
  assert.deepEqual(reminderInstants(end).map(iso), [
    '2028-02-22T16:00:00.000Z',
    '2028-02-26T16:00:00.000Z',
    '2028-02-28T16:00:00.000Z',
  ]);
});
