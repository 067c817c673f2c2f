// Brute-force protection (issue 6): failure counters per key — (instance, login) and
// (instance, IP) — with exponential backoff after a few failures and a temporary lockout
// after more. Shared by every server process through Redis when REDIS_URL is set (one
// Lua script per update: atomic), in-process otherwise. Time comes from the injected
// clock, passed in as `now`, so tests can move past a lockout.
//
// A key's state: failures, time of the last failure, blocked-until, and whether that
// block is a lockout. A failure at or beyond `backoffAfter` blocks the key for
// base·2^(failures−backoffAfter) (capped); at `lockAfter` it locks the key for `lockMs`
// (reported once, `lockedNow`, so the user is told once per lockout). Failures older than
// `windowMs` are forgotten; a lockout that ran out starts the count afresh.
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';

export interface LockoutSettings {
  backoffAfter: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number;
  lockMs: number;
  windowMs: number;
}

export interface Block {
  /** 0 when the key may try now. */
  retryAfterMs: number;
  /** The block is a lockout (not a backoff delay). */
  locked: boolean;
}

export interface FailResult extends Block {
  failures: number;
  /** This failure started a lockout (notify once). */
  lockedNow: boolean;
}

export interface LockoutStore {
  readonly kind: 'memory' | 'redis';
  peek(key: string, now: number): Promise<Block>;
  fail(key: string, now: number, s: LockoutSettings): Promise<FailResult>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

interface State {
  failures: number;
  last: number;
  until: number;
  locked: boolean;
}

/** The update rule, shared by the in-process store and (in Lua) the Redis one. */
export function applyFailure(
  prev: State | null,
  now: number,
  s: LockoutSettings,
): { next: State; lockedNow: boolean } {
  let failures = prev?.failures ?? 0;
  let locked = prev?.locked ?? false;
  const until = prev?.until ?? 0;
  if (locked && until <= now) {
    failures = 0; // a lockout that ran out: start afresh
    locked = false;
  }
  if (prev && now - prev.last > s.windowMs && until <= now) failures = 0;
  failures += 1;
  let nextUntil = until;
  let lockedNow = false;
  if (failures >= s.lockAfter) {
    lockedNow = !locked;
    locked = true;
    nextUntil = Math.max(until, now + s.lockMs);
  } else if (failures >= s.backoffAfter) {
    const delay = Math.min(s.baseDelayMs * 2 ** (failures - s.backoffAfter), s.maxDelayMs);
    nextUntil = Math.max(until, now + delay);
  }
  return { next: { failures, last: now, until: nextUntil, locked }, lockedNow };
}

const blockOf = (st: State | null | undefined, now: number): Block =>
  st && st.until > now
    ? { retryAfterMs: st.until - now, locked: st.locked }
    : { retryAfterMs: 0, locked: false };

export function memoryLockoutStore(): LockoutStore {
  const states = new Map<string, State>();
  return {
    kind: 'memory',
    async peek(key, now) {
      return blockOf(states.get(key), now);
    },
    async fail(key, now, s) {
      if (states.size > 200_000) {
        // bound memory: forget states that block nothing any more
        for (const [k, v] of states)
          if (v.until <= now && now - v.last > s.windowMs) states.delete(k);
      }
      const { next, lockedNow } = applyFailure(states.get(key) ?? null, now, s);
      states.set(key, next);
      return { ...blockOf(next, now), failures: next.failures, lockedNow };
    },
    async reset(key) {
      states.delete(key);
    },
    async close() {},
  };
}

// KEYS[1] the hash; ARGV: now, backoffAfter, baseDelayMs, maxDelayMs, lockAfter, lockMs,
// windowMs, ttlMs. Returns {failures, until, locked, lockedNow}. Same rule as applyFailure.
const FAIL_LUA = `
local now = tonumber(ARGV[1])
local backoffAfter = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local maxDelay = tonumber(ARGV[4])
local lockAfter = tonumber(ARGV[5])
local lockMs = tonumber(ARGV[6])
local windowMs = tonumber(ARGV[7])
local st = redis.call('HMGET', KEYS[1], 'f', 'last', 'until', 'locked')
local exists = st[1] ~= false
local failures = tonumber(st[1] or '0')
local last = tonumber(st[2] or '0')
local untilAt = tonumber(st[3] or '0')
local locked = st[4] == '1'
if locked and untilAt <= now then
  failures = 0
  locked = false
end
if exists and now - last > windowMs and untilAt <= now then failures = 0 end
failures = failures + 1
local lockedNow = 0
if failures >= lockAfter then
  if not locked then lockedNow = 1 end
  locked = true
  untilAt = math.max(untilAt, now + lockMs)
elseif failures >= backoffAfter then
  local delay = math.min(base * (2 ^ (failures - backoffAfter)), maxDelay)
  untilAt = math.max(untilAt, now + delay)
end
redis.call('HSET', KEYS[1], 'f', failures, 'last', now, 'until', untilAt, 'locked', locked and '1' or '0')
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return {failures, tostring(untilAt), locked and 1 or 0, lockedNow}
`;

export function redisLockoutStore(url: string): LockoutStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const k = (key: string) => `idaas:lockout:${key}`;
  return {
    kind: 'redis',
    async peek(key, now) {
      const [until, locked] = await redis.hmget(k(key), 'until', 'locked');
      return blockOf(
        until ? { failures: 0, last: 0, until: Number(until), locked: locked === '1' } : null,
        now,
      );
    },
    async fail(key, now, s) {
      // the key outlives every block and the counting window (real time: an upper bound)
      const ttl = s.windowMs + s.lockMs + s.maxDelayMs + 60_000;
      const [failures, until, locked, lockedNow] = (await redis.eval(
        FAIL_LUA,
        1,
        k(key),
        now,
        s.backoffAfter,
        s.baseDelayMs,
        s.maxDelayMs,
        s.lockAfter,
        s.lockMs,
        s.windowMs,
        ttl,
      )) as [number, string, number, number];
      const st = { failures, last: now, until: Number(until), locked: locked === 1 };
      return { ...blockOf(st, now), failures, lockedNow: lockedNow === 1 };
    },
    async reset(key) {
      await redis.del(k(key));
    },
    async close() {
      await redis.quit();
    },
  };
}

