// idaas order create|list: orders of an account (new, renew, upgrade, package).
import { wireCommerce } from '@idaas/server/api/routes-commerce';
import type { OrderKind } from '@idaas/core';
import { fail, print } from '../output.ts';
import {
  cliUser,
  flagError,
  inFlagTerms,
  parse,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { accountMember, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas order <command> [options]
  create --account A --plan P --instance-slug S [--kind new|renew|upgrade|package] [--json]
      Orders plan P for instance S. A new order reserves the slug (instance pending
      payment, held 7 days) and is paid from the balance at once when it covers it.
      Prints order_id and amount (CNY).
  list --account A [--json]
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const KINDS = ['new', 'renew', 'upgrade', 'package'];
const FLAGS = {
  plan: '--plan',
  instance_slug: '--instance-slug',
  instanceSlug: '--instance-slug',
  kind: '--kind',
  account: '--account',
};

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      account: { type: 'string' },
      plan: { type: 'string' },
      'instance-slug': { type: 'string' },
      kind: { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('order', extra.join(' '), ['create', 'list']);
    const json = !!values.json;

    if (sub === 'create') {
      const accountId = required(values.account, '--account');
      const plan = required(values.plan, '--plan');
      const slug = required(values['instance-slug'], '--instance-slug');
      if (values.kind !== undefined && !KINDS.includes(values.kind))
        throw flagError('--kind', `must be one of ${KINDS.join(', ')}`);
      return await withContext(async ({ sctx }) => {
        const svc = sctx.business.commerce.service;
        const order = await svc
          .createOrder({
            accountId,
            plan,
            instanceSlug: slug,
            actorUserId: cliUser(),
            ...(values.kind ? { kind: values.kind as OrderKind } : {}),
          })
          .catch((e: unknown) => {
            throw inFlagTerms(e, FLAGS);
          });
        const w = wireCommerce.order(order, plan);
        const out = { order_id: w.id, ...w };
        print(json, out, () =>
          [
            `order ${out.order_id}: ${out.kind} ${out.plan} for ${out.instance_slug}`,
            `  amount: ${out.amount} CNY`,
            `  status: ${out.status}${out.status === 'pending' ? ` (held until ${out.hold_until})` : ''}`,
          ].join('\n'),
        );
        return 0;
      });
    }

    if (sub === 'list') {
      const accountId = required(values.account, '--account');
      return await withContext(async ({ sctx }) => {
        await sctx.business.commerce.service.account(accountId).catch((e: unknown) => {
          throw inFlagTerms(e, FLAGS);
        });
        const plans = new Map(
          (await sctx.business.commerce.service.plans()).map((p) => [p.id, p.code]),
        );
        const items: ReturnType<typeof wireCommerce.order>[] = [];
        let cursor: string | null = null;
        do {
          const p = await sctx.store.repos.orders.listByAccount(accountId, { limit: 200, cursor });
          items.push(...p.items.map((o) => wireCommerce.order(o, plans.get(o.planId) ?? o.planId)));
          cursor = p.next;
        } while (cursor);
        const rows = items.map((o) => ({ order_id: o.id, ...o }));
        print(json, rows, () =>
          rows.length
            ? rows
                .map(
                  (o) =>
                    `${o.order_id}  ${o.kind.padEnd(7)}  ${o.plan.padEnd(14)}  ${o.instance_slug}  ${o.amount}  ${o.status}`,
                )
                .join('\n')
            : 'no orders',
        );
        return 0;
      });
    }
    throw unknownSubcommand('order', sub, ['create', 'list']);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  create: accountMember('orders:create', true, '--instance-slug'),
  list: accountMember('orders:read', false),
};
