// Test support: fresh, migrated stores on every dialect the machine offers.
// SQLite always (in a temp file); PostgreSQL when TEST_DATABASE_URL is set, each
// store in its own schema so test files can run in parallel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeyEncryptionKey } from '@idaas/core';
import { createPgSchema, dropPgSchema, openStore, type OpenedStore } from './store.ts';

export interface TestStore {
  store: OpenedStore;
  url: string;
  kek: KeyEncryptionKey;
  dispose(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export function availableStoreKinds(): StoreKind[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A URL for an empty database of the given kind, and a function that removes it. */
export async function freshDatabaseUrl(
  kind: StoreKind,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'idaas-test-'));
    return {
      url: `sqlite:${join(dir, 'idaas.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    url: await createPgSchema(base, schema),
    async drop() {
      await dropPgSchema(base, schema);
      await dropPgSchema(base, `${schema}_keyvault`); // the key vault's schema (defaultVaultUrl)
    },
  };
}

export async function freshStore(
  kind: StoreKind,
  opts: { migrate?: boolean; kek?: KeyEncryptionKey } = {},
): Promise<TestStore> {
  const { url, drop } = await freshDatabaseUrl(kind);
  const kek = opts.kek ?? new KeyEncryptionKey(randomBytes(32));
  const store = openStore(url, { kek });
  if (opts.migrate !== false) await store.migrate();
  return {
    store,
    url,
    kek,
    async dispose() {
      await store.close();
      await drop();
    },
  };
}
