// bench:login — password sign-ins per second through the hosted form (authorization
// request → sign-in page → POST of username and password → redirect back), with argon2id
// at the configured (OWASP) parameters, against hash-only verifications on the same
// machine. Prints the share of CPU spent hashing and the overhead beyond the hash
// (goal: ≤ 25 % of the hash's cost).
//
// The server runs in this process (SQLite in a temporary directory); the CPU figures are
// of the whole process, so the client side (HTTP requests, HTML parsing) counts as
// overhead too: a pessimistic figure.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argon2Hasher, OWASP_ARGON2ID, type PasswordHasher } from '@idaas/core';
import { loadConfig } from '../packages/server/src/config.ts';
import { createLogger, startServer } from '../packages/server/src/server.ts';
import { freePort } from '../packages/server/src/testing.ts';
import { Browser } from '../e2e/support/browser.ts';

const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const PASSWORD = 'violet staple orbit 42';
const REDIRECT = 'http://127.0.0.1:9/cb';

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** A hasher that counts verifications. */
function counting(h: PasswordHasher): PasswordHasher & { verifies: number } {
  const c = {
    verifies: 0,
    hash: (p: string) => h.hash(p),
    async verify(stored: string, p: string) {
      c.verifies++;
      return h.verify(stored, p);
    },
  };
  return c;
}

async function hashOnly(hasher: PasswordHasher, n: number) {
  const stored = await hasher.hash(PASSWORD);
  for (let i = 0; i < 5; i++) await hasher.verify(stored, PASSWORD); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(n, CONCURRENCY, async () => {
    if (!(await hasher.verify(stored, PASSWORD)).ok) throw new Error('verify failed');
  });
  const wall = performance.now() - t0;
  return { perSecond: (n / wall) * 1000, cpuMsEach: cpuMs(process.cpuUsage(cpu0)) / n };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'idaas-bench-login-'));
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${join(dir, 'idaas.db')}`,
    IDAAS_KEK: randomBytes(32).toString('base64'),
    IDAAS_ADMIN_PASSWORD: 'bench-operator-password-1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
  });
  const hasher = counting(argon2Hasher(OWASP_ARGON2ID));
  const server = await startServer(config, {
    logger: createLogger('silent'),
    hasher,
    background: false,
  });
  try {
    const core = server.sctx.core;
    const inst = await core.instances.create({ slug: 'bench' });
    await core.directory.createUser(inst, { username: 'bench-user', password: PASSWORD });
    const { application } = await core.applications.create(inst, {
      name: 'bench',
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: [REDIRECT],
      firstParty: true, // no consent page: the sign-in alone is measured
    });
    const signIn = async () => {
      const browser = new Browser();
      const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
      const q = new URLSearchParams({
        client_id: application.clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const page = await browser.go(`${server.url}/i/bench/auth?${q}`);
      const done = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: 'bench-user', password: PASSWORD },
        stop: (l) => l.startsWith(REDIRECT),
      });
      if (!done.url.startsWith(REDIRECT)) throw new Error(`sign-in failed: ${done.status}`);
    };
    for (let i = 0; i < 5; i++) await signIn(); // warm-up (provider, caches)

    const hashes = await hashOnly(hasher, SIGN_INS);
    const v0 = hasher.verifies;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await pool(SIGN_INS, CONCURRENCY, signIn);
    const wall = performance.now() - t0;
    const cpu = cpuMs(process.cpuUsage(cpu0));
    const verifies = hasher.verifies - v0;
    const signInsPerSecond = (SIGN_INS / wall) * 1000;
    const cpuEach = cpu / SIGN_INS;
    const hashShare = (verifies * hashes.cpuMsEach) / cpu;
    const overhead = (cpuEach - hashes.cpuMsEach * (verifies / SIGN_INS)) / hashes.cpuMsEach;
    const p = OWASP_ARGON2ID;
    console.log(
      `argon2id m=${p.memoryCost} KiB, t=${p.timeCost}, p=${p.parallelism}; ${SIGN_INS} sign-ins, concurrency ${CONCURRENCY}`,
    );
    console.log(
      `hash only:        ${hashes.perSecond.toFixed(1)} verifications/s, ${hashes.cpuMsEach.toFixed(2)} ms CPU each`,
    );
    console.log(
      `hosted sign-in:   ${signInsPerSecond.toFixed(1)} sign-ins/s, ${cpuEach.toFixed(2)} ms CPU each (${verifies} verifications)`,
    );
    console.log(`CPU spent hashing: ${(hashShare * 100).toFixed(1)} %`);
    console.log(
      `overhead beyond the hash: ${(overhead * 100).toFixed(1)} % of the hash's cost (goal ≤ 25 %: ${overhead <= 0.25 ? 'met' : 'NOT met'})`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
