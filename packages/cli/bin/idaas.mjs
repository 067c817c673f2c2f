#!/usr/bin/env node
// Launcher for the `idaas` command. The sources are TypeScript run directly by
// Node's built-in type stripping (default since Node 23.6; behind a flag on 22.x).
// This file is plain JavaScript so that it can choose how to start them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', 'src', 'main.ts');
const [major, minor] = process.versions.node.split('.').map(Number);

function reexec(nodeBin, flags) {
  const r = spawnSync(nodeBin, [...flags, main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

if (major < 22 || (major === 22 && minor < 13)) {
  // An old system node: use the Node 24 that scripts/node-env.sh installs, if present.
  const repoNode = join(here, '..', '..', '..', '.tools', 'node24', 'node_modules', 'node', 'bin', 'node');
  if (existsSync(repoNode)) reexec(repoNode, []);
  process.stderr.write(
    `idaas needs Node.js >= 22.13 (this is ${process.versions.node}); run: . scripts/node-env.sh\n`,
  );
  process.exit(1);
} else if (!process.features.typescript) {
  reexec(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning']);
} else {
  await import(main);
}
