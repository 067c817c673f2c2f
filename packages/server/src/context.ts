import type { Logger } from 'pino';
import type { AuditSink, Clock, Core, Store } from '@idaas/core';
import type { Config } from './config.ts';
import type { Metrics } from './http/metrics.ts';
import type { RateLimiter } from './http/rate-limit.ts';
import type { LockoutStore } from './security/lockout.ts';
import type { RuntimeEventBus } from './events.ts';
import type { Business } from './business/index.ts';

/** Everything a request handler may use; built once by the composition root (server.ts). */
export interface ServerContext {
  config: Config;
  clock: Clock;
  store: Store;
  core: Core;
  logger: Logger;
  metrics: Metrics;
  limiter: RateLimiter;
  /** Sign-in backoff and lockout counters (Redis when REDIS_URL is set). */
  lockout: LockoutStore;
  /** Runtime events (sign-ins, tokens, requests) for metering, SLA and audit. */
  events: RuntimeEventBus;
  /** The audit trail (G4.6): every authentication and administrative event. */
  audit: AuditSink;
  /** Commerce, lifecycle enforcement and operations (set right after the context is built). */
  business: Business;
}

/** What a bearer access token stands for, once verified. */
export interface TokenInfo {
  instanceSlug: string;
  clientId: string;
  /** The end user's id, or null for client-credentials tokens. */
  sub: string | null;
  scopes: string[];
  expiresAt: Date;
}

/** Verifies access tokens issued by an instance's OIDC provider (implemented in ./oidc). */
export interface TokenVerifier {
  verify(instanceSlug: string, token: string): Promise<TokenInfo | null>;
}
