// idaas access list|dry-run: conditional access policies of an instance (issue 6). The
// dry-run explains which policy would decide a sign-in, and why; it changes nothing.
import { wireDryRun, wirePolicy } from '@idaas/server/api/routes-access';
import { dryRun, getDefault, listPolicies } from '@idaas/server/security/access-admin';
import type { AccessPolicy } from '@idaas/core';
import { fail, print } from '../output.ts';
import {
  flagError,
  inFlagTerms,
  instanceBySlug,
  parseSubcommand,
  required,
  withContext,
} from '../context.ts';
import { onInstance, type PermissionTable } from '../permissions.ts';

const SUBS = ['list', 'dry-run'] as const;
const USAGE = `usage: idaas access <command> [options]
  list --instance S [--json]
      The access policies of instance S in priority order, and its default decision.
  dry-run --instance S --user U --ip IP [--app C] [--app-kind oidc|saml] [--new-device] [--json]
      Which policy would decide a sign-in of user U (id or username) from IP, to
      application C (an OIDC client id or a SAML entity id), on a known device (or a
      new one with --new-device), and why. Changes nothing.
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

function conditionsText(p: AccessPolicy): string {
  const c = p.conditions;
  const parts: string[] = [];
  const apps = (l: { kind: string; id: string }[]) => l.map((a) => `${a.kind}:${a.id}`).join(',');
  if (c.applications.length) parts.push(`apps=${apps(c.applications)}`);
  if (c.users.length) parts.push(`users=${c.users.join(',')}`);
  if (c.groups.length) parts.push(`groups=${c.groups.join(',')}`);
  if (c.networks.length) parts.push(`networks=${c.networks.join(',')}`);
  if (c.device !== 'any') parts.push(`device=${c.device}`);
  const x = c.exclude;
  if (x.applications.length) parts.push(`not apps=${apps(x.applications)}`);
  if (x.users.length) parts.push(`not users=${x.users.join(',')}`);
  if (x.groups.length) parts.push(`not groups=${x.groups.join(',')}`);
  if (x.networks.length) parts.push(`not networks=${x.networks.join(',')}`);
  return parts.length ? parts.join(' ') : 'every sign-in';
}

export async function run(argv: string[]): Promise<number> {
  try {
    const parsed = parseSubcommand(
      argv,
      { name: 'access', subs: SUBS, usage: USAGE },
      {
        instance: { type: 'string' },
        user: { type: 'string' },
        app: { type: 'string' },
        'app-kind': { type: 'string' },
        ip: { type: 'string' },
        'new-device': { type: 'boolean' },
      },
    );
    if (!parsed) return 0;
    const { sub, values, json } = parsed;
    const slug = required(values.instance, '--instance');
    if (sub === 'list')
      return await withContext(async ({ core, sctx }) => {
        const instance = await instanceBySlug(core, slug);
        const policies = await listPolicies(sctx, instance);
        const def = (await getDefault(sctx, instance)).decision;
        print(json, { items: policies.map(wirePolicy), default_decision: def }, () =>
          [
            ...policies.map((p) =>
              [
                String(p.priority).padStart(6),
                p.decision.padEnd(5),
                p.enabled ? 'enabled ' : 'disabled',
                `"${p.name}"`,
                conditionsText(p),
                p.id,
              ].join('  '),
            ),
            `default: ${def}`,
          ].join('\n'),
        );
        return 0;
      });

    const user = required(values.user, '--user');
    const ip = required(values.ip, '--ip');
    const kind = values['app-kind'];
    if (kind !== undefined && kind !== 'oidc' && kind !== 'saml')
      throw flagError('--app-kind', 'must be oidc or saml');
    if (kind !== undefined && values.app === undefined)
      throw flagError('--app', 'is required with --app-kind');
    return await withContext(async ({ core, sctx }) => {
      const instance = await instanceBySlug(core, slug);
      let r;
      try {
        r = await dryRun(sctx, instance, {
          user,
          application: values.app ?? null,
          ...(kind ? { applicationKind: kind } : {}),
          ip,
          newDevice: !!values['new-device'],
        });
      } catch (e) {
        throw inFlagTerms(e, { user: '--user', ip: '--ip', application: '--app' });
      }
      const out = wireDryRun(r);
      print(json, out, () =>
        [
          `decision: ${r.decision}${r.policy ? ` (policy "${r.policy.name}", priority ${r.policy.priority})` : ' (instance default)'}`,
          ...r.explanation.map((l) => `  ${l}`),
        ].join('\n'),
      );
      return 0;
    });
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  list: onInstance('policies:read'),
  'dry-run': onInstance('policies:read'),
};
