// The current run of a command (AsyncLocalStorage): which command, its permission table,
// the global --as user, and — after withContext's check — the API's decision for it.
// Light on purpose (no server import): the dispatcher sets it for every command.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Access, AuditActor } from '@idaas/core';
import type { Decision } from '@idaas/server/api/authorize';
import type { ServerContext } from '@idaas/server';
import type { PermissionTable } from './permissions.ts';

/** One run of a command (set by the dispatcher, filled in by `parse`). */
export interface Invocation {
  command: string;
  /** The command module's permission table. */
  table: PermissionTable;
  /** The platform user of the global --as, if any. */
  as?: string | undefined;
  /** In-process runs (tests): this context instead of one built from the environment. */
  sctx?: ServerContext | undefined;
  /** In-process runs: standard input. */
  stdin?: string | undefined;
  positionals?: string[];
  values?: Record<string, unknown>;
  /** The permission decision for --as (after withContext's check). */
  decision?: Decision;
}

const invocation = new AsyncLocalStorage<Invocation>();

/** Runs a command's `run` as one invocation (what withContext checks). */
export function runInvocation<T>(inv: Invocation, fn: () => Promise<T>): Promise<T> {
  return invocation.run(inv, fn);
}

/** The actor of what this call records: the --as user as the API would, or the operator. */
export function cliActor(): AuditActor {
  return invocation.getStore()?.decision?.actor ?? { type: 'operator', id: 'cli' };
}

/** The --as user's access to the checked instance (null: the operator). */
export function cliAccess(): Access | null {
  return invocation.getStore()?.decision?.access ?? null;
}

/** The --as user id, if any. */
export function cliUser(): string | null {
  return invocation.getStore()?.as ?? null;
}

export function currentInvocation(): Invocation | undefined {
  return invocation.getStore();
}
