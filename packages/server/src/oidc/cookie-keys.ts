// Signed-cookie keys for Koa and oidc-provider (the `cookies` package's Keygrip interface).
//
// Same signatures as Keygrip's defaults (HMAC-SHA1 over `name=value`, base64url without
// padding), so cookies signed before stay valid, but with the keys imported once as
// KeyObjects (Keygrip re-imports the key string on every signature) and a plain
// constant-time comparison (Keygrip's `tsscmp` computes two more HMACs per comparison).
// A sign-in checks and sets several signed cookies on each of its requests.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface CookieKeys {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
}

export function cookieKeys(keys: readonly string[]): CookieKeys {
  if (!keys.length) throw new Error('cookie keys must be provided');
  const objects: KeyObject[] = keys.map((k) => createSecretKey(Buffer.from(k, 'utf8')));
  const mac = (key: KeyObject, data: string): Buffer =>
    createHmac('sha1', key).update(data).digest();
  const index = (data: string, digest: string): number => {
    if (typeof digest !== 'string') return -1;
    const given = Buffer.from(digest, 'base64url');
    // base64url decoding is lenient: only the canonical encoding of a 20-byte MAC is accepted
    if (given.length !== 20 || given.toString('base64url') !== digest) return -1;
    for (let i = 0; i < objects.length; i++)
      if (timingSafeEqual(given, mac(objects[i]!, data))) return i;
    return -1;
  };
  return {
    sign: (data) => mac(objects[0]!, data).toString('base64url'),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
