import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds from the injected clock, then random
 * bits. Ids sort by creation time, which keeps cursor pagination stable and cheap.
 */
export function newId(clock: Clock): string {
  const ms = clock.now().getTime();
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A random URL-safe token with `bytes` bytes of entropy (secrets, client ids). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
