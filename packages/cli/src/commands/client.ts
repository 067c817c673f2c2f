// idaas client create|list: OIDC/OAuth 2 applications (clients) of an instance. The
// secret of a confidential client is printed once, at creation.
import type { z } from 'zod';
import { ApplicationOut, ApplicationWithSecret, wire } from '@idaas/server/api/schemas';
import { fail, print } from '../output.ts';
import {
  flagError,
  inFlagTerms,
  instanceBySlug,
  parse,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { onInstance, type PermissionTable } from '../permissions.ts';

const GRANTS = ['client_credentials', 'authorization_code', 'refresh_token', 'device_code'];

const USAGE = `usage: idaas client <command> [options]
  create --instance S --name N --grant G [--grant G ...] [--redirect-uri URI ...]
         [--scope SCOPE ...] [--public] [--client-id ID] [--json]
      Creates an application and prints client_id and client_secret (shown once;
      null for a public client).
      --grant         ${GRANTS.join(' | ')} (repeatable)
      --redirect-uri  needed for authorization_code (repeatable)
      --scope         allowed scopes (repeatable, or space-separated)
      --public        a public client (no secret; PKCE required)
  list --instance S [--json]
      Lists the applications of instance S (never their secrets).
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const FLAGS = {
  name: '--name',
  grantTypes: '--grant',
  redirectUris: '--redirect-uri',
  scopes: '--scope',
  clientId: '--client-id',
  public: '--public',
};

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      instance: { type: 'string' },
      name: { type: 'string' },
      grant: { type: 'string', multiple: true },
      'redirect-uri': { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'client-id': { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('client', extra.join(' '), ['create', 'list']);
    const json = !!values.json;

    if (sub === 'create') {
      const slug = required(values.instance, '--instance');
      const name = required(values.name, '--name');
      const grantTypes = (values.grant ?? []).flatMap((g) => g.split(',')).filter(Boolean);
      if (!grantTypes.length) throw flagError('--grant', `is required (${GRANTS.join(', ')})`);
      for (const g of grantTypes)
        if (!GRANTS.includes(g))
          throw flagError('--grant', `unknown grant type "${g}" (use ${GRANTS.join(', ')})`);
      const redirectUris = values['redirect-uri'] ?? [];
      const scopes = (values.scope ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
      return await withContext(async ({ core }) => {
        const instance = await instanceBySlug(core, slug);
        const input = {
          name,
          grantTypes,
          redirectUris,
          ...(scopes.length ? { scopes } : {}),
          ...(values.public ? { public: true } : {}),
          ...(values['client-id'] !== undefined ? { clientId: values['client-id'] } : {}),
        };
        const { application, clientSecret } = await core.applications
          .create(instance, input)
          .catch((e: unknown) => {
            throw inFlagTerms(e, FLAGS, { grantTypes, redirectUris, scopes });
          });
        const out = ApplicationWithSecret.parse({
          ...wire.application(application),
          client_secret: clientSecret,
        });
        print(json, out, () =>
          [
            `created ${out.client_type} client "${out.name}" in instance ${slug}`,
            `client_id:     ${out.client_id}`,
            out.client_secret === null
              ? 'client_secret: (none: public client)'
              : `client_secret: ${out.client_secret}`,
            ...(out.client_secret === null
              ? []
              : ['(the secret is shown only now; store it safely)']),
          ].join('\n'),
        );
        return 0;
      });
    }

    if (sub === 'list') {
      const slug = required(values.instance, '--instance');
      return await withContext(async ({ core }) => {
        const instance = await instanceBySlug(core, slug);
        const items: z.output<typeof ApplicationOut>[] = [];
        let cursor: string | null = null;
        do {
          const page = await core.applications.list(instance, { limit: 200, cursor });
          items.push(...page.items.map((a) => ApplicationOut.parse(wire.application(a))));
          cursor = page.next;
        } while (cursor);
        print(json, items, () =>
          items.length
            ? items
                .map(
                  (a) =>
                    `${a.client_id}  ${a.client_type.padEnd(12)}  ${a.name}  [${a.grant_types.join(' ')}]`,
                )
                .join('\n')
            : 'no clients',
        );
        return 0;
      });
    }
    throw unknownSubcommand('client', sub, ['create', 'list']);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  create: onInstance('apps:write'),
  list: onInstance('apps:read'),
};
