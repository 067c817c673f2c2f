// Storage ports of delegated administration (issue 6, G5.6): custom roles per instance
// and role assignments of platform users on instances. Implemented in
// @idaas/storage (roles.ts).
import type { InstancePermission } from './permissions.ts';

/** A role an instance defines for itself over the permission catalog. */
export interface CustomRole {
  instanceId: string;
  /** Unique per instance, never the name of a built-in role. */
  name: string;
  description: string | null;
  permissions: InstancePermission[];
  createdAt: Date;
  updatedAt: Date;
}

/** A platform user holding a role (built-in or custom, by name) on an instance. */
export interface RoleAssignment {
  instanceId: string;
  /** A user of the platform instance. */
  userId: string;
  role: string;
  /** Who granted it: a platform user id, a client id, or `cli`. */
  grantedBy: string | null;
  createdAt: Date;
}

export interface CustomRoleRepo {
  list(instanceId: string): Promise<CustomRole[]>;
  get(instanceId: string, name: string): Promise<CustomRole | null>;
  insert(r: CustomRole): Promise<void>;
  update(
    instanceId: string,
    name: string,
    patch: { description?: string | null; permissions?: InstancePermission[] },
    at: Date,
  ): Promise<void>;
  delete(instanceId: string, name: string): Promise<boolean>;
}

export interface RoleAssignmentRepo {
  /** Every assignment on an instance, by user then role. */
  listByInstance(instanceId: string): Promise<RoleAssignment[]>;
  /** The roles a user holds on an instance. */
  rolesOf(instanceId: string, userId: string): Promise<RoleAssignment[]>;
  /** Every assignment of a user, on any instance. */
  listByUser(userId: string): Promise<RoleAssignment[]>;
  /** How many assignments name `role` on the instance. */
  countByRole(instanceId: string, role: string): Promise<number>;
  /** Ids of the instances the given accounts own. */
  instancesOfAccounts(accountIds: string[]): Promise<string[]>;
  /** Replaces the roles of a user on an instance (an empty list removes them all). */
  replace(instanceId: string, userId: string, rows: RoleAssignment[]): Promise<void>;
}

export interface RolesRepos {
  customRoles: CustomRoleRepo;
  roleAssignments: RoleAssignmentRepo;
}
