// Delegated administration (issue 6, G5.6): who holds which permissions on an instance.
//
// - The operator (a token with idaas:admin) holds every permission everywhere,
//   including `platform:operate`.
// - The owner member of the account that owns an instance is implicitly its `owner`.
// - A sub-account of that account holds the union of the roles assigned to it on the
//   instance (built-in or custom); it acts on the account's behalf, so its actions count
//   as the customer's (G5.6) and its audit records say so.
// - Anyone else holds nothing on the instance, whatever was once assigned: removing a
//   member from the account revokes its roles at once.
import { z } from 'zod';
import type { Instance } from '../domain.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../ports.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { PLATFORM_SLUG } from '../services/instances.ts';
import type { AuditActor } from './audit.ts';
import {
  BUILTIN_ROLE_PERMISSIONS,
  INSTANCE_PERMISSIONS,
  isBuiltinRole,
  type InstancePermission,
} from './permissions.ts';
import type { CustomRole, RoleAssignment, RolesRepos } from './roles-ports.ts';

/** Who calls: the operator (or one of its service clients), or a platform user as an account member. */
export type AdminPrincipal =
  | { type: 'operator'; userId: string | null; clientId: string }
  | { type: 'member'; userId: string };

/** What a principal may do on one instance. */
export interface Access {
  operator: boolean;
  permissions: ReadonlySet<InstancePermission>;
  /** Role names held (`owner` for the account owner; every role for the operator). */
  roles: string[];
  /** How the principal appears in audit records. */
  actor: AuditActor;
}

export interface RoleView {
  name: string;
  builtin: boolean;
  description: string | null;
  permissions: InstancePermission[];
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface AssignmentView {
  userId: string;
  roles: string[];
  /** True for the account owner, whose `owner` role comes from owning the account. */
  implicit: boolean;
}

const BUILTIN_DESCRIPTIONS: Record<string, string> = {
  owner: 'Everything on the instance, including handing out roles',
  admin: 'Everything on the instance except handing out roles',
  'user-admin': 'Helpdesk: users, groups and MFA resets',
  auditor: 'Read-only, including the audit trail',
  'app-admin': 'Applications, signing keys and provisioning',
};

export const roleNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{1,39}$/,
    'must be 2-40 lowercase letters, digits or hyphens, starting with a letter',
  );
const permissionList = z
  .array(z.enum(INSTANCE_PERMISSIONS, { error: 'is not a known permission' }))
  .min(1, 'must name at least one permission')
  .max(INSTANCE_PERMISSIONS.length * 2);
export const customRoleCreate = z.strictObject({
  name: roleNameSchema,
  description: z.string().max(500).nullable().optional(),
  permissions: permissionList,
});
export const customRoleUpdate = z.strictObject({
  description: z.string().max(500).nullable().optional(),
  permissions: permissionList.optional(),
});
export const assignmentInput = z.strictObject({
  roles: z.array(roleNameSchema).max(20),
});

const dedupe = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const ordered = (ps: Iterable<InstancePermission>): InstancePermission[] => {
  const set = new Set(ps);
  return INSTANCE_PERMISSIONS.filter((p) => set.has(p));
};

function repos(store: Store): RolesRepos {
  return store.repos;
}

