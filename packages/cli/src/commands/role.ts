// idaas role …: delegated administration (issue 6, G5.6) — the roles of an instance
// (built-in and custom) and the platform users holding them. The CLI works on the store
// directly, i.e. as the operator; with --as <platform user id> it evaluates the same
// permission check as the admin API for that user (roles:read for list/assignments,
// roles:write for the others), and refuses what the user may not do.
import {
  AppError,
  INSTANCE_PERMISSIONS,
  type Access,
  type AssignmentView,
  type Instance,
  type InstancePermission,
  type RoleView,
} from '@idaas/core';
import { rolesOf } from '@idaas/server/api/authorize';
import type { ServerContext } from '@idaas/server';
import { fail, print } from '../output.ts';
import {
  flagError,
  inFlagTerms,
  instanceBySlug,
  parseSubcommand,
  required,
  withContext,
} from '../context.ts';

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
--as USER_ID runs the command with the permissions of that platform user on S, as the
admin API would (list and assignments need roles:read, the others roles:write).
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

/** The caller's access to the instance: the operator, or the --as user checked like the API. */
async function accessFor(
  sctx: ServerContext,
  instance: Instance,
  as: string | undefined,
  needs: InstancePermission,
): Promise<Access> {
  const roles = rolesOf(sctx);
  if (as === undefined)
    return roles.permissionsOf(instance, { type: 'operator', userId: 'cli', clientId: 'cli' });
  const access = await roles.permissionsOf(instance, { type: 'member', userId: as });
  if (!access.permissions.has(needs)) {
    await sctx.audit.record({
      instanceId: instance.id,
      actor: access.actor,
      action: 'cli.role',
      target: { type: 'instance', id: instance.slug },
      result: 'denied',
      details: { permission: needs },
    });
    throw new AppError('forbidden', `--as: requires ${needs} on instance ${instance.slug}`, {
      issues: [{ field: '--as', message: `lacks ${needs}` }],
    });
  }
  return access;
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
        as: { type: 'string' },
      },
    );
    if (!parsed) return 0;
    const { sub, values, json } = parsed;
    const slug = required(values.instance, '--instance');
    if (values.as === '') throw flagError('--as', 'must be a platform user id');
    const needs: InstancePermission =
      sub === 'list' || sub === 'assignments' ? 'roles:read' : 'roles:write';
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
      const access = await accessFor(sctx, instance, values.as, needs);
      const roles = rolesOf(sctx);
      const audit = async (action: string, target: { type: string; id: string }, details: object) =>
        sctx.audit.record({
          instanceId: instance.id,
          actor: values.as === undefined ? { type: 'operator', id: 'cli' } : access.actor,
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
              values.as ?? 'cli',
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
