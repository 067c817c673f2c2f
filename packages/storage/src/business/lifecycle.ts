import type { Kysely } from 'kysely';
import type { LifecycleRepos } from '@idaas/core';
import type { Database } from '../schema.ts';

export function makeLifecycleRepos(_db: Kysely<Database>): LifecycleRepos {
  return {};
}
