// What the store-backed CLI commands share: configuration from the environment (the
// same variables as the server), the store (migrated if needed), the core use-cases,
// argument parsing conventions and errors that name the flag; and the one place where
// the global `--as USER_ID` is checked against the subcommand's declared permission.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError, type AuditActor, type Core, type Instance, type Store } from '@idaas/core';
import {
  buildContext,
  createLogger,
  loadConfig,
  type Config,
  type ServerContext,
} from '@idaas/server';
import { auditCli, authorizeAs, OPERATOR_CLI, type CliCall } from './authorize.ts';
import { entryOf, isWrite } from './permissions.ts';
import { currentInvocation, type Invocation } from './invocation.ts';

export { cliAccess, cliActor, cliUser } from './invocation.ts';

export interface CliContext {
  config: Config;
  store: Store;
  core: Core;
  /** The server's context without an HTTP listener: business modules, events, clock. */
  sctx: ServerContext;
}

/** Standard input as text (capped), or what an in-process run supplied. */
export async function readInput(limit: number, flag = 'stdin'): Promise<string> {
  const given = currentInvocation()?.stdin;
  if (given !== undefined) {
    if (Buffer.byteLength(given) > limit) throw flagError(flag, `longer than ${limit} bytes`);
    return given;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > limit) throw flagError(flag, `longer than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The subcommand of the current invocation and its declared permission. */
function callOf(inv: Invocation): CliCall | null {
  const found = entryOf(inv.table, inv.positionals ?? []);
  if (!found)
    // like an API route without a permission: a programming error, refused to everyone
    throw new AppError(
      'internal',
      `idaas ${[inv.command, ...(inv.positionals ?? [])].join(' ')} declares no permission`,
    );
  const { key, entry } = found;
  if (entry.permission === 'none') return null;
  return { name: [inv.command, key].filter(Boolean).join(' '), entry, values: inv.values ?? {} };
}

/**
 * Opens the configured store (migrating and bootstrapping it if needed), runs `fn`,
 * closes the store. No HTTP listener, no background work. With --as, first checks the
 * subcommand's declared permission for that user (refusal: `Denied`, audited, exit 3).
 * Every write (a subcommand whose permission is not a read) is audited here, success or
 * failure, as `cli.<command>.<sub>`: with the --as user as the actor, or without --as
 * as the operator `{type: 'operator', id: 'cli'}`.
 */
export async function withContext<T>(fn: (c: CliContext) => Promise<T>): Promise<T> {
  const inv = currentInvocation();
  const call = inv ? callOf(inv) : null;
  if (inv?.as !== undefined && !call)
    throw flagError('--as', `idaas ${inv.command} takes no identity`);
  if (inv?.sctx) return checked(inv, call, inv.sctx, fn);
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  for (const w of config.warnings) process.stderr.write(`idaas: warning: ${w}\n`);
  // No bootstrap here: the server does that at its first start (and shows the
  // administrator's password there); instance creation makes the operator account itself.
  const { sctx } = await buildContext(config, {
    logger: createLogger(config.logLevel),
    bootstrap: false,
  });
  try {
    return await checked(inv, call, sctx, fn);
  } finally {
    await sctx.limiter.close();
    await sctx.lockout.close();
    await sctx.audit.close?.();
    await sctx.store.close();
  }
}

async function checked<T>(
  inv: Invocation | undefined,
  call: CliCall | null,
  sctx: ServerContext,
  fn: (c: CliContext) => Promise<T>,
): Promise<T> {
  const c = { config: sctx.config, store: sctx.store, core: sctx.core, sctx };
  if (!inv || !call) return fn(c);
  // Without --as the caller is the operator at the console (database and master key at
  // hand): nothing to check, but every write is still audited, here, like --as writes.
  let outcome: { actor: AuditActor; instance: Instance | null | undefined } = {
    actor: OPERATOR_CLI,
    instance: undefined, // resolved from --instance when recording (it may be created or removed)
  };
  if (inv.as !== undefined) {
    const decision = await authorizeAs(sctx, call, inv.as);
    inv.decision = decision;
    outcome = { actor: decision.actor, instance: decision.instance };
  }
  if (!isWrite(call.entry)) return fn(c);
  let result: T;
  try {
    result = await fn(c);
  } catch (e) {
    await auditCli(sctx, call, {
      ...outcome,
      result: 'failure',
      code: e instanceof AppError ? e.code : 'internal',
    });
    throw e;
  }
  await auditCli(sctx, call, { ...outcome, result: 'success' });
  return result;
}

/** A bad-input error naming a flag (exit code 2). */
export function flagError(flag: string, message: string): AppError {
  return new AppError('validation_failed', `${flag}: ${message}`, {
    issues: [{ field: flag, message }],
  });
}

export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw flagError(flag, 'is required');
  return value;
}

/** Looks an instance up by slug; unknown → a clear bad-input error naming --instance. */
export async function instanceBySlug(core: Core, slug: string): Promise<Instance> {
  const instance = await core.instances.find(slug);
  if (!instance)
    throw new AppError(
      'not_found',
      `--instance: no instance "${slug}" (see: idaas instance list)`,
      {
        issues: [{ field: '--instance', message: `no instance "${slug}"` }],
      },
    );
  return instance;
}

/**
 * Re-words an error of the core (which names its camelCase input fields) to name the
 * flag the user typed, e.g. `redirectUris[1]` → `--redirect-uri "http://x"`.
 */
export function inFlagTerms(
  e: unknown,
  flags: Record<string, string>,
  values: Record<string, unknown> = {},
): unknown {
  if (!(e instanceof AppError) || e.issues.length === 0) return e;
  const first = e.issues[0]!;
  const m = /^([A-Za-z]+)(?:\[(\d+)\])?/.exec(first.field);
  const flag = m ? flags[m[1]!] : undefined;
  if (!flag) return e;
  const list = values[m![1]!];
  const value = m![2] !== undefined && Array.isArray(list) ? list[Number(m![2])] : undefined;
  const name = value === undefined ? flag : `${flag} ${JSON.stringify(value)}`;
  const message = first.message.startsWith(`${first.field}: `)
    ? first.message.slice(first.field.length + 2)
    : first.message;
  return new AppError(e.code, `${name}: ${message}`, {
    issues: e.issues,
    extra: e.extra,
    status: e.status,
  });
}

/** parseArgs with the CLI's conventions: strict flags, one positional (the subcommand). */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
) {
  const parsed = parseArgs({
    args: argv,
    options: {
      ...options,
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  const inv = currentInvocation();
  if (inv) {
    inv.positionals = parsed.positionals;
    inv.values = parsed.values as Record<string, unknown>;
  }
  return parsed;
}

export function unknownSubcommand(
  command: string,
  sub: string | undefined,
  subs: string[],
): AppError {
  const choices = subs.join(', ');
  return new AppError(
    'validation_failed',
    sub
      ? `${command}: unknown subcommand "${sub}" (use ${choices}; see idaas ${command} --help)`
      : `${command}: a subcommand is required (${choices}; see idaas ${command} --help)`,
  );
}

/**
 * `parse` with the conventions of a command of subcommands: `--help` prints `usage` and
 * gives null (exit 0); exactly one subcommand, one of `subs`; `json` from --json.
 */
export function parseSubcommand<
  S extends string,
  O extends NonNullable<ParseArgsConfig['options']>,
>(
  argv: string[],
  command: { name: string; subs: readonly S[]; usage: string },
  options: O,
): { sub: S; values: ReturnType<typeof parse<O>>['values']; json: boolean } | null {
  const { values, positionals } = parse(argv, options);
  const [sub, ...extra] = positionals;
  const common = values as { help?: boolean; json?: boolean };
  if (common.help) {
    console.log(command.usage);
    return null;
  }
  const subs: readonly string[] = command.subs;
  if (extra.length) throw unknownSubcommand(command.name, extra.join(' '), [...subs]);
  if (!sub || !subs.includes(sub)) throw unknownSubcommand(command.name, sub, [...subs]);
  return { sub: sub as S, values, json: !!common.json };
}
