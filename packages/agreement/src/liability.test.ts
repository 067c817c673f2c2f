import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Payment } from './liability.ts';
import { liabilityCap } from './liability.ts';
import { instant } from './time.ts';

test('G10.6: cap = cash fees paid for the service in [at − 12 months, at)', () => {
  const at = instant('2026-03-01T00:00:00+08:00');
  const payments: Payment[] = [
    { at: instant('2025-03-01T00:00:00+08:00'), service: 'idaas', amount: '100.10' }, // first instant: in
    { at: instant('2025-02-28T23:59:59+08:00'), service: 'idaas', amount: '1000' }, // 1 s too early
    { at: instant('2025-12-31T12:00:00+08:00'), service: 'idaas', amount: '200.205' },
    { at: instant('2026-01-01T00:00:00Z'), service: 'other', amount: '5000' },
    { at: instant('2026-02-01T00:00:00+08:00'), service: 'idaas', amount: '50', kind: 'voucher' },
    { at, service: 'idaas', amount: '7' }, // at the instant itself: not before it
  ];
  assert.equal(liabilityCap(payments, 'idaas', at).toFixed(2), '300.31');
  assert.equal(liabilityCap([], 'idaas', at).toFixed(2), '0.00');
});

test('G10.6: 12 months back from Feb 29 of a leap year', () => {
  const at = instant('2028-02-29T12:00:00+08:00');
  const p: Payment[] = [{ at: instant('2027-02-28T12:00:00+08:00'), service: 's', amount: '1' }];
  assert.equal(liabilityCap(p, 's', at).toFixed(2), '1.00');
});
