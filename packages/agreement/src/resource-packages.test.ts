import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourcePackage } from './resource-packages.ts';
import { drawUsage, forfeitExpired, packageEnded } from './resource-packages.ts';
import { instant } from './time.ts';

const now = instant('2026-03-15T12:00:00+08:00');
const pkgs: ResourcePackage[] = [
  { id: 'late', remaining: '100', expiresAt: instant('2026-06-01T00:00:00+08:00') },
  { id: 'early', remaining: '30', expiresAt: instant('2026-04-01T00:00:00+08:00') },
  { id: 'expired', remaining: '500', expiresAt: instant('2026-03-01T00:00:00+08:00') },
  { id: 'empty', remaining: '0', expiresAt: instant('2026-12-01T00:00:00+08:00') },
];

test('G9.1.2: a package ends at its expiry (inclusive) or when used up', () => {
  const [late, , expired, empty] = pkgs as [
    ResourcePackage,
    ResourcePackage,
    ResourcePackage,
    ResourcePackage,
  ];
  assert.equal(packageEnded(late, now), false);
  assert.equal(packageEnded(expired, now), true);
  assert.equal(packageEnded(empty, now), true);
  assert.equal(packageEnded(late, late.expiresAt), true);
  assert.equal(packageEnded(late, late.expiresAt - 1), false);
});

test('G9.1.4: usage draws on packages first, earliest expiry first; overflow billed postpaid', () => {
  const d = drawUsage(pkgs, '150', now, '0.02');
  assert.deepEqual(
    d.drawn.map((x) => `${x.id}:${x.quantity.toString()}`),
    ['early:30', 'late:100'],
  );
  assert.equal(d.overflow.toString(), '20');
  assert.equal(d.overflowCharge.toFixed(2), '0.40');
  assert.deepEqual(
    d.packages.map((p) => String(p.remaining)),
    ['0', '0', '500', '0'],
  );
  const small = drawUsage(pkgs, '10.5', now, '0.02');
  assert.deepEqual(
    small.drawn.map((x) => `${x.id}:${x.quantity.toString()}`),
    ['early:10.5'],
  );
  assert.equal(small.overflow.toString(), '0');
});

test('G9.1.3: quantity left at expiry is forfeited', () => {
  const f = forfeitExpired(pkgs, now);
  assert.deepEqual(
    f.forfeited.map((x) => `${x.id}:${x.quantity.toString()}`),
    ['expired:500'],
  );
  assert.equal(String(f.packages[2]?.remaining), '0');
  assert.equal(forfeitExpired(pkgs, instant('2026-04-01T00:00:00+08:00')).forfeited.length, 2); // early too, at its expiry instant
});
