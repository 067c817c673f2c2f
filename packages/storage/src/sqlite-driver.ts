// Kysely's SqliteDialect over Node's built-in `node:sqlite` (no native addon to build).
// Kysely expects a better-sqlite3-shaped database; this adapts node:sqlite to it.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const READER = /^\s*(select|with|pragma|values|explain)\b|\breturning\b/i;

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  constructor(stmt: StatementSync, sqlText: string) {
    this.#stmt = stmt;
    this.reader = READER.test(sqlText);
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...(parameters as never[]));
  }
  run(parameters: ReadonlyArray<unknown>) {
    const r = this.#stmt.run(...(parameters as never[]));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...(parameters as never[])) as IterableIterator<unknown>;
  }
}

export function openSqlite(path: string): SqliteDatabase {
  const db = new DatabaseSync(path);
  // busy_timeout first: switching to WAL takes a lock too, and another process may be
  // opening or migrating the same file at that moment.
  db.exec('pragma busy_timeout = 5000');
  db.exec('pragma journal_mode = wal');
  db.exec('pragma synchronous = normal');
  db.exec('pragma foreign_keys = on');
  const cache = new Map<string, Statement>();
  return {
    close: () => db.close(),
    prepare(sqlText: string) {
      // Write transactions take the write lock at BEGIN: a deferred transaction that
      // reads and then writes fails at once with SQLITE_BUSY when another process
      // wrote meanwhile, instead of waiting (and it makes migrations race-free).
      if (sqlText === 'begin') sqlText = 'begin immediate';
      let s = cache.get(sqlText);
      if (!s) {
        s = new Statement(db.prepare(sqlText), sqlText);
        if (cache.size > 500) cache.clear();
        cache.set(sqlText, s);
      }
      return s;
    },
  };
}
