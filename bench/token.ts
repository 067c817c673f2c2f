// Token endpoint throughput: client-credentials grants against our server (SQLite, and
// PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set) and, in the same run, a bare
// oidc-provider with its in-memory adapter and a static client. Opaque access tokens
// (persisted: through our store / the memory adapter) and JWT access tokens (resource
// indicator). Each server runs in its own child process; this process only generates load
// (fixed duration, fixed concurrency, keep-alive, 127.0.0.1) and prints req/s, p50/p99 and
// the ratio ours/bare.
//
//   npm run bench:token            (BENCH_SECONDS=5 BENCH_CONCURRENCY=16 by default)
//
// BENCH_RUNS=n repeats the whole sequence n times and prints the median ratio per target
// and format (the machine is noisy: compare ratios within one invocation). BENCH_PROFILE=1
// starts our servers' child processes with --cpu-prof: one .cpuprofile per child (warm-up
// and load included) in BENCH_PROFILE_DIR (default: the system temp directory).
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const PROFILE_DIR =
  process.env.BENCH_PROFILE === '1' ? (process.env.BENCH_PROFILE_DIR ?? tmpdir()) : null;
const RESOURCE = 'https://api.bench.test/';

interface Target {
  tokenUrl: string;
  opaque: { id: string; secret: string };
  jwt: { id: string; secret: string };
}

// ---------------------------------------------------------------- child: servers

async function serveOurs(store: string): Promise<Target> {
  const { startTestServer } = await import('../packages/server/src/testing.ts');
  const server = await startTestServer(store as 'sqlite' | 'postgres', {
    env: { RATE_LIMIT_TOKEN_PER_SECOND: '1000000' },
    logLevel: 'silent',
  });
  const inst = (await server.sctx.core.instances.find('default'))!;
  const mk = async (accessTokenFormat: 'opaque' | 'jwt') => {
    const r = await server.sctx.core.applications.create(inst, {
      name: `bench ${accessTokenFormat}`,
      grantTypes: ['client_credentials'],
      scopes: ['bench'],
      accessTokenFormat,
    });
    return { id: r.application.clientId, secret: r.clientSecret! };
  };
  const opaque = await mk('opaque');
  const jwt = await mk('jwt');
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
  return { tokenUrl: `${server.url}/i/default/token`, opaque, jwt };
}

async function serveBare(): Promise<Target> {
  const { default: Provider } = await import('oidc-provider');
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;
  const client = (id: string) => ({
    client_id: id,
    client_secret: `${id}-secret-with-enough-entropy-0123456789`,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'bench',
    id_token_signed_response_alg: 'ES256',
  });
  const jose = await import('jose');
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const key = { ...(await jose.exportJWK(privateKey)), alg: 'ES256', kid: 'bench', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [client('opaque'), client('jwt')] as never,
    scopes: ['openid', 'bench'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        getResourceServerInfo: async (_ctx, _indicator, c) => ({
          scope: 'bench',
          accessTokenTTL: 3600,
          accessTokenFormat: c.clientId === 'jwt' ? 'jwt' : 'opaque',
          ...(c.clientId === 'jwt' ? { jwt: { sign: { alg: 'ES256' as const } } } : {}),
        }),
      },
    },
    jwks: { keys: [key as never] },
  });
  srv.on('request', provider.callback());
  process.on('SIGTERM', () => process.exit(0));
  return {
    tokenUrl: `${issuer}/token`,
    opaque: { id: 'opaque', secret: client('opaque').client_secret },
    jwt: { id: 'jwt', secret: client('jwt').client_secret },
  };
}

// ---------------------------------------------------------------- parent: load

function startChild(kind: string): Promise<{ child: ChildProcess; target: Target }> {
  const profile = PROFILE_DIR
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${PROFILE_DIR}`,
        `--cpu-prof-name=token-${kind}-${process.pid}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, fileURLToPath(import.meta.url), '--serve', kind],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (profile.length) console.log(`# profile: ${PROFILE_DIR}/${profile[2]!.split('=')[1]}`);
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, target: JSON.parse(line) as Target });
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
  });
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(target: Target, format: 'opaque' | 'jwt'): Promise<Result> {
  const creds = target[format];
  const auth = `Basic ${Buffer.from(`${creds.id}:${creds.secret}`).toString('base64')}`;
  const body =
    format === 'jwt'
      ? `grant_type=client_credentials&scope=bench&resource=${encodeURIComponent(RESOURCE)}`
      : 'grant_type=client_credentials&scope=bench';
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(target.tokenUrl);
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: auth,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  // warm-up (provider creation, JIT, connections)
  for (let i = 0; i < 200; i++) await one();
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await one();
          latencies.push(performance.now() - t0);
        } catch (e) {
          if (errors++ === 0) console.error(String(e));
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}

async function main() {
  const serveIdx = process.argv.indexOf('--serve');
  if (serveIdx > 0) {
    const kind = process.argv[serveIdx + 1]!;
    const target = kind === 'bare' ? await serveBare() : await serveOurs(kind);
    process.stdout.write(JSON.stringify(target) + '\n');
    return;
  }
  if (!process.env.TEST_DATABASE_URL && process.env.DATABASE_URL?.startsWith('postgres'))
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
  const kinds = process.env.BENCH_TARGETS?.split(',') ?? [
    'bare',
    'sqlite',
    ...(process.env.TEST_DATABASE_URL ? ['postgres'] : []),
  ];
  console.log(
    `# client_credentials, ${SECONDS}s per run, concurrency ${CONCURRENCY}, servers in child processes, node ${process.version}`,
  );
  const ratios: Record<string, number[]> = {};
  for (let run = 1; run <= RUNS; run++) {
    if (RUNS > 1) console.log(`# run ${run}/${RUNS}`);
    // all servers up at once, then each format through every target back to back: the
    // runs compared in a ratio are seconds apart, not a whole target's runs apart
    const results: Record<string, Record<string, Result>> = {};
    const children: { kind: string; child: ChildProcess; target: Target }[] = [];
    for (const kind of kinds) children.push({ kind, ...(await startChild(kind)) });
    const kill = () => children.forEach(({ child }) => child.kill('SIGTERM'));
    process.once('exit', kill);
    for (const format of (process.env.BENCH_FORMATS?.split(',') ?? ['opaque', 'jwt']) as (
      'opaque' | 'jwt'
    )[]) {
      for (const { kind, target } of children) {
        const r = await load(target, format);
        (results[kind] ??= {})[format] = r;
        const bare = results.bare?.[format];
        const ratio = bare && kind !== 'bare' ? r.rps / bare.rps : null;
        if (ratio !== null) (ratios[`${kind} ${format}`] ??= []).push(ratio);
        console.log(
          `${kind.padEnd(8)} ${format.padEnd(6)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}  ours/bare ${ratio === null ? '—' : ratio.toFixed(2)}`,
        );
      }
    }
    const exited = children.map(({ child }) => once(child, 'exit'));
    kill();
    await Promise.all(exited);
    process.off('exit', kill);
  }
  if (RUNS > 1) {
    console.log(`# median ours/bare over ${RUNS} runs`);
    for (const [key, list] of Object.entries(ratios)) {
      const sorted = list.slice().sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      console.log(
        `${key.padEnd(15)} median ${median.toFixed(2)}  (${sorted.map((r) => r.toFixed(2)).join(', ')})`,
      );
    }
  }
}

await main();
