// idaas instance create|list: identity instances, on the store named by DATABASE_URL.
import type { z } from 'zod';
import { InstanceOut, wire } from '@idaas/server/api/schemas';
import { fail, print } from '../output.ts';
import {
  flagError,
  inFlagTerms,
  parse,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { onInstance, operatorOnly, type PermissionTable } from '../permissions.ts';

const SUBS = ['create', 'list', 'show'];

const USAGE = `usage: idaas instance <command> [options]
  create --slug S [--name N] [--region R] [--json]
      Creates an identity instance (its data key and first signing keys).
      --slug    3-63 lowercase letters, digits or hyphens
      --name    display name (default: the slug)
      --region  region id (default: cn-shanghai)
  list [--json]
      Lists every instance.
  show --slug S [--json]
      One instance with its lifecycle: state, clause of the last transition,
      next_transition_at (null when nothing is scheduled or it has no lifecycle).
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      slug: { type: 'string' },
      name: { type: 'string' },
      region: { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('instance', extra.join(' '), SUBS);
    const json = !!values.json;

    if (sub === 'create') {
      const slug = required(values.slug, '--slug');
      return await withContext(async ({ core, config }) => {
        const input = {
          slug,
          ...(values.name !== undefined ? { displayName: values.name } : {}),
          ...(values.region !== undefined ? { region: values.region } : {}),
        };
        const instance = await core.instances.create(input).catch((e: unknown) => {
          throw inFlagTerms(e, { slug: '--slug', displayName: '--name', region: '--region' });
        });
        const out = InstanceOut.parse(wire.instance(instance, config.publicUrl));
        print(json, out, () =>
          [
            `created instance ${out.slug} (${out.display_name})`,
            `  id:     ${out.id}`,
            `  issuer: ${out.issuer}`,
          ].join('\n'),
        );
        return 0;
      });
    }

    if (sub === 'list') {
      return await withContext(async ({ core, config }) => {
        const items: z.output<typeof InstanceOut>[] = [];
        let cursor: string | null = null;
        do {
          const page = await core.instances.list({ limit: 200, cursor });
          items.push(
            ...page.items.map((i) => InstanceOut.parse(wire.instance(i, config.publicUrl))),
          );
          cursor = page.next;
        } while (cursor);
        print(json, items, () => {
          if (!items.length) return 'no instances';
          const w = Math.max(4, ...items.map((i) => i.slug.length));
          return [
            `${'SLUG'.padEnd(w)}  STATE   REGION        NAME`,
            ...items.map(
              (i) =>
                `${i.slug.padEnd(w)}  ${i.state.padEnd(6)}  ${i.region.padEnd(12)}  ${i.display_name}${i.platform ? ' (platform)' : ''}`,
            ),
          ].join('\n');
        });
        return 0;
      });
    }
    if (sub === 'show') {
      const slug = required(values.slug, '--slug');
      return await withContext(async ({ sctx, core, config }) => {
        const instance = await core.instances.find(slug);
        if (!instance)
          throw flagError('--slug', `no instance "${slug}" (see: idaas instance list)`);
        const lc = await sctx.business.lifecycle.service.get(instance.id);
        const out = {
          ...InstanceOut.parse(wire.instance(instance, config.publicUrl)),
          clause: lc?.clause ?? null,
          policy: lc?.policy ?? null,
          next_transition_at: lc?.nextDueAt ? lc.nextDueAt.toISOString() : null,
          clock_id: lc?.clockId ?? null,
        };
        print(json, out, () =>
          [
            `instance ${out.slug} (${out.display_name})`,
            `  id:                 ${out.id}`,
            `  state:              ${out.state}${out.clause ? ` (clause ${out.clause})` : ''}`,
            `  policy:             ${out.policy ?? '-'}`,
            `  next transition at: ${out.next_transition_at ?? '-'}`,
            `  issuer:             ${out.issuer}`,
          ].join('\n'),
        );
        return 0;
      });
    }
    throw unknownSubcommand('instance', sub, SUBS);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  create: operatorOnly(true),
  list: operatorOnly(false),
  show: onInstance('instance:read', '--slug'),
};
