// openStore(url): the Store port on SQLite (default, embedded) or PostgreSQL.
//   sqlite:PATH | sqlite::memory: | postgres://user@host:port/db[?schema=NAME]
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import {
  AppError,
  systemClock,
  type Clock,
  type KeyEncryptionKey,
  type Repos,
  type Store,
} from '@idaas/core';
import { InstanceKeys } from './instance-keys.ts';
import { defaultVaultUrl, openKeyVault } from './vault.ts';
import { migrationProvider, type Dialect } from './migrations/index.ts';
import { makeRepos } from './repos.ts';
import type { Database } from './schema.ts';
import { openSqlite } from './sqlite-driver.ts';

/** Which field a unique index protects, for a clear conflict error. */
const uniqueFields: [RegExp, string][] = [
  [/users_username|users\.instance_id, users\.username_lookup/, 'username'],
  [/users_email|users\.instance_id, users\.email_lookup/, 'email'],
  [/groups_name|groups\.instance_id, groups\.name_lower/, 'name'],
  [/applications_client_id|applications\.instance_id, applications\.client_id/, 'client_id'],
  [/instances_slug|instances\.slug/, 'slug'],
  [/access_policies_priority|access_policies\.instance_id, access_policies\.priority/, 'priority'],
];

function translate(err: unknown): unknown {
  const e = err as { code?: string; errcode?: number; message?: string; constraint?: string };
  const unique = e?.code === '23505' || e?.errcode === 2067 || e?.errcode === 1555;
  if (!unique) return err;
  const text = `${e.constraint ?? ''} ${e.message ?? ''}`;
  const field = uniqueFields.find(([re]) => re.test(text))?.[1] ?? 'id';
  return new AppError('conflict', `${field}: already exists`, {
    issues: [{ field, message: 'already exists' }],
  });
}

/** Wraps every repo method so that unique violations surface as AppError('conflict'). */
function guarded(repos: Repos): Repos {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, repo] of Object.entries(repos)) {
    const wrapped: Record<string, unknown> = {};
    for (const [m, fn] of Object.entries(
      repo as Record<string, (...a: unknown[]) => Promise<unknown>>,
    )) {
      wrapped[m] = async (...args: unknown[]) => {
        try {
          return await fn.apply(wrapped, args);
        } catch (err) {
          throw translate(err);
        }
      };
    }
    out[name] = wrapped;
  }
  return out as unknown as Repos;
}

// bigint columns (money in fen, counters) as JS numbers; refuse values past 2^53.
pg.types.setTypeParser(20, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new AppError('internal', `bigint ${v} exceeds the safe integer range`);
  return n;
});

export interface OpenedStore extends Store {
  readonly db: Kysely<Database>;
  /** The PostgreSQL schema in use (null on SQLite). */
  readonly pgSchema: string | null;
}

/** Advisory lock key for migrations (any constant bigint; "idaas" in ASCII). */
const MIGRATION_LOCK = 0x6964616173;

export interface StoreOptions {
  /** The platform key-encryption key: needed to read or write personal data and data keys. */
  kek?: KeyEncryptionKey | null;
  /** The key vault's database (default: beside the store, see defaultVaultUrl). */
  vaultUrl?: string | undefined;
  clock?: Clock;
}

/**
 * Kysely's migrator for our tables. On PostgreSQL the schema is named explicitly: the
 * migrator checks whether its tables exist across all schemas unless told which one,
 * and would then skip creating them in ours when another schema has them.
 */
export function newMigrator(
  db: Kysely<Database>,
  dialect: Dialect,
  pgSchema: string | null,
): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: 'idaas_migrations',
    migrationLockTableName: 'idaas_migrations_lock',
    ...(pgSchema ? { migrationTableSchema: pgSchema } : {}),
  });
}

