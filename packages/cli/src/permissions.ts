// What each CLI subcommand requires of the platform user named by the global `--as`
// (issue 6: roles are checked on every admin API call, CLI call and console view; G5.6).
// Every command module exports `permissions`, its subcommands' entries (like the admin
// API's route table declares one permission per route); `withContext` refuses to run a
// subcommand missing from its command's table, and with --as checks the entry through
// the admin API's own `authorizeCall` (see ./authorize.ts).
//
// This module is light (types only from core): `idaas agreement …` loads it without
// loading the server or a database driver.
import type { CommerceAction, InstancePermission } from '@idaas/core';

export type CliPermission =
  /** An instance permission on the instance named by `flag` (e.g. --instance). */
  | { permission: InstancePermission; instance: string }
  /** The operator's alone: refused to every platform user. */
  | { permission: 'platform:operate'; write: boolean }
  /**
   * Membership of the account named by --account, then the commerce `authorize` check
   * of `action` (sub-accounts hold only some actions, optionally per instance: the
   * instance slug is read from `instance` when given).
   */
  | {
      permission: 'account:member';
      account: string;
      action: CommerceAction | 'owner';
      instance?: string;
      write: boolean;
    }
  /** Needs no identity (no store, or the server itself): --as is refused as bad input. */
  | { permission: 'none' };

/** Subcommand (positionals joined by a space, e.g. `mfa reset`) → what it requires. */
export type PermissionTable = Readonly<Record<string, CliPermission>>;

export const onInstance = (permission: InstancePermission, flag = '--instance'): CliPermission => ({
  permission,
  instance: flag,
});

export const operatorOnly = (write: boolean): CliPermission => ({
  permission: 'platform:operate',
  write,
});

export const accountMember = (
  action: CommerceAction | 'owner',
  write: boolean,
  instance?: string,
): CliPermission => ({
  permission: 'account:member',
  account: '--account',
  action,
  write,
  ...(instance ? { instance } : {}),
});

export const NO_IDENTITY: CliPermission = { permission: 'none' };

/** True when a successful or failed call with --as is audited (writes; reads are not). */
export function isWrite(p: CliPermission): boolean {
  if (p.permission === 'none') return false;
  if ('write' in p) return p.write;
  return !p.permission.endsWith(':read');
}

/** The table entry of the positionals: the longest leading run that names a subcommand. */
export function entryOf(
  table: PermissionTable,
  positionals: readonly string[],
): { key: string; entry: CliPermission } | null {
  for (let n = positionals.length; n >= 0; n--) {
    const key = positionals.slice(0, n).join(' ');
    if (Object.hasOwn(table, key)) return { key, entry: table[key]! };
  }
  return null;
}
