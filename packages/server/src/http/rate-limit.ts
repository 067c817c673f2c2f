// Fixed-window rate limiting: in-process by default, shared through Redis when
// REDIS_URL is set (so several server processes enforce one limit).
import { Redis } from 'ioredis';
import type { Clock } from '@idaas/core';

export interface RateLimiter {
  /** Counts one hit on `key`; `allowed` is false once `limit` hits fell in the current window. */
  hit(
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<{ allowed: boolean; retryAfterMs: number }>;
  close(): Promise<void>;
}

export function memoryRateLimiter(clock: Clock): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async hit(key, limit, windowMs) {
      const now = clock.now().getTime();
      const start = now - (now % windowMs);
      let w = windows.get(key);
      if (!w || w.start !== start) {
        if (windows.size > 100_000) windows.clear();
        w = { start, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      return { allowed: w.count <= limit, retryAfterMs: start + windowMs - now };
    },
    async close() {},
  };
}

export function redisRateLimiter(url: string, clock: Clock): RateLimiter {
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
  return {
    async hit(key, limit, windowMs) {
      const now = clock.now().getTime();
      const start = now - (now % windowMs);
      const k = `idaas:rl:${key}:${start}`;
      const [[, count]] = (await redis
        .multi()
        .incr(k)
        .pexpire(k, windowMs + 1000)
        .exec()) as [[unknown, number]];
      return { allowed: count <= limit, retryAfterMs: start + windowMs - now };
    },
    async close() {
      await redis.quit();
    },
  };
}
