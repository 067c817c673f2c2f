// What the store-backed CLI commands share: configuration from the environment (the
// same variables as the server), the store (migrated if needed), the core use-cases,
// argument parsing conventions and errors that name the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError, type Core, type Instance, type Store } from '@idaas/core';
import {
  buildContext,
  createLogger,
  loadConfig,
  type Config,
  type ServerContext,
} from '@idaas/server';

export interface CliContext {
  config: Config;
  store: Store;
  core: Core;
  /** The server's context without an HTTP listener: business modules, events, clock. */
  sctx: ServerContext;
}

/**
 * Opens the configured store (migrating and bootstrapping it if needed), runs `fn`,
 * closes the store. No HTTP listener, no background work.
 */
export async function withContext<T>(fn: (c: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  for (const w of config.warnings) process.stderr.write(`idaas: warning: ${w}\n`);
  // No bootstrap here: the server does that at its first start (and shows the
  // administrator's password there); instance creation makes the operator account itself.
  const { sctx } = await buildContext(config, {
    logger: createLogger(config.logLevel),
    bootstrap: false,
  });
  try {
    return await fn({ config, store: sctx.store, core: sctx.core, sctx });
  } finally {
    await sctx.limiter.close();
    await sctx.lockout.close();
    await sctx.audit.close?.();
    await sctx.store.close();
  }
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
  return parseArgs({
    args: argv,
    options: {
      ...options,
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
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
