// idaas user mfa list|reset: a user's second factors, for the help desk. Like the admin
// API (GET/DELETE /instances/{slug}/users/{id}/mfa), listings name kinds, labels and
// dates only, never secrets; a reset removes every factor and the recovery codes (or one
// factor with --factor) and is recorded in the instance's audit trail as the operator.
import { AppError, type Instance, type User } from '@idaas/core';
import { removeFactor, resetAll } from '@idaas/server/mfa/service';
import type { CliContext } from '../context.ts';
import { cliActor, instanceBySlug, required, unknownSubcommand, withContext } from '../context.ts';
import { print } from '../output.ts';

export const MFA_SUBS = ['list', 'reset'];

export const MFA_USAGE = `  mfa list --instance S --user U [--json]
      The second factors of user U (id or username) and how many recovery codes remain.
  mfa reset --instance S --user U [--factor F] [--json]
      Removes every second factor and recovery code of U (or only factor F); audited.`;

export interface MfaFlags {
  instance?: string | undefined;
  user?: string | undefined;
  factor?: string | undefined;
  json?: boolean | undefined;
}

const notFound = (flag: string, message: string) =>
  new AppError('not_found', `${flag}: ${message}`, { issues: [{ field: flag, message }] });

/** The user by id, else by username; unknown → an error naming --user. */
async function userOf(c: CliContext, instance: Instance, ref: string): Promise<User> {
  const users = c.store.repos.users;
  const user = (await users.get(instance.id, ref)) ?? (await users.getByUsername(instance.id, ref));
  if (!user) throw notFound('--user', `no user "${ref}" in instance ${instance.slug}`);
  return user;
}

async function status(c: CliContext, instance: Instance, user: User) {
  const repos = c.store.repos;
  const factors = await repos.mfaFactors.list(instance.id, user.id);
  return {
    user_id: user.id,
    items: factors.map((f) => ({
      id: f.id,
      kind: f.kind,
      name: f.name,
      device_type: f.deviceType,
      created_at: f.createdAt.toISOString(),
      last_used_at: f.lastUsedAt?.toISOString() ?? null,
    })),
    recovery_codes_remaining: await repos.mfaRecoveryCodes.remaining(instance.id, user.id),
  };
}

export async function runMfa(sub: string | undefined, values: MfaFlags): Promise<number> {
  if (!sub || !MFA_SUBS.includes(sub)) throw unknownSubcommand('user mfa', sub, MFA_SUBS);
  const slug = required(values.instance, '--instance');
  const ref = required(values.user, '--user');
  if (sub === 'list' && values.factor !== undefined)
    throw new AppError('validation_failed', '--factor: only with reset', {
      issues: [{ field: '--factor', message: 'only with reset' }],
    });
  if (values.factor === '') required(values.factor, '--factor');
  const json = !!values.json;

  return withContext(async (c) => {
    const instance = await instanceBySlug(c.core, slug);
    const user = await userOf(c, instance, ref);

    if (sub === 'list') {
      const out = await status(c, instance, user);
      print(json, out, () =>
        [
          ...(out.items.length
            ? out.items.map(
                (f) =>
                  `${f.id}  ${f.kind}  ${f.name}  added ${f.created_at}` +
                  (f.last_used_at ? `  last used ${f.last_used_at}` : ''),
              )
            : ['no second factor']),
          `recovery codes remaining: ${out.recovery_codes_remaining}`,
        ].join('\n'),
      );
      return 0;
    }

    const record = (details: Record<string, unknown>) =>
      c.sctx.audit.record({
        instanceId: instance.id,
        actor: cliActor(),
        action: 'mfa.reset',
        target: { type: 'user', id: user.id },
        result: 'success',
        details: { via: 'cli', ...details },
      });
    if (values.factor !== undefined) {
      const f = await removeFactor(c.sctx, instance, user.id, values.factor);
      if (!f) throw notFound('--factor', `no factor "${values.factor}" of this user`);
      await record({ factor: f.kind, factorId: f.id });
      const out = { user_id: user.id, removed: [{ id: f.id, kind: f.kind }] };
      print(json, out, () => `removed ${f.kind} factor ${f.id} of user ${user.id}`);
      return 0;
    }
    const n = await resetAll(c.sctx, instance, user.id);
    await record({ factors: n });
    const out = { user_id: user.id, factors_removed: n };
    print(
      json,
      out,
      () => `reset the second factors of user ${user.id}: ${n} removed, recovery codes cleared`,
    );
    return 0;
  });
}
