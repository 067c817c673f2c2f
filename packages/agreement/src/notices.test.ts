import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeMayTakeEffect, deliveredAt, earliestChangeEffective } from './notices.ts';
import { DAY, instant, iso } from './time.ts';

test('G11.3: electronic notices are delivered when sent; paper on natural day 5 after posting', () => {
  const rows: [Parameters<typeof deliveredAt>[0]['channel'], string, string][] = [
    ['email', '2026-03-01T10:00:00+08:00', '2026-03-01T02:00:00.000Z'],
    ['sms', '2026-03-01T23:59:59+08:00', '2026-03-01T15:59:59.000Z'],
    ['paper', '2026-03-01T23:00:00+08:00', '2026-03-05T16:00:00.000Z'], // posted Mar 1 → Mar 6 00:00
    ['paper', '2026-02-26T09:00:00+08:00', '2026-03-02T16:00:00.000Z'], // Feb 26 → Mar 3 (no Feb 29 in 2026)
    ['paper', '2028-02-26T09:00:00+08:00', '2028-03-01T16:00:00.000Z'], // Feb 26 → Mar 2 (2028 has Feb 29)
    ['paper', '2026-03-01T20:00:00Z', '2026-03-06T16:00:00.000Z'], // 20:00Z is Mar 2 in Shanghai
  ];
  for (const [channel, sentAt, want] of rows)
    assert.equal(
      iso(deliveredAt({ channel, sentAt: instant(sentAt) })),
      want,
      `${channel} ${sentAt}`,
    );
});

test('G11.4: stale contact details do not prevent delivery', () => {
  const sentAt = instant('2026-03-01T10:00:00+08:00');
  assert.equal(deliveredAt({ channel: 'email', sentAt, contactStale: true }), sentAt);
});

test('G14.2: a change takes effect no earlier than 30 days after the notice (inclusive)', () => {
  const delivered = instant('2026-02-01T10:00:00+08:00');
  assert.equal(iso(earliestChangeEffective(delivered)), '2026-03-03T02:00:00.000Z');
  assert.equal(changeMayTakeEffect(delivered, delivered + 30 * DAY), true);
  assert.equal(changeMayTakeEffect(delivered, delivered + 30 * DAY - 1), false);
});
