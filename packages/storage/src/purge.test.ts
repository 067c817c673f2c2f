// Release purges every row of the instance (ID3, G6.4): the database is introspected for
// every table with an `instance_id` column, on every dialect; each must be in the purge
// list (INSTANCE_TABLES) or in the commented "kept on purpose" list (business records).
// Then the fixture rows of every migration (one representative row per table, instance
// `ins-1`) are loaded and purged: no row of the instance is left in a purged table, and
// the deletion receipt's counts are what was there (nothing went silently by cascade).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { KeyEncryptionKey } from '@idaas/core';
import { INSTANCE_TABLES, INSTANCE_TABLES_KEPT } from './business/lifecycle.ts';
import { migrationNames } from './migrations/index.ts';
import { newMigrator, withPgMigrationLock } from './store.ts';
import { availableStoreKinds, freshStore, type TestStore } from './testing.ts';

type Fixture = (kek: KeyEncryptionKey) => {
  vault: Record<string, string>;
  rows: Record<string, Record<string, unknown>[]>;
};

async function tablesWithInstanceId(t: TestStore): Promise<string[]> {
  if (t.store.dialect === 'sqlite') {
    const r = await sql<{ name: string }>`
      select m.name as name from sqlite_master m, pragma_table_info(m.name) c
      where m.type = 'table' and c.name = 'instance_id'`.execute(t.store.db);
    return r.rows.map((x) => x.name).sort();
  }
  const r = await sql<{ name: string }>`
    select c.table_name as name from information_schema.columns c
    join information_schema.tables t
      on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = ${t.store.pgSchema} and c.column_name = 'instance_id'
      and t.table_type = 'BASE TABLE'`.execute(t.store.db);
  return r.rows.map((x) => x.name).sort();
}

async function countFor(t: TestStore, table: string, instanceId: string): Promise<number> {
  const r = await sql<{ n: number | string }>`
    select count(*) as n from ${sql.table(table)} where instance_id = ${instanceId}`.execute(
    t.store.db,
  );
  return Number(r.rows[0]!.n);
}

for (const kind of availableStoreKinds()) {
  describe(`release purge (${kind})`, () => {
    test('every table with an instance_id column is purged or kept on purpose', async () => {
      const t = await freshStore(kind);
      try {
        const tables = await tablesWithInstanceId(t);
        assert.ok(tables.includes('users') && tables.includes('saml_apps'), 'introspection works');
        const purged = new Set<string>(INSTANCE_TABLES);
        const kept = new Set<string>(INSTANCE_TABLES_KEPT);
        const neither = tables.filter((x) => !purged.has(x) && !kept.has(x));
        assert.deepEqual(
          neither,
          [],
          `add to INSTANCE_TABLES (or, for business records, INSTANCE_TABLES_KEPT): ${neither.join(', ')}`,
        );
        const both = [...purged].filter((x) => kept.has(x));
        assert.deepEqual(both, [], 'a table is either purged or kept');
        const unknown = [...purged, ...kept].filter((x) => !tables.includes(x));
        assert.deepEqual(unknown, [], 'listed tables exist and have an instance_id column');
      } finally {
        await t.dispose();
      }
    });

    test('purging the fixture instance leaves none of its rows, and counts them all', async () => {
      const t = await freshStore(kind, { migrate: false });
      try {
        for (const name of migrationNames) {
          const step = (db: typeof t.store.db) =>
            newMigrator(db, t.store.dialect, t.store.pgSchema).migrateTo(name);
          const { error } = await (t.store.dialect === 'postgres'
            ? withPgMigrationLock(t.store.db, step)
            : step(t.store.db));
          assert.equal(error, undefined);
          const mod = (await import(`./migrations/fixtures/${name}.ts`)) as { fixture: Fixture };
          const data = mod.fixture(t.kek);
          for (const [id, wrapped] of Object.entries(data.vault))
            await t.store.vault.put(id, wrapped);
          for (const [table, rows] of Object.entries(data.rows))
            for (const row of rows)
              await t.store.db
                .insertInto(table as never)
                .values(row as never)
                .execute();
        }
        const before: Record<string, number> = {};
        for (const table of INSTANCE_TABLES) before[table] = await countFor(t, table, 'ins-1');
        // the fixtures hold rows of the SAML and SCIM tables: they must be counted
        for (const table of ['saml_apps', 'saml_request_ids', 'scim_resources'])
          assert.ok((before[table] ?? 0) > 0, `fixture rows in ${table}`);
        const keptBefore: Record<string, number> = {};
        for (const table of INSTANCE_TABLES_KEPT)
          keptBefore[table] = await countFor(t, table, 'ins-1');

        const what = await t.store.transaction(async (tx) => tx.instanceData.purge('ins-1'));

        for (const table of await tablesWithInstanceId(t)) {
          if ((INSTANCE_TABLES_KEPT as readonly string[]).includes(table)) {
            assert.equal(await countFor(t, table, 'ins-1'), keptBefore[table], `${table} kept`);
            continue;
          }
          assert.equal(await countFor(t, table, 'ins-1'), 0, `${table} purged`);
        }
        for (const table of INSTANCE_TABLES)
          assert.equal(what[table], before[table], `receipt counts ${table}`);
        assert.equal(what.instances, 1);
      } finally {
        await t.dispose();
      }
    });
  });
}
