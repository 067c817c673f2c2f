import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from './duration.ts';
import { advance, nextDue } from './engine.ts';
import { initialState, policyByKey } from '@idaas/agreement';

test('durations: short forms and ISO 8601; months, years and junk refused', () => {
  assert.equal(parseDuration('36h'), 36 * 3_600_000);
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
  assert.equal(parseDuration('P1DT2H'), 26 * 3_600_000);
  assert.equal(parseDuration('PT90M'), 90 * 60_000);
  assert.equal(parseDuration('P2W'), 14 * 86_400_000);
  for (const bad of ['', 'P', 'PT', 'P1M', 'P1Y', '7x', '-1h', 'h', '1.5h', 'tomorrow'])
    assert.equal(parseDuration(bad), null, bad);
});

test('the engine as driven: expiry at the term end comes after timers due at the same instant', () => {
  const s0 = initialState(policyByKey('ID1')!);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const termEnd = t0 + 10 * 86_400_000;
  const paid = advance(s0, { type: 'order-paid', termEnd }, t0);
  assert.equal(paid.state.state, 'active');
  assert.equal(nextDue(paid.state), termEnd - 7 * 86_400_000);
  const later = advance(paid.state, null, termEnd + 1);
  assert.deepEqual(
    later.entries.map((e) => [e.cause, e.state]),
    [
      ['timer', 'active'],
      ['timer', 'active'],
      ['timer', 'active'],
      ['expire', 'suspended'],
    ],
  );
  assert.equal(nextDue(later.state), termEnd + 360 * 3_600_000);
  // nothing happens twice: the same state advanced again adds nothing
  assert.deepEqual(advance(later.state, null, termEnd + 2).entries, []);
});
