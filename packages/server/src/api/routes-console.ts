// Admin API for the console: who the caller is (operator or account member), which
// customer accounts it belongs to and what it may do on each instance, so the console can
// open the right views after sign-in and hide what a role cannot do (the dispatcher still
// checks every call: these answers only describe it).
import { z } from 'zod';
import { AppError, INSTANCE_PERMISSIONS, type Access } from '@idaas/core';
import { route, type AnyRoute } from './route.ts';
import { rolesOf } from './authorize.ts';

const permissionsSchema = z
  .array(z.enum(INSTANCE_PERMISSIONS))
  .meta({ description: 'effective permissions (union of the roles), in catalog order' });

/** The permissions of `access`, in catalog order. */
const permissionList = (access: Access) =>
  INSTANCE_PERMISSIONS.filter((p) => access.permissions.has(p));

const InstancePermissionsOut = z
  .object({
    instance: z.string().meta({ description: 'instance slug' }),
    operator: z.boolean().meta({ description: 'true for the operator: every permission' }),
    roles: z.array(z.string()).meta({
      description: 'role names held there (owner for the account owner and the operator)',
    }),
    permissions: permissionsSchema,
  })
  .meta({ id: 'InstancePermissions' });

const MeOut = z
  .object({
    user_id: z
      .string()
      .nullable()
      .meta({ description: 'platform user (null for a service client)' }),
    operator: z.boolean().meta({ description: 'true for the operator (idaas:admin)' }),
    accounts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        role: z.enum(['owner', 'sub']),
        permissions: z
          .array(z.object({ instance: z.string(), actions: z.array(z.string()) }))
          .nullable()
          .meta({ description: "a sub-account's rights (null: the owner's, all of them)" }),
      }),
    ),
    instances: z
      .array(
        z.object({
          slug: z.string(),
          display_name: z.string(),
          roles: z.array(z.string()),
          permissions: permissionsSchema,
        }),
      )
      .nullable()
      .meta({
        description:
          'instances the caller holds a role on, with its roles and permissions there, by slug (null for the operator: every permission on every instance)',
      }),
  })
  .meta({ id: 'Me' });

export const consoleRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    // any signed-in caller: an account member reads only its own memberships
    permission: 'account:member',
    summary: 'The caller: operator or account member, and the customer accounts it belongs to',
    tag: 'accounts',
    response: MeOut,
    handler: async ({ sctx, admin, operator }) => {
      const repos = sctx.store.repos;
      const memberships = admin.sub ? await repos.accountMembers.accountsOf(admin.sub) : [];
      const accounts = [];
      for (const m of memberships) {
        const acc = await repos.commerceAccounts.get(m.accountId);
        if (acc)
          accounts.push({
            id: acc.id,
            name: acc.name,
            role: m.role,
            permissions: m.permissions,
          });
      }
      const instances =
        operator || !admin.sub
          ? null
          : (await rolesOf(sctx).accessesOf(admin.sub)).map(({ instance, access }) => ({
              slug: instance.slug,
              display_name: instance.displayName,
              roles: access.roles,
              permissions: permissionList(access),
            }));
      return { user_id: admin.sub, operator, accounts, instances };
    },
  }),
  route({
    method: 'get',
    path: '/instances/{slug}/permissions',
    operationId: 'getInstancePermissions',
    // about the caller itself: any role on the instance suffices (none: 403, as for an
    // instance that does not exist)
    permission: 'instance:member',
    summary: "The caller's roles and effective permissions on the instance",
    tag: 'roles',
    response: InstancePermissionsOut,
    handler: async ({ access, instance }) => {
      const inst = await instance(); // 404 for the operator when there is no such instance
      // the dispatcher computed the caller's access to the instance (operator's too)
      const a = access;
      if (!a) throw new AppError('internal', 'no access computed for an instance route');
      return {
        instance: inst.slug,
        operator: a.operator,
        roles: a.roles,
        permissions: permissionList(a),
      };
    },
  }),
];
