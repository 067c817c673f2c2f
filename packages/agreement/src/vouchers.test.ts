import assert from 'node:assert/strict';
import { test } from 'node:test';
import { creditVoucher, splitRefund, withdrawable } from './vouchers.ts';

test('G3.5: the voucher part of a refund is never paid out as cash', () => {
  const paid = { cash: '60', voucher: '40' };
  const rows: [string, string, string][] = [
    ['50', '50', '0'],
    ['60', '60', '0'],
    ['80', '60', '20'],
    ['100', '60', '40'],
    ['0', '0', '0'],
  ];
  for (const [refund, cash, forfeited] of rows) {
    const r = splitRefund(paid, refund);
    assert.deepEqual([r.cash.toString(), r.voucherForfeited.toString()], [cash, forfeited], refund);
  }
  assert.throws(() => splitRefund(paid, '100.01'), /refund/);
});

test('G3.5 SLA2: credits go to the voucher balance; only cash is withdrawable', () => {
  const b = creditVoucher({ cash: '10.00', voucher: '5' }, '2.50');
  assert.deepEqual([b.cash.toFixed(2), b.voucher.toFixed(2)], ['10.00', '7.50']);
  assert.equal(withdrawable(b).toFixed(2), '10.00');
});
