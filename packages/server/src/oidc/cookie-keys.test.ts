import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { cookieKeys } from './cookie-keys.ts';

// the reference implementation used by `cookies` (Koa, oidc-provider) when given an array
const Keygrip = createRequire(import.meta.url)('keygrip') as (keys: string[]) => {
  sign(data: string): string;
  index(data: string, digest: string): number;
};

test('signatures are those of Keygrip (cookies signed before stay valid)', () => {
  const keys = ['first key ü', 'second key'];
  const ours = cookieKeys(keys);
  const ref = Keygrip(keys);
  for (const data of ['_session=abc', 'idaas_device=' + 'x'.repeat(43), '', 'a=b+c/d==']) {
    assert.equal(ours.sign(data), ref.sign(data));
    assert.equal(ours.index(data, ref.sign(data)), 0);
    const old = Keygrip(['second key']).sign(data);
    assert.equal(ours.index(data, old), 1);
    assert.equal(ref.index(data, old), 1);
    assert.equal(ours.verify(data, old), true);
  }
});

test('wrong, truncated, non-canonical or missing signatures are refused', () => {
  const ours = cookieKeys(['k1', 'k2']);
  const good = ours.sign('_interaction=uid1');
  assert.equal(ours.index('_interaction=uid2', good), -1);
  assert.equal(ours.index('_interaction=uid1', good.slice(0, -1)), -1);
  assert.equal(ours.index('_interaction=uid1', `${good}=`), -1);
  assert.equal(
    ours.index('_interaction=uid1', good.replace(/-/g, '+').replace(/_/g, '/')),
    good.includes('-') || good.includes('_') ? -1 : 0,
  );
  assert.equal(ours.index('_interaction=uid1', ''), -1);
  assert.equal(ours.index('_interaction=uid1', undefined as unknown as string), -1);
  assert.equal(cookieKeys(['other']).verify('_interaction=uid1', good), false);
  assert.throws(() => cookieKeys([]));
});
