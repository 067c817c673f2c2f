import type { Kysely } from 'kysely';
import type { OperationsRepos } from '@idaas/core';
import type { Database } from '../schema.ts';

export function makeOperationsRepos(_db: Kysely<Database>): OperationsRepos {
  return {};
}
