export { openStore, createPgSchema, dropPgSchema, type OpenedStore } from './store.ts';
export { migrationNames } from './migrations/index.ts';
export type { Database } from './schema.ts';
export {
  freshStore,
  freshDatabaseUrl,
  availableStoreKinds,
  type TestStore,
  type StoreKind,
} from './testing.ts';
