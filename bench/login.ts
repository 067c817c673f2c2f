// bench:login — password sign-ins per second through the hosted form (authorization
// request → sign-in page → POST of username and password → redirect back), with argon2id
// at the configured (OWASP) parameters, against hash-only verifications on the same
// machine. Prints the share of CPU spent hashing and the overhead beyond the hash
// (goal: ≤ 25 % of the hash's cost).
//
// The server runs in this process (SQLite in a temporary directory); the client (HTTP
// requests, HTML form parsing) runs in a child process, so the CPU figures are the
// server's alone. `BENCH_PROFILE=1` writes a CPU profile of the server's sign-ins
// (.cpuprofile, for Chrome DevTools) into the working directory.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The client side: `n` sign-ins with `concurrency` browsers; prints the wall time (ms). */
async function client(serverUrl: string, clientId: string, n: number, concurrency: number) {
  const signIn = async () => {
    const browser = new Browser();
    const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
    const q = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const page = await browser.go(`${serverUrl}/i/bench/auth?${q}`);
    const done = await browser.submit(page, {
      action: /\/login$/,
      fields: { login: 'bench-user', password: PASSWORD },
      stop: (l) => l.startsWith(REDIRECT),
    });
    if (!done.url.startsWith(REDIRECT)) throw new Error(`sign-in failed: ${done.status}`);
  };
  const t0 = performance.now();
  await pool(n, concurrency, signIn);
  process.stdout.write(JSON.stringify({ wall: performance.now() - t0 }));
}

/** Runs the client in a child process; resolves with its wall time once it has exited. */
function runClient(serverUrl: string, clientId: string, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        'client',
        serverUrl,
        clientId,
        String(n),
        String(CONCURRENCY),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve((JSON.parse(out) as { wall: number }).wall)
        : reject(new Error(`client exited with ${code}`)),
    );
  });
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
    await runClient(server.url, application.clientId, 10); // warm-up (provider, caches)

    const hashes = await hashOnly(hasher, SIGN_INS);
    const profile = process.env.BENCH_PROFILE === '1' ? new Session() : null;
    if (profile) {
      profile.connect();
      await profile.post('Profiler.enable');
      await profile.post('Profiler.start');
    }
    const v0 = hasher.verifies;
    const cpu0 = process.cpuUsage();
    const wall = await runClient(server.url, application.clientId, SIGN_INS);
    const used = process.cpuUsage(cpu0);
    const cpu = cpuMs(used);
    if (profile) {
      const { profile: data } = await profile.post('Profiler.stop');
      const file = `bench-login-${process.pid}.cpuprofile`;
      writeFileSync(file, JSON.stringify(data));
      console.log(`CPU profile of the server: ${file}`);
      profile.disconnect();
    }
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
      `hosted sign-in:   ${signInsPerSecond.toFixed(1)} sign-ins/s, ${cpuEach.toFixed(2)} ms server CPU each (${verifies} verifications; user ${(used.user / 1000 / SIGN_INS).toFixed(2)} ms, system ${(used.system / 1000 / SIGN_INS).toFixed(2)} ms)`,
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

if (process.argv[2] === 'client') {
  const [, , , url, clientId, n, concurrency] = process.argv;
  await client(url!, clientId!, Number(n), Number(concurrency));
} else {
  await main();
}
