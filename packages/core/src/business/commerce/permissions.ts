// Delegation (G5.6): an account has an owner and authorized sub-accounts holding all or
// part of the owner's rights, per instance (slug or `*`) and per action. Whatever a
// member does is recorded as done by it on the account's behalf (actor_user_id).
import { AppError } from '../../errors.ts';
import type { Repos } from '../../ports.ts';
import type { CommerceAction, Permission } from '../commerce-ports.ts';

export const ACTIONS: readonly CommerceAction[] = [
  'orders:create',
  'orders:read',
  'payments:record',
  'instances:read',
  'instances:write',
  'billing:read',
  'tickets:write',
  'account:write',
];

/** Who is calling: the operator (idaas:admin) or a platform user acting as an account member. */
export interface Principal {
  operator: boolean;
  /** The platform user (token `sub`), null for operator service clients. */
  userId: string | null;
}

/** True when `permissions` allow `action` on `instance` (null: account-wide, needs `*`). */
export function allows(
  permissions: readonly Permission[],
  action: string,
  instance: string | null,
): boolean {
  return permissions.some(
    (p) =>
      (p.instance === '*' || (instance !== null && p.instance === instance)) &&
      (p.actions.includes(action) || p.actions.includes('*')),
  );
}

/**
 * Checks that `who` may do `action` for the account (on `instance` when given);
 * returns the actor to record. Operators may do everything.
 */
export async function authorize(
  repos: Repos,
  who: Principal,
  accountId: string,
  action: CommerceAction | 'owner',
  instance: string | null = null,
): Promise<{ actorUserId: string | null }> {
  if (who.operator) return { actorUserId: who.userId };
  if (!who.userId) throw new AppError('forbidden', 'the access token has no user');
  const m = await repos.accountMembers.get(accountId, who.userId);
  if (!m)
    throw new AppError('forbidden', `account: you are not a member of account ${accountId}`, {
      issues: [{ field: 'account', message: 'not a member' }],
    });
  if (m.role === 'owner') return { actorUserId: who.userId };
  if (action !== 'owner' && allows(m.permissions ?? [], action, instance))
    return { actorUserId: who.userId };
  const where = instance === null ? 'this account' : `instance ${instance}`;
  throw new AppError(
    'forbidden',
    action === 'owner'
      ? 'only the account owner may do this'
      : `permissions: this sub-account may not ${action} on ${where}`,
    { issues: [{ field: 'permissions', message: `lacks ${action}` }] },
  );
}
