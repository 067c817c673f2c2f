import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds from the injected clock, a 12-bit
 * counter (RFC 9562 §6.2 method 1: random start each millisecond, +1 per id within it),
 * then random bits. Ids made by one process sort in creation order, which keeps cursor
 * pagination stable and cheap.
 */
export function newId(clock: Clock): string {
  let ms = clock.now().getTime();
  if (ms <= lastMs) {
    ms = lastMs; // same millisecond (or a clock that went back): keep counting
    if (++counter > 0xfff) {
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    lastMs = ms;
    counter = randomBytes(2).readUInt16BE(0) & 0x7ff; // leaves room to count up
  }
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (counter >> 8); // version 7 + counter high bits
  b[7] = counter & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A random URL-safe token with `bytes` bytes of entropy (secrets, client ids). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
