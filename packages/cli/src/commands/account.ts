// idaas account create|show|list: customer accounts (optionally on a test clock).
import { wireCommerce } from '@idaas/server/api/routes-commerce';
import { fail, print } from '../output.ts';
import { inFlagTerms, parse, required, unknownSubcommand, withContext } from '../context.ts';
import { operatorOnly, accountMember, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas account <command> [options]
  create --name N [--email E] [--test-clock] [--json]
      Creates a customer account; --test-clock binds it to a new test clock.
      Prints account_id (and clock_id with --test-clock).
  show --account A [--json]
      The account, its contacts and its balance.
  list [--json]
      Lists customer accounts.
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const SUBS = ['create', 'show', 'list'];

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      name: { type: 'string' },
      email: { type: 'string' },
      account: { type: 'string' },
      'test-clock': { type: 'boolean' },
    });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('account', extra.join(' '), SUBS);
    const json = !!values.json;

    if (sub === 'create') {
      const name = required(values.name, '--name');
      return await withContext(async ({ sctx }) => {
        const { account, clockId } = await sctx.business.commerce.service
          .createAccount({
            name,
            email: values.email ?? null,
            testClock: !!values['test-clock'],
            at: sctx.clock.now(),
          })
          .catch((e: unknown) => {
            throw inFlagTerms(e, { name: '--name', email: '--email' });
          });
        const out = {
          account_id: account.id,
          name: account.name,
          email: account.ownerEmail,
          clock_id: clockId,
          created_at: account.createdAt.toISOString(),
        };
        print(json, out, () =>
          [
            `created account ${out.name}`,
            `  account_id: ${out.account_id}`,
            ...(clockId ? [`  clock_id:   ${clockId}`] : []),
          ].join('\n'),
        );
        return 0;
      });
    }

    if (sub === 'show') {
      const id = required(values.account, '--account');
      return await withContext(async ({ sctx }) => {
        const svc = sctx.business.commerce.service;
        const account = await svc.account(id).catch((e: unknown) => {
          throw inFlagTerms(e, { account: '--account' });
        });
        const out = {
          account_id: account.id,
          ...wireCommerce.account(account),
          contacts: wireCommerce.contacts(await svc.contacts(id)),
          balance: wireCommerce.balance(await svc.balance(id)),
        };
        print(json, out, () =>
          [
            `account ${out.name} (${out.account_id})`,
            `  clock:    ${out.clock_id ?? 'wall clock'}`,
            `  cash:     ${out.balance.cash} CNY`,
            `  vouchers: ${out.balance.vouchers} CNY`,
          ].join('\n'),
        );
        return 0;
      });
    }

    if (sub === 'list') {
      return await withContext(async ({ sctx }) => {
        const items: ReturnType<typeof wireCommerce.account>[] = [];
        let cursor: string | null = null;
        do {
          const p = await sctx.store.repos.commerceAccounts.list({ limit: 200, cursor });
          items.push(...p.items.map(wireCommerce.account));
          cursor = p.next;
        } while (cursor);
        const rows = items.map((a) => ({ account_id: a.id, ...a }));
        print(json, rows, () =>
          rows.length
            ? rows
                .map((a) => `${a.account_id}  ${a.name}${a.clock_id ? ' (test clock)' : ''}`)
                .join('\n')
            : 'no accounts',
        );
        return 0;
      });
    }
    throw unknownSubcommand('account', sub, SUBS);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  create: operatorOnly(true),
  list: operatorOnly(false),
  show: accountMember('billing:read', false),
};
