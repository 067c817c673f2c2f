// findAccount: an instance's directory user as an oidc-provider Account, with claims
// (profile, email, phone, groups) read from the directory when asked for.
import type { Account, FindAccount } from 'oidc-provider';
import type { Instance, User } from '@idaas/core';
import type { ServerContext } from '../context.ts';

/** Standard claims per scope (plus the custom `groups` scope). */
export const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number'],
  groups: ['groups'],
};

export function userClaims(user: User, groups: string[] | null): Record<string, unknown> {
  return {
    sub: user.id,
    name: user.displayName ?? user.username,
    preferred_username: user.username,
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
    ...(user.email ? { email: user.email, email_verified: user.emailVerified } : {}),
    ...(user.phone ? { phone_number: user.phone } : {}),
    ...(groups ? { groups } : {}),
  };
}

export function findAccountFor(sctx: ServerContext, instance: Instance): FindAccount {
  const users = sctx.store.repos.users;
  return async (_ctx, sub): Promise<Account | undefined> => {
    const user = await users.get(instance.id, sub);
    if (!user || user.status !== 'enabled') return undefined;
    return {
      accountId: user.id,
      async claims(_use, scope) {
        const wantsGroups = typeof scope === 'string' && scope.split(' ').includes('groups');
        const groups = wantsGroups ? await users.groupNames(instance.id, user.id) : null;
        return userClaims(user, groups) as { sub: string };
      },
    };
  };
}
