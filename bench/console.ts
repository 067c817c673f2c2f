// bench:console — the console's initial JavaScript (entry chunk and its static imports, from
// Vite's manifest), gzipped, against the goal of 250 KiB; and the time from opening the
// console to the operator's dashboard being interactive (sign-in through the provider
// included), median of several runs in headless Chromium.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestServer, TEST_ADMIN_PASSWORD } from '../packages/server/src/testing.ts';
import { chromiumMissing, launchChromium } from '../e2e/support/chromium.ts';
import { CONSOLE_DIR, ensureConsoleBuilt } from '../e2e/console/support.ts';

const GOAL_KIB = 250;
const RUNS = Number(process.env.RUNS ?? 7);

ensureConsoleBuilt();
const dist = join(CONSOLE_DIR, 'dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
  string,
  { file: string; isEntry?: boolean; imports?: string[] }
>;
const files = new Set<string>();
const visit = (key: string) => {
  const m = manifest[key];
  if (!m || files.has(m.file)) return;
  files.add(m.file);
  for (const i of m.imports ?? []) visit(i);
};
for (const [k, v] of Object.entries(manifest)) if (v.isEntry) visit(k);
let gz = 0;
for (const f of files) gz += gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const kib = gz / 1024;
console.log(
  `initial JS: ${[...files].join(', ')} — ${kib.toFixed(1)} KiB gzipped (goal ≤ ${GOAL_KIB} KiB: ${kib <= GOAL_KIB ? 'met' : 'NOT met'})`,
);

if (chromiumMissing) {
  console.log(`time to interactive: skipped (${chromiumMissing})`);
  process.exit(0);
}
const server = await startTestServer('sqlite');
const chrome = await launchChromium();
const times: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const ctx = await chrome.browser.newContext();
    const page = await ctx.newPage();
    const t0 = performance.now();
    await page.goto(`${server.url}/console/?lang=en`);
    await page.getByRole('button', { name: /operator/i }).click();
    await page.locator('input[name=login]').fill('admin');
    await page.locator('input[name=password]').fill(TEST_ADMIN_PASSWORD);
    await page.locator('form button[type=submit]').first().click();
    await page.waitForURL(/\/console\/operator$/);
    // interactive: the dashboard's data is shown and its links respond
    await page.locator('.card .stat').first().waitFor();
    await page
      .getByRole('link', { name: /^customers$/i })
      .first()
      .waitFor({ state: 'visible' });
    times.push(performance.now() - t0);
    await ctx.close();
  }
} finally {
  await chrome.close();
  await server.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(
  `sign-in → dashboard interactive: median ${median.toFixed(0)} ms over ${RUNS} runs (min ${times[0]!.toFixed(0)}, max ${times[times.length - 1]!.toFixed(0)})`,
);