/** Settings for sign-in by login and by IP, and for the reset form by IP, from the config. */
export function lockoutSettings(config: Config): {
  user: LockoutSettings;
  ip: LockoutSettings;
  reset: LockoutSettings;
} {
  const l = config.lockout;
  const user: LockoutSettings = {
    backoffAfter: l.backoffAfter,
    baseDelayMs: 1000,
    maxDelayMs: l.backoffMaxSeconds * 1000,
    lockAfter: l.lockAfter,
    lockMs: l.lockSeconds * 1000,
    windowMs: l.lockSeconds * 1000,
  };
  // an address may be shared by many people (NAT): higher thresholds, same shape
  const ip: LockoutSettings = {
    ...user,
    backoffAfter: Math.max(1, Math.floor(l.ipLockAfter / 2)),
    lockAfter: l.ipLockAfter,
  };
  // the reset form: every request counts (it mails); a few per window, then backoff
  const reset: LockoutSettings = { ...user, backoffAfter: 5, lockAfter: 20 };
  return { user, ip, reset };
}

export function createLockoutStore(config: Config): LockoutStore {
  return config.redisUrl ? redisLockoutStore(config.redisUrl) : memoryLockoutStore();
}

/** The key of a login: trimmed, NFKC, lowercase — unknown logins get counters too. */
export function loginKey(instanceId: string, login: string): string {
  return `user:${instanceId}:${login.trim().normalize('NFKC').toLowerCase()}`;
}

export function ipKey(scope: 'login' | 'reset', instanceId: string, ip: string): string {
  return `${scope}-ip:${instanceId}:${ip}`;
}
