// Test support for the CLI: run the real launcher in a child process, and the one
// check every command's bad-input test makes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = join(root, 'packages/cli/bin/idaas.mjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `idaas ...args` with only PATH, HOME, LOG_LEVEL=silent and `env` in its environment. */
export function idaas(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: 'silent',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Exit code 2 and exactly one line on stderr that names `flag`. */
export function badInput(r: Run, flag: string | RegExp): void {
  assert.equal(r.code, 2, `exit 2: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  if (typeof flag === 'string') assert.ok(lines[0]!.includes(flag), `names ${flag}: ${lines[0]}`);
  else assert.match(lines[0]!, flag);
}
