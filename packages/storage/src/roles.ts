// Delegated administration repositories (ports in @idaas/core security/roles-ports.ts):
// custom roles per instance and role assignments of platform users.
import type { Kysely } from 'kysely';
import type { CustomRole, InstancePermission, RoleAssignment, RolesRepos } from '@idaas/core';
import type { Database } from './schema.ts';

interface CustomRolesTable {
  instance_id: string;
  name: string;
  description: string | null;
  permissions: string;
  created_at: string;
  updated_at: string;
}
interface RoleAssignmentsTable {
  instance_id: string;
  user_id: string;
  role: string;
  granted_by: string | null;
  created_at: string;
}
interface RolesDb {
  custom_roles: CustomRolesTable;
  role_assignments: RoleAssignmentsTable;
  instances: { id: string; account_id: string };
}

const role = (r: CustomRolesTable): CustomRole => ({
  instanceId: r.instance_id,
  name: r.name,
  description: r.description,
  permissions: JSON.parse(r.permissions) as InstancePermission[],
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});
const assignment = (r: RoleAssignmentsTable): RoleAssignment => ({
  instanceId: r.instance_id,
  userId: r.user_id,
  role: r.role,
  grantedBy: r.granted_by,
  createdAt: new Date(r.created_at),
});

export function makeRolesRepos(database: Kysely<Database>): RolesRepos {
  const db = database as unknown as Kysely<RolesDb>;
  return {
    customRoles: {
      async list(instanceId) {
        const rows = await db
          .selectFrom('custom_roles')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('name')
          .execute();
        return rows.map(role);
      },
      async get(instanceId, name) {
        const r = await db
          .selectFrom('custom_roles')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('name', '=', name)
          .executeTakeFirst();
        return r ? role(r) : null;
      },
      async insert(r) {
        await db
          .insertInto('custom_roles')
          .values({
            instance_id: r.instanceId,
            name: r.name,
            description: r.description,
            permissions: JSON.stringify(r.permissions),
            created_at: r.createdAt.toISOString(),
            updated_at: r.updatedAt.toISOString(),
          })
          .execute();
      },
      async update(instanceId, name, patch, at) {
        await db
          .updateTable('custom_roles')
          .set({
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.permissions ? { permissions: JSON.stringify(patch.permissions) } : {}),
            updated_at: at.toISOString(),
          })
          .where('instance_id', '=', instanceId)
          .where('name', '=', name)
          .execute();
      },
      async delete(instanceId, name) {
        const r = await db
          .deleteFrom('custom_roles')
          .where('instance_id', '=', instanceId)
          .where('name', '=', name)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },
    roleAssignments: {
      async listByInstance(instanceId) {
        const rows = await db
          .selectFrom('role_assignments')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('user_id')
          .orderBy('role')
          .execute();
        return rows.map(assignment);
      },
      async rolesOf(instanceId, userId) {
        const rows = await db
          .selectFrom('role_assignments')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .orderBy('role')
          .execute();
        return rows.map(assignment);
      },
      async listByUser(userId) {
        const rows = await db
          .selectFrom('role_assignments')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('instance_id')
          .orderBy('role')
          .execute();
        return rows.map(assignment);
      },
      async countByRole(instanceId, name) {
        const r = await db
          .selectFrom('role_assignments')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('instance_id', '=', instanceId)
          .where('role', '=', name)
          .executeTakeFirstOrThrow();
        return Number(r.n);
      },
      async instancesOfAccounts(accountIds) {
        if (accountIds.length === 0) return [];
        const rows = await db
          .selectFrom('instances')
          .select('id')
          .where('account_id', 'in', accountIds)
          .execute();
        return rows.map((r) => r.id);
      },
      async replace(instanceId, userId, rows) {
        await db
          .deleteFrom('role_assignments')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .execute();
        if (rows.length === 0) return;
        await db
          .insertInto('role_assignments')
          .values(
            rows.map((a) => ({
              instance_id: a.instanceId,
              user_id: a.userId,
              role: a.role,
              granted_by: a.grantedBy,
              created_at: a.createdAt.toISOString(),
            })),
          )
          .execute();
      },
    },
  };
}
