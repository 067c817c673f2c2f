// Test support: a real server on 127.0.0.1 over a fresh store of the given kind.
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { argon2Hasher, KeyEncryptionKey, type Clock } from '@idaas/core';
import { freshDatabaseUrl, openStore, type StoreKind } from '@idaas/storage';
import { loadConfig } from './config.ts';
import { startServer, createLogger, type RunningServer } from './server.ts';

export const TEST_ADMIN_PASSWORD = 'test-operator-password-1'; // the policy refuses one containing "admin"

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestServer extends RunningServer {
  /** The database URL, e.g. to run the CLI against the same store. */
  databaseUrl: string;
  kek: string;
}

export async function startTestServer(
  kind: StoreKind,
  opts: { env?: Record<string, string>; clock?: Clock; logLevel?: string } = {},
): Promise<TestServer> {
  const port = await freePort();
  const { url: databaseUrl, drop } = await freshDatabaseUrl(kind);
  const kek = randomBytes(32).toString('base64');
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    IDAAS_KEK: kek,
    IDAAS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    IDAAS_DEFAULT_INSTANCE: 'true',
    LOG_LEVEL: opts.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(process.env.TEST_REDIS_URL && !opts.env?.REDIS_URL ? {} : {}),
    ...opts.env,
  });
  const store = openStore(databaseUrl, { kek: KeyEncryptionKey.fromBase64(kek) });
  const server = await startServer(config, {
    store,
    logger: createLogger(config.logLevel),
    // cheaper argon2 parameters in tests keep suites fast; production uses OWASP's
    hasher: argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return {
    ...server,
    databaseUrl,
    kek,
    async close() {
      await server.close();
      await drop();
    },
  };
}
