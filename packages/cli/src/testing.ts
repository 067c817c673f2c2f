// Test support for the CLI: run the real launcher in a child process (or the dispatcher
// in this process), and the checks every command's bad-input and refusal tests make.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerContext } from '@idaas/server';

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

/**
 * `idaas ...args` in this process on an existing server context (no child process, no
 * new store connection): what the dispatcher does, with stdout and stderr captured.
 */
export async function idaasInProcess(
  sctx: ServerContext,
  args: string[],
  stdin?: string,
): Promise<Run> {
  const { main } = await import('./cli.ts');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  // Strings are the command's output; binary chunks are the test runner's own reports
  // (it talks to its parent over stdout), passed through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return out.call(process.stdout, chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return err.call(process.stderr, chunk, ...rest);
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args, { sctx, ...(stdin !== undefined ? { stdin } : {}) });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** Exit code 3 (refused) and exactly one line on stderr matching `re`. */
export function refused(r: Run, re: RegExp): void {
  assert.equal(r.code, 3, `exit 3: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, re);
}
