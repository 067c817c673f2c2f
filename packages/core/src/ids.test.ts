import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.ts';
import { newId } from './ids.ts';

test('ids are UUIDv7 and sort in creation order within one millisecond and across them', () => {
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) {
    ids.push(newId(clock));
    if (i % 1000 === 999) clock.advance(1);
  }
  for (const id of ids)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('a clock that goes back does not break the order', () => {
  const clock = new ManualClock('2026-01-01T00:00:01Z');
  const a = newId(clock);
  clock.advance(-500);
  const b = newId(clock);
  assert.ok(b > a);
});
