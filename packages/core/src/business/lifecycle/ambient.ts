// The transaction a transition listener or a job handler runs in, ambient for the
// ports that take no `tx` (AccountClocks): on SQLite the store has ONE connection, so a
// query outside the open transaction would wait for it forever; on PostgreSQL it would
// not see the transaction's uncommitted rows.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Repos } from '../../ports.ts';

const ambient = new AsyncLocalStorage<Repos>();

/** Runs `fn` with `tx` as the ambient transaction. */
export function withTransaction<T>(tx: Repos, fn: () => Promise<T>): Promise<T> {
  return ambient.run(tx, fn);
}

/** The ambient transaction, if any. */
export function currentTransaction(): Repos | undefined {
  return ambient.getStore();
}
