// The key vault: wrapped instance data keys in a database of their own (KEY_VAULT_URL),
// never in the main store, so that backups of the store hold no key and a destroyed
// key is gone from every copy of the data (agreement ID3, G6.4, G6.5).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Clock, KeyVault } from '@idaas/core';
import { openSqlite } from './sqlite-driver.ts';

interface VaultDb {
  instance_data_keys: { instance_id: string; wrapped: string; created_at: string };
}

const VAULT_LOCK = 0x6964616174;

export interface OpenedVault extends KeyVault {
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The default vault location beside a store: a separate SQLite file, or a separate PostgreSQL schema. */
export function defaultVaultUrl(storeUrl: string): string {
  if (storeUrl === 'sqlite::memory:') return 'sqlite::memory:';
  if (storeUrl.startsWith('sqlite:'))
    return `sqlite:${dirname(storeUrl.slice('sqlite:'.length))}/keyvault.db`;
  const u = new URL(storeUrl);
  u.searchParams.set('schema', `${u.searchParams.get('schema') ?? 'public'}_keyvault`);
  return u.toString();
}

export function openKeyVault(url: string, clock: Clock): OpenedVault {
  let db: Kysely<VaultDb>;
  let schema: string | null = null;
  const pgDialect = !url.startsWith('sqlite:');
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Kysely<VaultDb>({ dialect: new SqliteDialect({ database: openSqlite(path) }) });
  } else {
    const u = new URL(url);
    schema = u.searchParams.get('schema');
    u.searchParams.delete('schema');
    const pool = new pg.Pool({
      connectionString: u.toString(),
      max: 4,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    db = new Kysely<VaultDb>({ dialect: new PostgresDialect({ pool }) });
  }
  // The vault creates its one table itself, once, before its first use.
  let ready: Promise<void> | null = null;
  const ensure = (): Promise<void> =>
    (ready ??= (async () => {
      const ddl = async (q: Kysely<VaultDb>) => {
        if (schema)
          await sql.raw(`create schema if not exists "${schema.replace(/"/g, '')}"`).execute(q);
        await sql`create table if not exists instance_data_keys (instance_id text primary key, wrapped text not null, created_at text not null)`.execute(
          q,
        );
      };
      if (!pgDialect) return ddl(db);
      // concurrent CREATE ... IF NOT EXISTS race on PostgreSQL: serialise them
      await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${VAULT_LOCK})`.execute(trx);
        await ddl(trx);
      });
    })().catch((e) => {
      ready = null;
      throw e;
    }));
  return {
    migrate: ensure,
    async put(instanceId, wrapped) {
      await ensure();
      await db
        .insertInto('instance_data_keys')
        .values({ instance_id: instanceId, wrapped, created_at: clock.now().toISOString() })
        .onConflict((oc) => oc.column('instance_id').doUpdateSet({ wrapped }))
        .execute();
    },
    async get(instanceId) {
      await ensure();
      const r = await db
        .selectFrom('instance_data_keys')
        .select('wrapped')
        .where('instance_id', '=', instanceId)
        .executeTakeFirst();
      return r?.wrapped ?? null;
    },
    async destroy(instanceId) {
      await ensure();
      const r = await db
        .deleteFrom('instance_data_keys')
        .where('instance_id', '=', instanceId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    close: () => db.destroy(),
  };
}
