// idaas keys rotate|list: signing keys of an instance. Rotation makes new ES256 and
// RS256 keys active; the previous ones stay published (retiring) until their tokens expire.
import { KeyList, wire } from '@idaas/server/api/schemas';
import type { SigningKey } from '@idaas/core';
import { fail, print } from '../output.ts';
import { instanceBySlug, parse, required, unknownSubcommand, withContext } from '../context.ts';
import { onInstance, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas keys <command> [options]
  rotate --instance S [--json]
      New active ES256 and RS256 signing keys; the previous active keys become
      retiring and stay in JWKS until the tokens they signed have expired.
  list --instance S [--json]
      The signing keys of instance S (public parts only).
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

function human(keys: SigningKey[]): string {
  return keys
    .map((k) =>
      [
        k.status.padEnd(8),
        k.alg,
        k.kid,
        `created ${k.createdAt.toISOString()}`,
        ...(k.retireAfter ? [`published until ${k.retireAfter.toISOString()}`] : []),
      ].join('  '),
    )
    .join('\n');
}

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, { instance: { type: 'string' } });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('keys', extra.join(' '), ['rotate', 'list']);
    const json = !!values.json;
    if (sub !== 'rotate' && sub !== 'list')
      throw unknownSubcommand('keys', sub, ['rotate', 'list']);
    const slug = required(values.instance, '--instance');
    return await withContext(async ({ core }) => {
      const instance = await instanceBySlug(core, slug);
      let keys: SigningKey[];
      if (sub === 'rotate') {
        const r = await core.signingKeys.rotate(instance);
        keys = [...r.active, ...r.retiring];
      } else keys = await core.signingKeys.list(instance);
      const out = KeyList.parse({ keys: keys.map(wire.key) });
      print(
        json,
        out,
        () =>
          (sub === 'rotate' ? `rotated the signing keys of instance ${slug}\n` : '') + human(keys),
      );
      return 0;
    });
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  rotate: onInstance('keys:write'),
  list: onInstance('keys:read'),
};
