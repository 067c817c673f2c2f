#!/usr/bin/env node
// The test command (`npm test`): type check, lint, then every test file with Node's
// test runner. Storage and protocol suites also run on PostgreSQL when
// TEST_DATABASE_URL is set (CI sets it), and use Redis when TEST_REDIS_URL is set.
// Flags: --no-checks skips typecheck and lint; any other argument is passed to `node --test`.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const args = process.argv.slice(2);
const checks = !args.includes('--no-checks');
const rest = args.filter((a) => a !== '--no-checks');

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', shell: false });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (checks) {
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
  // the console (TSX, DOM) has its own compiler options; Vite builds it, tsc checks it
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'packages/console']);
  run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
}
const files = rest.some((a) => !a.startsWith('-'))
  ? []
  : ['packages/*/src/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts']
      .flatMap((g) => globSync(g))
      .sort();
if (!process.env.TEST_DATABASE_URL) {
  console.log('# TEST_DATABASE_URL is not set: PostgreSQL suites are skipped (CI sets it).');
}
run(process.execPath, ['--test', '--test-concurrency=2', ...rest, ...files]);