export function openStore(url: string, opts: StoreOptions = {}): OpenedStore {
  let pgSchema: string | null = null;
  let dialect: Dialect;
  let db: Kysely<Database>;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    dialect = 'postgres';
    const u = new URL(url);
    const schema = u.searchParams.get('schema');
    pgSchema = schema ?? 'public';
    u.searchParams.delete('schema');
    const pool = new pg.Pool({
      connectionString: u.toString(),
      max: Number(u.searchParams.get('pool_max') ?? 10),
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else if (url.startsWith('sqlite:')) {
    dialect = 'sqlite';
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }) });
  } else {
    throw new AppError(
      'validation_failed',
      'DATABASE_URL: must start with sqlite: or postgres://',
      {
        issues: [{ field: 'DATABASE_URL', message: 'must start with sqlite: or postgres://' }],
      },
    );
  }
  const vault = openKeyVault(opts.vaultUrl ?? defaultVaultUrl(url), opts.clock ?? systemClock);
  const keys = new InstanceKeys(vault, opts.kek ?? null);
  // The transaction of the current async context: repos used while one is open run in
  // it, and a transaction begun inside one joins it. Without this, on SQLite (one
  // connection) a query outside the open transaction waits for it forever, and on
  // PostgreSQL it would not see the transaction's own uncommitted rows.
  const ambient = new AsyncLocalStorage<{ tx: Repos; hooks: (() => void)[] }>();
  // group commit: one multi-row statement per batch (of OIDC model writes) on both
  const outside = guarded(makeRepos(db, keys, { groupCommit: 'multi-row' }));
  const repos = new Proxy(outside, {
    get: (target, prop) => (ambient.getStore()?.tx ?? target)[prop as keyof Repos],
  });
  return {
    dialect,
    db,
    pgSchema,
    repos,
    vault: keys,
    transaction: async (fn) => {
      const open = ambient.getStore();
      if (open) return fn(open.tx);
      const hooks: (() => void)[] = [];
      const result = await db.transaction().execute((trx) => {
        const tx = guarded(makeRepos(trx, keys));
        return ambient.run({ tx, hooks }, () => fn(tx));
      });
      for (const h of hooks) {
        try {
          h();
        } catch {
          // an after-commit hook must not undo a committed transaction's success
        }
      }
      return result;
    },
    afterCommit(fn) {
      const open = ambient.getStore();
      if (open) open.hooks.push(fn);
      else fn();
    },
    async migrate() {
      await vault.migrate();
      const run = async (conn: Kysely<Database>) => {
        const migrator = newMigrator(conn, dialect, pgSchema);
        const { error, results } = await migrator.migrateToLatest();
        if (error) throw error;
        return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      };
      if (dialect === 'sqlite') {
        // Kysely runs SQLite migrations outside a transaction (no transactional DDL, in
        // its view) and its migration lock is a no-op there: take SQLite's write lock
        // around the whole run ourselves, so processes starting together serialise and
        // a failed migration leaves nothing behind.
        return db.connection().execute(async (conn) => {
          await sql`begin immediate`.execute(conn);
          try {
            const applied = await run(conn);
            await sql`commit`.execute(conn);
            return applied;
          } catch (e) {
            await sql`rollback`.execute(conn);
            throw e;
          }
        });
      }
      // PostgreSQL: a session advisory lock around everything, including the creation of
      // the migration tables (concurrent CREATE TABLE IF NOT EXISTS races in pg_type).
      return withPgMigrationLock(db, run);
    },
    async close() {
      await db.destroy();
      await vault.close();
    },
  };
}

/** Creates a PostgreSQL schema (for isolated tests) and returns a URL that uses it. */
export async function createPgSchema(baseUrl: string, schema: string): Promise<string> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: baseUrl, max: 1 }) }),
  });
  try {
    await sql.raw(`create schema if not exists "${schema.replace(/"/g, '')}"`).execute(db);
  } finally {
    await db.destroy();
  }
  const u = new URL(baseUrl);
  u.searchParams.set('schema', schema);
  return u.toString();
}

export async function dropPgSchema(baseUrl: string, schema: string): Promise<void> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: baseUrl, max: 1 }) }),
  });
  try {
    // under the migration lock: Kysely's migrator introspects every schema of the
    // database, and one dropped in the middle of that makes it fail
    await withPgMigrationLock(db, (conn) =>
      sql.raw(`drop schema if exists "${schema.replace(/"/g, '')}" cascade`).execute(conn),
    );
  } finally {
    await db.destroy();
  }
}

/** Runs `fn` on one connection holding the PostgreSQL migration advisory lock. */
export function withPgMigrationLock<DB, T>(
  db: Kysely<DB>,
  fn: (conn: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      return await fn(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
