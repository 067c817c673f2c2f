// idaas plan list: the catalog (seeded with the default plans on first use).
import { wireCommerce } from '@idaas/server/api/routes-commerce';
import { fail, print } from '../output.ts';
import { parse, unknownSubcommand, withContext } from '../context.ts';
import { operatorOnly, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas plan <command> [options]
  list [--json]
      Lists the plans: code, billing, price in CNY, lifecycle policy.
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {});
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('plan', extra.join(' '), ['list']);
    if (sub === 'list') {
      return await withContext(async ({ sctx }) => {
        const plans = (await sctx.business.commerce.service.plans()).map(wireCommerce.plan);
        print(!!values.json, plans, () => {
          const w = Math.max(4, ...plans.map((p) => p.code.length));
          return [
            `${'CODE'.padEnd(w)}  BILLING       PRICE (CNY)  POLICY  NAME`,
            ...plans.map(
              (p) =>
                `${p.code.padEnd(w)}  ${p.billing.padEnd(12)}  ${p.price.padStart(11)}  ${p.policy.padEnd(6)}  ${p.name}${p.active ? '' : ' (not sold)'}`,
            ),
          ].join('\n');
        });
        return 0;
      });
    }
    throw unknownSubcommand('plan', sub, ['list']);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  list: operatorOnly(false),
};
