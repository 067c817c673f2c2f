import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logDeletableAt, logRetentionDays } from './retention.ts';
import { instant, iso } from './time.ts';

test('G4.6: access logs kept 180 days by default, configurable, never below the legal minimum', () => {
  assert.equal(logRetentionDays(), 180);
  assert.equal(logRetentionDays(365), 365);
  assert.equal(logRetentionDays(90), 180);
  assert.equal(logRetentionDays(90, 30), 90);
  assert.throws(() => logRetentionDays(0), /configured/);
  assert.equal(
    iso(logDeletableAt(instant('2026-01-01T00:00:00+08:00'), 180)),
    '2026-06-29T16:00:00.000Z',
  );
});
