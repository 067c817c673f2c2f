import type { Kysely } from 'kysely';
import type { CommerceRepos } from '@idaas/core';
import type { Database } from '../schema.ts';

export function makeCommerceRepos(_db: Kysely<Database>): CommerceRepos {
  return {};
}
