// What the store-backed CLI commands share: configuration from the environment (the
// same variables as the server), the store (migrated if needed), the core use-cases,
// argument parsing conventions and errors that name the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  AppError,
  argon2Hasher,
  createCore,
  KeyEncryptionKey,
  systemClock,
  type Core,
  type Instance,
} from '@idaas/core';
import { openStore, type OpenedStore } from '@idaas/storage';
import { loadConfig, type Config } from '@idaas/server';

export interface CliContext {
  config: Config;
  store: OpenedStore;
  core: Core;
}

/** Opens the configured store (migrating it if needed), runs `fn`, closes the store. No HTTP listener. */
export async function withContext<T>(fn: (c: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  for (const w of config.warnings) process.stderr.write(`idaas: warning: ${w}\n`);
  const kek = KeyEncryptionKey.fromBase64(config.kek);
  const store = openStore(config.databaseUrl, {
    kek,
    vaultUrl: config.keyVaultUrl ?? undefined,
    clock: systemClock,
  });
  try {
    await store.migrate();
    const core = createCore({
      store,
      clock: systemClock,
      kek,
      hasher: argon2Hasher(),
      keyOverlapSeconds: Math.max(config.ttl.accessToken, config.ttl.idToken) + 300,
    });
    return await fn({ config, store, core });
  } finally {
    await store.close();
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
