export {
  openStore,
  createPgSchema,
  dropPgSchema,
  type OpenedStore,
  type StoreOptions,
} from './store.ts';
export { defaultVaultUrl } from './vault.ts';
export { migrationNames } from './migrations/index.ts';
export type { Database } from './schema.ts';
export {
  freshStore,
  freshDatabaseUrl,
  availableStoreKinds,
  type TestStore,
  type StoreKind,
} from './testing.ts';
