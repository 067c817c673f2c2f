// idaas role …: delegated administration (issue 6, G5.6) — the roles of an instance
// (built-in and custom) and the platform users holding them. The CLI works on the store
// directly, i.e. as the operator; with the global --as <platform user id> the dispatcher
// evaluates the same permission check as the admin API for that user (the table at the
// end: roles:read for list/assignments, roles:write for the others).
import {
  INSTANCE_PERMISSIONS,
  type Access,
  type AssignmentView,
  type Instance,
  type RoleView,
} from '@idaas/core';
import { rolesOf } from '@idaas/server/api/authorize';
import type { ServerContext } from '@idaas/server';
import { fail, print } from '../output.ts';
import {
  cliAccess,
  cliActor,
  cliUser,
  flagError,
  inFlagTerms,
  instanceBySlug,
  parseSubcommand,
  required,
  withContext,
} from '../context.ts';
import { onInstance, type PermissionTable } from '../permissions.ts';

const SUBS = ['list', 'assignments', 'assign', 'revoke', 'create', 'update', 'delete'] as const;

const USAGE = `usage: idaas role <command> --instance S [options] [--as USER_ID] [--json]
  list --instance S
      The permission catalog and the roles of instance S (built-in and custom).
  assignments --instance S
      Who holds which roles on S (the owner of S's account is implicitly owner).
  assign --instance S --user U --role R [--role R ...]
      Give platform user U (a member of S's account) the roles R, keeping those it holds.
  revoke --instance S --user U [--role R ...]
      Take the roles R from U (every role when no --role is given).
  create --instance S --name N --permission P [--permission P ...] [--description D]
      A custom role granting exactly the permissions P (${INSTANCE_PERMISSIONS.length} known: see list).
  update --instance S --name N [--permission P ...] [--description D]
  delete --instance S --name N
      Delete a custom role nobody holds.
--as USER_ID (any idaas command) runs it with the permissions of that platform user on S,
as the admin API would (list and assignments need roles:read, the others roles:write);
a refusal exits with code 3.
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const roleJson = (r: RoleView) => ({
  name: r.name,
  builtin: r.builtin,
  description: r.description,
  permissions: r.permissions,
});
const assignmentJson = (a: AssignmentView) => ({
  user_id: a.userId,
  roles: a.roles,
  implicit: a.implicit,
});

/** The caller's access: the --as user's (checked by withContext) or the operator's. */
async function accessFor(sctx: ServerContext, instance: Instance): Promise<Access> {
  return (
    cliAccess() ??
    rolesOf(sctx).permissionsOf(instance, { type: 'operator', userId: 'cli', clientId: 'cli' })
  );
}

export async function run(argv: string[]): Promise<number> {
  try {
    const parsed = parseSubcommand(
      argv,
      { name: 'role', subs: SUBS, usage: USAGE },
      {
        instance: { type: 'string' },
        user: { type: 'string' },
        role: { type: 'string', multiple: true },
        name: { type: 'string' },
        permission: { type: 'string', multiple: true },
        description: { type: 'string' },
      },
    );
    if (!parsed) return 0;
    const { sub, values, json } = parsed;
    const slug = required(values.instance, '--instance');
    const needsUser = sub === 'assign' || sub === 'revoke';
    const user = needsUser ? required(values.user, '--user') : undefined;
    if (sub === 'assign' && !values.role?.length) throw flagError('--role', 'is required');
    const name = ['create', 'update', 'delete'].includes(sub)
      ? required(values.name, '--name')
      : undefined;
    if (sub === 'create' && !values.permission?.length)
      throw flagError('--permission', 'is required');

    return await withContext(async ({ core, sctx }) => {
      const instance = await instanceBySlug(core, slug);
      const access = await accessFor(sctx, instance);
      const roles = rolesOf(sctx);
      const audit = async (action: string, target: { type: string; id: string }, details: object) =>
        sctx.audit.record({
          instanceId: instance.id,
          actor: cliActor(),
          action,
          target,
          result: 'success',
          details: { instance: slug, via: 'cli', ...details },
        });
      const flags = {
        name: '--name',
        permissions: '--permission',
        description: '--description',
        roles: '--role',
        user_id: '--user',
      };
      try {
        switch (sub) {
          case 'list': {
            const list = await roles.listRoles(instance);
            print(json, { permissions: INSTANCE_PERMISSIONS, items: list.map(roleJson) }, () =>
              list
                .map(
                  (r) =>
                    `${r.name.padEnd(20)} ${r.builtin ? 'built-in' : 'custom  '}  ${r.permissions.join(' ')}`,
                )
                .join('\n'),
            );
            return 0;
          }
          case 'assignments': {
            const list = await roles.listAssignments(instance);
            print(json, { items: list.map(assignmentJson) }, () =>
              list
                .map(
                  (a) =>
                    `${a.userId}  ${a.roles.join(', ')}${a.implicit ? '  (account owner)' : ''}`,
                )
                .join('\n'),
            );
            return 0;
          }
          case 'assign':
          case 'revoke': {
            const explicit = (
              await sctx.store.repos.roleAssignments.rolesOf(instance.id, user!)
            ).map((x) => x.role);
            const wanted =
              sub === 'assign'
                ? [...new Set([...explicit, ...values.role!])]
                : values.role?.length
                  ? explicit.filter((r) => !values.role!.includes(r))
                  : [];
            const a = await roles.setAssignment(
              instance,
              user!,
              { roles: wanted },
              access,
              cliUser() ?? 'cli',
            );
            await audit('role.assign', { type: 'platform-user', id: user! }, { roles: wanted });
            print(
              json,
              assignmentJson(a),
              () => `${a.userId} on ${slug}: ${a.roles.join(', ') || '(no roles)'}`,
            );
            return 0;
          }
          case 'create':
          case 'update': {
            const input = {
              ...(sub === 'create' ? { name } : {}),
              ...(values.permission?.length ? { permissions: values.permission } : {}),
              ...(values.description !== undefined ? { description: values.description } : {}),
            };
            const r =
              sub === 'create'
                ? await roles.createRole(instance, input, access)
                : await roles.updateRole(instance, name!, input, access);
            await audit(
              `role.${sub}`,
              { type: 'role', id: r.name },
              { permissions: r.permissions },
            );
            print(
              json,
              roleJson(r),
              () =>
                `${sub === 'create' ? 'created' : 'updated'} role ${r.name}: ${r.permissions.join(' ')}`,
            );
            return 0;
          }
          default: {
            await roles.deleteRole(instance, name!, access);
            await audit('role.delete', { type: 'role', id: name! }, {});
            print(json, { deleted: name }, () => `deleted role ${name}`);
            return 0;
          }
        }
      } catch (e) {
        throw inFlagTerms(e, flags, { roles: values.role, permissions: values.permission });
      }
    });
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  list: onInstance('roles:read'),
  assignments: onInstance('roles:read'),
  assign: onInstance('roles:write'),
  revoke: onInstance('roles:write'),
  create: onInstance('roles:write'),
  update: onInstance('roles:write'),
  delete: onInstance('roles:write'),
};
