// Test support: fresh, migrated stores on every dialect the machine offers.
// SQLite always (in a temp file); PostgreSQL when TEST_DATABASE_URL is set, each
// store in its own schema so test files can run in parallel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeyEncryptionKey, newId, type Clock, type Instance } from '@idaas/core';
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

/**
 * Repo-test scaffolding: one customer account and an active (non-platform) instance of it
 * per slug, inserted into the test store; ids and instants from `clock`.
 */
export async function seedInstances(
  t: TestStore,
  clock: Clock,
  slugs: string[],
): Promise<Instance[]> {
  const acc = {
    id: newId(clock),
    kind: 'customer' as const,
    name: 'Acme',
    ownerEmail: null,
    createdAt: clock.now(),
  };
  await t.store.repos.accounts.insert(acc);
  const out: Instance[] = [];
  for (const slug of slugs) {
    const id = newId(clock);
    const inst: Instance = {
      id,
      accountId: acc.id,
      slug,
      displayName: slug,
      region: 'cn-shanghai',
      state: 'active',
      dataKeyWrapped: t.kek.newDataKey(id).wrapped,
      platform: false,
      configVersion: 1,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    };
    await t.store.repos.instances.insert(inst);
    out.push(inst);
  }
  return out;
}
