// idaas user create|list|mfa: users of an instance (and their second factors).
import type { z } from 'zod';
import { UserOut, wire } from '@idaas/server/api/schemas';
import { fail, print } from '../output.ts';
import {
  inFlagTerms,
  instanceBySlug,
  parse,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { MFA_USAGE, runMfa } from './user-mfa.ts';
import { onInstance, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas user <command> [options]
  create --instance S --username U --password P [--email E] [--phone +86...] [--display-name D] [--json]
      Creates a user in instance S (the password is stored as an argon2id hash).
  list --instance S [--search Q] [--json]
      Lists the users of instance S (Q: substring of username, email or display name).
${MFA_USAGE}
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const FLAGS = {
  username: '--username',
  password: '--password',
  email: '--email',
  phone: '--phone',
  displayName: '--display-name',
};

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      instance: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      email: { type: 'string' },
      phone: { type: 'string' },
      'display-name': { type: 'string' },
      search: { type: 'string' },
      user: { type: 'string' },
      factor: { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (sub === 'mfa' && extra.length <= 1) return await runMfa(extra[0], values);
    if (extra.length) throw unknownSubcommand('user', extra.join(' '), ['create', 'list']);
    const json = !!values.json;

    if (sub === 'create') {
      const slug = required(values.instance, '--instance');
      const username = required(values.username, '--username');
      const password = required(values.password, '--password');
      return await withContext(async ({ core }) => {
        const instance = await instanceBySlug(core, slug);
        const input = {
          username,
          password,
          ...(values.email !== undefined ? { email: values.email } : {}),
          ...(values.phone !== undefined ? { phone: values.phone } : {}),
          ...(values['display-name'] !== undefined ? { displayName: values['display-name'] } : {}),
        };
        const user = await core.directory.createUser(instance, input).catch((e: unknown) => {
          throw inFlagTerms(e, FLAGS);
        });
        const out = UserOut.parse(wire.user(user));
        print(json, out, () => `created user ${out.username} in instance ${slug}\n  id: ${out.id}`);
        return 0;
      });
    }

    if (sub === 'list') {
      const slug = required(values.instance, '--instance');
      return await withContext(async ({ core }) => {
        const instance = await instanceBySlug(core, slug);
        const items: z.output<typeof UserOut>[] = [];
        let cursor: string | null = null;
        do {
          const page = await core.directory.listUsers(instance, {
            limit: 200,
            cursor,
            ...(values.search ? { q: values.search } : {}),
          });
          items.push(...page.items.map((u) => UserOut.parse(wire.user(u))));
          cursor = page.next;
        } while (cursor);
        print(json, items, () =>
          items.length
            ? items
                .map((u) => `${u.id}  ${u.username}${u.email ? ` <${u.email}>` : ''}  ${u.status}`)
                .join('\n')
            : 'no users',
        );
        return 0;
      });
    }
    throw unknownSubcommand('user', sub, ['create', 'list', 'mfa']);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  create: onInstance('users:write'),
  list: onInstance('users:read'),
  'mfa list': onInstance('users:read'),
  'mfa reset': onInstance('users:mfa-reset'),
};
