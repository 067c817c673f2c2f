// Admin API of delegated administration (issue 6, G5.6): the permission catalog and the
// roles of an instance (built-in and custom), and which platform users hold them.
// Reading needs roles:read, changing roles:write; nobody grants more than they hold.
import { z } from 'zod';
import { INSTANCE_PERMISSIONS, type AssignmentView, type RoleView } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import { rolesOf } from './authorize.ts';
import { route, type AnyRoute, type Call } from './route.ts';

const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });
const permission = z.enum(INSTANCE_PERMISSIONS);

const RoleOut = z
  .object({
    name: z.string(),
    builtin: z.boolean(),
    description: z.string().nullable(),
    permissions: z.array(permission),
    created_at: timestamp.nullable(),
    updated_at: timestamp.nullable(),
  })
  .meta({ id: 'Role' });
const RoleList = z
  .object({
    permissions: z
      .array(permission)
      .meta({ description: 'Every permission a role may grant on an instance' }),
    items: z.array(RoleOut),
  })
  .meta({ id: 'RoleList' });
const RoleCreate = z
  .strictObject({
    name: z.string().meta({ description: '2-40 lowercase letters, digits or hyphens' }),
    description: z.string().max(500).nullable().optional(),
    permissions: z.array(z.string()).min(1),
  })
  .meta({ id: 'RoleCreate' });
const RoleUpdate = z
  .strictObject({
    description: z.string().max(500).nullable().optional(),
    permissions: z.array(z.string()).min(1).optional(),
  })
  .meta({ id: 'RoleUpdate' });
const AssignmentOut = z
  .object({
    user_id: z.string().meta({ description: 'A user of the platform instance' }),
    roles: z.array(z.string()),
    implicit: z.boolean().meta({
      description: "True for the owner of the instance's account (owner by owning the account)",
    }),
  })
  .meta({ id: 'RoleAssignment' });
const AssignmentPut = z
  .strictObject({
    roles: z
      .array(z.string())
      .max(20)
      .meta({ description: 'Role names (built-in or custom); [] revokes every role' }),
  })
  .meta({ id: 'RoleAssignmentPut' });

const roleOut = (r: RoleView) => ({
  name: r.name,
  builtin: r.builtin,
  description: r.description,
  permissions: r.permissions,
  created_at: r.createdAt ? r.createdAt.toISOString() : null,
  updated_at: r.updatedAt ? r.updatedAt.toISOString() : null,
});
const assignmentOut = (a: AssignmentView) => ({
  user_id: a.userId,
  roles: a.roles,
  implicit: a.implicit,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCall = Call<any, any>;
const grantor = (call: AnyCall): string => call.admin.sub ?? call.admin.clientId;

async function recordAssignment(call: AnyCall, userId: string, roles: string[]): Promise<void> {
  const inst = await call.instance();
  await call.sctx.audit.record({
    instanceId: inst.id,
    actor: call.access!.actor,
    action: 'role.assign',
    target: { type: 'platform-user', id: userId },
    result: 'success',
    ...requestMeta(call.ctx),
    details: { instance: inst.slug, roles },
  });
}

const I = '/instances/{slug}';

export const rolesRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: `${I}/roles`,
    operationId: 'listRoles',
    permission: 'roles:read',
    summary: 'The permission catalog and the roles of an instance (built-in and custom)',
    tag: 'roles',
    response: RoleList,
    handler: async ({ sctx, instance }) => ({
      permissions: [...INSTANCE_PERMISSIONS],
      items: (await rolesOf(sctx).listRoles(await instance())).map(roleOut),
    }),
  }),
  route({
    method: 'post',
    path: `${I}/roles`,
    operationId: 'createRole',
    permission: 'roles:write',
    summary: 'Create a custom role from a list of permissions',
    tag: 'roles',
    body: RoleCreate,
    status: 201,
    response: RoleOut,
    errors: [409],
    handler: async ({ sctx, instance, body, access }) =>
      roleOut(await rolesOf(sctx).createRole(await instance(), body, access!)),
  }),
  route({
    method: 'get',
    path: `${I}/roles/{name}`,
    operationId: 'getRole',
    permission: 'roles:read',
    summary: 'Get a role (built-in or custom)',
    tag: 'roles',
    response: RoleOut,
    handler: async ({ sctx, instance, param }) =>
      roleOut(await rolesOf(sctx).getRole(await instance(), param('name'))),
  }),
  route({
    method: 'patch',
    path: `${I}/roles/{name}`,
    operationId: 'updateRole',
    permission: 'roles:write',
    summary: 'Change the description or permissions of a custom role',
    tag: 'roles',
    body: RoleUpdate,
    response: RoleOut,
    errors: [409],
    handler: async ({ sctx, instance, param, body, access }) =>
      roleOut(await rolesOf(sctx).updateRole(await instance(), param('name'), body, access!)),
  }),
  route({
    method: 'delete',
    path: `${I}/roles/{name}`,
    operationId: 'deleteRole',
    permission: 'roles:write',
    summary: 'Delete a custom role that nobody holds',
    tag: 'roles',
    status: 204,
    errors: [409],
    handler: async ({ sctx, instance, param, access }) => {
      await rolesOf(sctx).deleteRole(await instance(), param('name'), access!);
    },
  }),
  route({
    method: 'get',
    path: `${I}/role-assignments`,
    operationId: 'listRoleAssignments',
    permission: 'roles:read',
    summary: 'Who holds which roles on the instance (the account owner implicitly owner)',
    tag: 'roles',
    response: z.object({ items: z.array(AssignmentOut) }).meta({ id: 'RoleAssignmentList' }),
    handler: async ({ sctx, instance }) => ({
      items: (await rolesOf(sctx).listAssignments(await instance())).map(assignmentOut),
    }),
  }),
  route({
    method: 'get',
    path: `${I}/role-assignments/{user_id}`,
    operationId: 'getRoleAssignment',
    permission: 'roles:read',
    summary: 'The roles a platform user holds on the instance',
    tag: 'roles',
    response: AssignmentOut,
    handler: async ({ sctx, instance, param }) =>
      assignmentOut(await rolesOf(sctx).getAssignment(await instance(), param('user_id'))),
  }),
  route({
    method: 'put',
    path: `${I}/role-assignments/{user_id}`,
    operationId: 'putRoleAssignment',
    permission: 'roles:write',
    summary:
      "Set the roles of a platform user on the instance (a member of the instance's account, G5.6)",
    tag: 'roles',
    body: AssignmentPut,
    response: AssignmentOut,
    errors: [409],
    handler: async (call) => {
      const { sctx, instance, param, body, access } = call;
      const userId = param('user_id');
      const a = await rolesOf(sctx).setAssignment(
        await instance(),
        userId,
        body,
        access!,
        grantor(call),
      );
      await recordAssignment(call, userId, body.roles);
      return assignmentOut(a);
    },
  }),
  route({
    method: 'delete',
    path: `${I}/role-assignments/{user_id}`,
    operationId: 'deleteRoleAssignment',
    permission: 'roles:write',
    summary: 'Revoke every role a platform user holds on the instance',
    tag: 'roles',
    status: 204,
    handler: async (call) => {
      const { sctx, instance, param, access } = call;
      const userId = param('user_id');
      await rolesOf(sctx).setAssignment(
        await instance(),
        userId,
        { roles: [] },
        access!,
        grantor(call),
      );
      await recordAssignment(call, userId, []);
    },
  }),
];
