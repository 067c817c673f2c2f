// Shared CLI output: human text or --json, and one-line errors: exit code 2 for bad input,
// 3 for a refusal (the --as user lacks the permission), 1 otherwise.
import { AppError } from '@idaas/core';

/** The exit code of a refusal (a permission the --as user lacks). */
export const EXIT_REFUSED = 3;

/** Prints a one-line error naming the field; returns the exit code (2 bad input, 3 refused, 1 otherwise). */
export function fail(e: unknown): number {
  if (e instanceof AppError) {
    process.stderr.write(`idaas: ${e.detail}\n`);
    // a refusal of the --as check (the server's `Denied`, which carries the audit actor);
    // other `forbidden`s are domain rules (e.g. the test payment provider) = bad input.
    // Duck-typed: importing the server here would load it for every command.
    if (e.code === 'forbidden' && 'actor' in e) return EXIT_REFUSED;
    return e.status < 500 ? 2 : 1;
  }
  const err = e as { code?: string; message?: string };
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`idaas: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`idaas: ${err?.message ?? String(e)}\n`);
  return 1;
}

export function print(json: boolean, data: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(data, null, 2) : human());
}