export class RolesService {
  readonly #store: Store;
  readonly #clock: Clock;
  constructor(deps: { store: Store; clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /** Every permission the principal holds on `instance`, and how it appears in audit records. */
  async permissionsOf(instance: Instance, who: AdminPrincipal): Promise<Access> {
    if (who.type === 'operator')
      return {
        operator: true,
        permissions: new Set(INSTANCE_PERMISSIONS),
        roles: ['owner'],
        actor: who.userId
          ? { type: 'operator', id: who.userId }
          : { type: 'client', id: who.clientId },
      };
    const r = this.#store.repos;
    const member = await r.accountMembers.get(instance.accountId, who.userId);
    const none: Access = {
      operator: false,
      permissions: new Set(),
      roles: [],
      actor: { type: 'admin', id: who.userId },
    };
    if (!member) return none;
    if (member.role === 'owner')
      return {
        operator: false,
        permissions: new Set(INSTANCE_PERMISSIONS),
        roles: ['owner'],
        actor: { type: 'admin', id: who.userId, onBehalfOf: instance.accountId },
      };
    const held = await repos(this.#store).roleAssignments.rolesOf(instance.id, who.userId);
    const permissions = new Set<InstancePermission>();
    const roles: string[] = [];
    for (const a of held) {
      const perms = await this.#permissionsOfRole(instance.id, a.role);
      if (!perms) continue; // a custom role deleted meanwhile grants nothing
      roles.push(a.role);
      for (const p of perms) permissions.add(p);
    }
    return {
      operator: false,
      permissions,
      roles,
      actor: { type: 'subaccount', id: who.userId, onBehalfOf: instance.accountId },
    };
  }

  /** The instances a platform user holds any permission on (owned accounts' and assigned ones). */
  async instancesOf(userId: string): Promise<Instance[]> {
    return (await this.accessesOf(userId)).map((a) => a.instance);
  }

  /** The same instances (ordered by slug), each with the user's access to it. */
  async accessesOf(userId: string): Promise<{ instance: Instance; access: Access }[]> {
    const r = this.#store.repos;
    const memberships = await r.accountMembers.accountsOf(userId);
    const ids = new Set(
      await repos(this.#store).roleAssignments.instancesOfAccounts(
        memberships.filter((m) => m.role === 'owner').map((m) => m.accountId),
      ),
    );
    for (const a of await repos(this.#store).roleAssignments.listByUser(userId))
      ids.add(a.instanceId);
    const out: { instance: Instance; access: Access }[] = [];
    for (const id of ids) {
      const inst = await r.instances.get(id);
      if (!inst) continue;
      const access = await this.permissionsOf(inst, { type: 'member', userId });
      if (access.permissions.size > 0) out.push({ instance: inst, access });
    }
    return out.sort((a, b) =>
      a.instance.slug < b.instance.slug ? -1 : a.instance.slug > b.instance.slug ? 1 : 0,
    );
  }

  async #permissionsOfRole(
    instanceId: string,
    name: string,
  ): Promise<readonly InstancePermission[] | null> {
    if (isBuiltinRole(name)) return BUILTIN_ROLE_PERMISSIONS[name];
    const c = await repos(this.#store).customRoles.get(instanceId, name);
    return c ? c.permissions : null;
  }

  // ---- roles

  async listRoles(instance: Instance): Promise<RoleView[]> {
    const builtin: RoleView[] = Object.entries(BUILTIN_ROLE_PERMISSIONS).map(([name, ps]) => ({
      name,
      builtin: true,
      description: BUILTIN_DESCRIPTIONS[name] ?? null,
      permissions: [...ps],
      createdAt: null,
      updatedAt: null,
    }));
    const custom = (await repos(this.#store).customRoles.list(instance.id)).map(customView);
    return [...builtin, ...custom];
  }

  async getRole(instance: Instance, name: string): Promise<RoleView> {
    const found = (await this.listRoles(instance)).find((r) => r.name === name);
    if (!found) throw noRole(name);
    return found;
  }

  async createRole(instance: Instance, raw: unknown, by: Access): Promise<RoleView> {
    const input = parseInput(customRoleCreate, raw);
    if (isBuiltinRole(input.name))
      throw conflict(`name: "${input.name}" is a built-in role`, 'name');
    const permissions = ordered(input.permissions);
    refuseEscalation(by, permissions, 'permissions');
    const at = this.#clock.now();
    const role: CustomRole = {
      instanceId: instance.id,
      name: input.name,
      description: input.description ?? null,
      permissions,
      createdAt: at,
      updatedAt: at,
    };
    await this.#store.transaction(async () => {
      const rr = repos(this.#store);
      if (await rr.customRoles.get(instance.id, input.name))
        throw conflict(`name: a role "${input.name}" already exists`, 'name');
      await rr.customRoles.insert(role);
    });
    return customView(role);
  }

  async updateRole(instance: Instance, name: string, raw: unknown, by: Access): Promise<RoleView> {
    if (isBuiltinRole(name)) throw conflict(`name: built-in role "${name}" cannot be changed`);
    const input = parseInput(customRoleUpdate, raw);
    const rr = repos(this.#store);
    return this.#store.transaction(async () => {
      const current = await rr.customRoles.get(instance.id, name);
      if (!current) throw noRole(name);
      // whoever changes a role must hold what it grants before and after
      refuseEscalation(by, current.permissions, 'name');
      const patch: { description?: string | null; permissions?: InstancePermission[] } = {};
      if (input.description !== undefined) patch.description = input.description;
      if (input.permissions) {
        patch.permissions = ordered(input.permissions);
        refuseEscalation(by, patch.permissions, 'permissions');
      }
      await rr.customRoles.update(instance.id, name, patch, this.#clock.now());
      return customView((await rr.customRoles.get(instance.id, name))!);
    });
  }

  async deleteRole(instance: Instance, name: string, by: Access): Promise<void> {
    if (isBuiltinRole(name)) throw conflict(`name: built-in role "${name}" cannot be deleted`);
    const rr = repos(this.#store);
    await this.#store.transaction(async () => {
      const current = await rr.customRoles.get(instance.id, name);
      if (!current) throw noRole(name);
      refuseEscalation(by, current.permissions, 'name');
      const n = await rr.roleAssignments.countByRole(instance.id, name);
      if (n > 0)
        throw conflict(`name: role "${name}" is still assigned to ${n} user(s); revoke it first`);
      await rr.customRoles.delete(instance.id, name);
    });
  }

  // ---- assignments

  async listAssignments(instance: Instance): Promise<AssignmentView[]> {
    const owners = (await this.#store.repos.accountMembers.list(instance.accountId))
      .filter((m) => m.role === 'owner')
      .map((m) => m.userId);
    const byUser = new Map<string, string[]>();
    for (const a of await repos(this.#store).roleAssignments.listByInstance(instance.id))
      byUser.set(a.userId, [...(byUser.get(a.userId) ?? []), a.role]);
    const out: AssignmentView[] = owners.map((userId) => ({
      userId,
      roles: dedupe(['owner', ...(byUser.get(userId) ?? [])]),
      implicit: true,
    }));
    for (const [userId, roles] of byUser)
      if (!owners.includes(userId)) out.push({ userId, roles, implicit: false });
    return out;
  }

  async getAssignment(instance: Instance, userId: string): Promise<AssignmentView> {
    const found = (await this.listAssignments(instance)).find((a) => a.userId === userId);
    if (!found) throw notFound('role assignment');
    return found;
  }

  /**
   * Sets the roles of a platform user on an instance (an empty list revokes them all).
   * The user must be a member of the account owning the instance (G5.6: delegation goes
   * to the account's authorised sub-accounts); nobody hands out more than they hold.
   */
  async setAssignment(
    instance: Instance,
    userId: string,
    raw: unknown,
    by: Access,
    grantedBy: string | null,
  ): Promise<AssignmentView> {
    const input = parseInput(assignmentInput, raw);
    const roles = dedupe(input.roles);
    const r = this.#store.repos;
    const rr = repos(this.#store);
    return this.#store.transaction(async () => {
      const granted = new Set<InstancePermission>();
      for (const [i, name] of roles.entries()) {
        const perms = await this.#permissionsOfRole(instance.id, name);
        if (!perms)
          throw new AppError(
            'validation_failed',
            `roles[${i}]: no role "${name}" on this instance`,
            {
              issues: [{ field: `roles[${i}]`, message: `no role "${name}" on this instance` }],
            },
          );
        for (const p of perms) granted.add(p);
      }
      const platform = await r.instances.getBySlug(PLATFORM_SLUG);
      const user = platform ? await r.users.get(platform.id, userId) : null;
      if (!user) throw notFound('platform user');
      const current = await rr.roleAssignments.rolesOf(instance.id, userId);
      if (roles.length > 0 && !(await r.accountMembers.get(instance.accountId, userId)))
        throw new AppError(
          'conflict',
          `user_id: not a member of account ${instance.accountId}, which owns instance ${instance.slug}; add it as a sub-account first`,
          { issues: [{ field: 'user_id', message: 'not a member of the owning account' }] },
        );
      // nobody hands out, nor takes away, more than they hold
      for (const a of current) {
        const perms = await this.#permissionsOfRole(instance.id, a.role);
        for (const p of perms ?? []) granted.add(p);
      }
      refuseEscalation(by, granted, 'roles');
      const at = this.#clock.now();
      await rr.roleAssignments.replace(
        instance.id,
        userId,
        roles.map((role) => ({ instanceId: instance.id, userId, role, grantedBy, createdAt: at })),
      );
      const owner = (await r.accountMembers.get(instance.accountId, userId))?.role === 'owner';
      return {
        userId,
        roles: owner ? dedupe(['owner', ...roles]) : roles,
        implicit: owner,
      };
    });
  }
}

function customView(c: CustomRole): RoleView {
  return {
    name: c.name,
    builtin: false,
    description: c.description,
    permissions: c.permissions,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

function noRole(name: string): AppError {
  return new AppError('not_found', `role "${name}" not found`);
}

function refuseEscalation(by: Access, wanted: Iterable<InstancePermission>, field: string): void {
  if (by.operator) return;
  const missing = [...wanted].filter((p) => !by.permissions.has(p));
  if (missing.length === 0) return;
  throw new AppError(
    'forbidden',
    `${field}: you cannot grant or change permissions you do not hold (${missing.join(', ')})`,
    { issues: [{ field, message: `grants ${missing.join(', ')} beyond your own` }] },
  );
}

export type { RoleAssignment };
