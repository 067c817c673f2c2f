// Shared set-up of the console's browser tests: a built console (rebuilt when a source is
// newer than dist), a real server, Chromium, screenshots and axe-core checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, globSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONSOLE_DIR = join(root, 'packages', 'console');
export const ARTIFACTS = join(root, 'test-artifacts', 'console');

/** Runs `vite build` when dist is missing or older than any source file. */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIR, 'dist', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = [
    ...globSync('src/**/*', { cwd: CONSOLE_DIR }),
    'index.html',
    'vite.config.ts',
    'package.json',
  ].map((f) => join(CONSOLE_DIR, f));
  const newest = Math.max(...sources.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (built >= newest) return;
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
    {
      cwd: CONSOLE_DIR,
      stdio: 'pipe',
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, `vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.x A/AA + 2.2) on the page; fails on serious or critical violations. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations;
  })) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    [],
    `${screen}: accessibility violations`,
  );
}

/**
 * A real HTTP server on 127.0.0.1 in front of `target` that holds every request until
 * `release()` and then forwards them (method, path, authorization, body) and answers with
 * the target's response. Lets a test observe a long operation still running (its work is
 * waiting on the target) without racing the server's background scheduler.
 */
export interface HeldTarget {
  /** the gate's base URL: `target` with the origin replaced */
  url: string;
  /** requests received so far (held or forwarded) */
  received(): number;
  release(): void;
  close(): Promise<void>;
}

export async function heldTarget(target: string): Promise<HeldTarget> {
  const to = new URL(target);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let received = 0;
  const server = createServer((req, res) => {
    received++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void released
        .then(async () => {
          const headers: Record<string, string> = {};
          for (const h of ['authorization', 'content-type', 'accept', 'if-match'])
            if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
          const body = chunks.length ? Buffer.concat(chunks) : undefined;
          const r = await fetch(new URL(req.url ?? '/', to.origin), {
            method: req.method ?? 'GET',
            headers,
            ...(body ? { body } : {}),
          });
          const out = Buffer.from(await r.arrayBuffer());
          const type = r.headers.get('content-type');
          res.writeHead(r.status, type ? { 'content-type': type } : {});
          res.end(out);
        })
        .catch((e: unknown) => {
          res.writeHead(502).end(String(e));
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${to.pathname}`,
    received: () => received,
    release,
    close: () =>
      new Promise<void>((r) => {
        release();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
