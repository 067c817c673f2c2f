// Which embedded SQLite driver? Measures Kysely over node:sqlite (our choice: built
// into Node, nothing native to compile) and, when importable, better-sqlite3, on the
// operations the identity service does most: token upserts and point reads.
//   node bench/sqlite-driver.ts            (better-sqlite3 from BETTER_SQLITE3 module path if set)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { openSqlite } from '../packages/storage/src/sqlite-driver.ts';

const N = 20_000;

async function run(
  name: string,
  database: SqliteDatabase,
): Promise<{ name: string; upserts: number; reads: number }> {
  const db = new Kysely<{ t: { id: string; payload: string; expires_at: string } }>({
    dialect: new SqliteDialect({ database }),
  });
  await sql`create table t (id text primary key, payload text not null, expires_at text not null)`.execute(
    db,
  );
  const payload = JSON.stringify({
    jti: 'x'.repeat(43),
    kind: 'AccessToken',
    scope: 'openid profile',
    exp: 1234567890,
  });
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await db
      .insertInto('t')
      .values({ id: `id-${i}`, payload, expires_at: '2026-01-01T00:00:00.000Z' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ payload }))
      .execute();
  }
  const upserts = N / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < N; i++)
    await db
      .selectFrom('t')
      .selectAll()
      .where('id', '=', `id-${(i * 7919) % N}`)
      .executeTakeFirst();
  const reads = N / ((performance.now() - t0) / 1000);
  await db.destroy();
  return { name, upserts, reads };
}

const dir = mkdtempSync(join(tmpdir(), 'idaas-bench-sqlite-'));
try {
  const results = [await run('node:sqlite', openSqlite(join(dir, 'a.db')))];
  const modulePath = process.env.BETTER_SQLITE3 ?? 'better-sqlite3';
  try {
    const { default: Better } = (await import(modulePath)) as {
      default: new (p: string) => SqliteDatabase & { pragma(s: string): void };
    };
    const b = new Better(join(dir, 'b.db'));
    b.pragma('journal_mode = wal');
    b.pragma('synchronous = normal');
    // Statements are cached: better-sqlite3 12 on Node 24 aborted the process (a failed
    // assertion in Statement's destructor) once uncached statements were garbage-collected.
    const cache = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
    const cached: SqliteDatabase = {
      close: () => b.close(),
      prepare: (q) => cache.get(q) ?? (cache.set(q, b.prepare(q)), cache.get(q)!),
    };
    results.push(await run('better-sqlite3', cached));
  } catch {
    console.log(
      'better-sqlite3 not importable (set BETTER_SQLITE3=/path/to/node_modules/better-sqlite3 to compare)',
    );
  }
  const base = results[0]!;
  for (const r of results)
    console.log(
      `${r.name.padEnd(15)} upserts ${r.upserts.toFixed(0).padStart(7)}/s  point reads ${r.reads.toFixed(0).padStart(7)}/s  (ratio to node:sqlite: ${(r.upserts / base.upserts).toFixed(2)} / ${(r.reads / base.reads).toFixed(2)})`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
