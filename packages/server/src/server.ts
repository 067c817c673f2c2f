// The composition root: the only place that picks concrete implementations.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import {
  argon2Hasher,
  createCore,
  KeyEncryptionKey,
  systemClock,
  type Clock,
  type PasswordHasher,
} from '@idaas/core';
import { openStore, type OpenedStore } from '@idaas/storage';
import { createApp, type App } from './app.ts';
import { bootstrap, type BootstrapResult } from './bootstrap.ts';
import type { Config } from './config.ts';
import type { ServerContext } from './context.ts';
import { createMetrics } from './http/metrics.ts';
import { memoryRateLimiter, redisRateLimiter } from './http/rate-limit.ts';
import { createLockoutStore } from './security/lockout.ts';
import { RuntimeEventBus } from './events.ts';
import { createBusiness } from './business/index.ts';
import { createAuditSink } from './audit/index.ts';
import { startAuditMaintenance } from './audit/maintenance.ts';
import { Outbound } from './scim/outbound.ts';

export interface RunningServer {
  url: string;
  sctx: ServerContext;
  app: App;
  boot: BootstrapResult;
  http: Server;
  close(): Promise<void>;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'idaas' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.client_secret',
        '*.clientSecret',
        '*.token',
        '*.access_token',
        '*.refresh_token',
      ],
      censor: '[redacted]',
    },
  });
}

/** Opens the store, migrates, bootstraps, builds the context. No listening yet. */
export async function buildContext(
  config: Config,
  opts: {
    clock?: Clock;
    logger?: Logger;
    hasher?: PasswordHasher;
    store?: OpenedStore;
    /** false: skip the first-start bootstrap (the CLI; the server does it). */
    bootstrap?: boolean;
  } = {},
): Promise<{ sctx: ServerContext; boot: BootstrapResult | null }> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  for (const w of config.warnings) logger.warn(w);
  const kek = KeyEncryptionKey.fromBase64(config.kek);
  const store =
    opts.store ??
    openStore(config.databaseUrl, { kek, vaultUrl: config.keyVaultUrl ?? undefined, clock });
  const applied = await store.migrate();
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  const core = createCore({
    store,
    clock,
    kek,
    hasher: opts.hasher ?? argon2Hasher(),
    keyOverlapSeconds: Math.max(config.ttl.accessToken, config.ttl.idToken) + 300,
  });
  const boot =
    opts.bootstrap === false
      ? null
      : await bootstrap(core, {
          publicUrl: config.publicUrl,
          adminPassword: config.adminPassword,
          createDefault: config.createDefaultInstance,
        });
  const limiter = config.redisUrl
    ? redisRateLimiter(config.redisUrl, clock)
    : memoryRateLimiter(clock);
  const events = new RuntimeEventBus((err, event) =>
    logger.error({ err, event }, 'runtime event listener failed'),
  );
  const sctx: ServerContext = {
    business: undefined as unknown as ServerContext['business'], // set just below
    audit: undefined as unknown as ServerContext['audit'], // set just below
    config,
    clock,
    store,
    core,
    logger,
    metrics: createMetrics({ defaultMetrics: true }),
    limiter,
    lockout: createLockoutStore(config),
    events,
  };
  sctx.audit = createAuditSink(sctx);
  sctx.business = createBusiness(sctx);
  // outbound SCIM: every directory change (server and CLI alike) queues its pushes
  new Outbound(sctx).register();
  return { sctx, boot };
}

export async function startServer(
  config: Config,
  opts: Parameters<typeof buildContext>[1] & {
    /** false: no background work (scheduler loop); tests drive it explicitly. */
    background?: boolean;
  } = {},
): Promise<RunningServer> {
  const { sctx, boot } = await buildContext(config, { ...opts, bootstrap: true });
  const app = createApp(sctx);
  const http = createHttpServer(app.koa.callback());
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const sweep = setInterval(() => {
    sctx.store.repos.oidc
      .sweepExpired(sctx.clock.now())
      .catch((err) => sctx.logger.warn({ err }, 'expiry sweep failed'));
    sctx.store.repos.mfaChallenges
      .sweepExpired(sctx.clock.now())
      .catch((err) => sctx.logger.warn({ err }, 'MFA challenge expiry sweep failed'));
  }, 60_000);
  sweep.unref();
  const stopBusiness = opts.background === false ? async () => {} : sctx.business.start();
  const stopAudit = opts.background === false ? async () => {} : startAuditMaintenance(sctx);
  return {
    url: `http://127.0.0.1:${port}`,
    sctx,
    app,
    boot: boot!, // the server always bootstraps
    http,
    async close() {
      clearInterval(sweep);
      await stopBusiness();
      await stopAudit();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await app.oidc.close();
      await sctx.limiter.close();
      await sctx.lockout.close();
      await sctx.audit.close?.(); // queued audit records are written before the store closes
      await sctx.store.close();
    },
  };
}
