// idaas payment record|list, idaas payment ledger: payments and the account statement.
import { randomUUID } from 'node:crypto';
import { parseCny } from '@idaas/core/business/commerce/index';
import { wireCommerce } from '@idaas/server/api/routes-commerce';
import { fail, print } from '../output.ts';
import {
  flagError,
  inFlagTerms,
  parse,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { operatorOnly, accountMember, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas payment <command> [options]
  record --account A --amount X [--reference R] [--provider bank-transfer|test] [--json]
      Records a payment of X CNY (e.g. 99.00): a received bank transfer (default; the
      reference makes it idempotent), or the test provider (accounts on a test clock
      only; the default for them). Credits cash, pays pending orders oldest first and
      restores service when the balance covers what is owed.
  list --account A [--json]
  ledger --account A [--json]
      The statement: every cash and voucher entry.
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

const SUBS = ['record', 'list', 'ledger'];

/** `--amount -5` would read as a flag: keep a dash-led value with its flag. */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--amount' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--amount=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(joinDashValues(argv), {
      account: { type: 'string' },
      amount: { type: 'string' },
      reference: { type: 'string' },
      provider: { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (extra.length) throw unknownSubcommand('payment', extra.join(' '), SUBS);
    const json = !!values.json;
    const accountId = sub && SUBS.includes(sub) ? required(values.account, '--account') : '';

    if (sub === 'record') {
      const amountFen = parseCny(required(values.amount, '--amount'), '--amount');
      if (values.provider !== undefined && !['bank-transfer', 'test'].includes(values.provider))
        throw flagError('--provider', 'must be bank-transfer or test');
      return await withContext(async ({ sctx }) => {
        const svc = sctx.business.commerce.service;
        const account = await svc.account(accountId).catch((e: unknown) => {
          throw inFlagTerms(e, { account: '--account' });
        });
        const provider = values.provider ?? (account.clockId ? 'test' : 'bank-transfer');
        const r = await svc
          .recordPayment({
            accountId,
            amountFen,
            provider,
            reference:
              values.reference ?? (provider === 'bank-transfer' ? `cli-${randomUUID()}` : null),
          })
          .catch((e: unknown) => {
            throw inFlagTerms(e, {
              amount: '--amount',
              provider: '--provider',
              reference: '--reference',
            });
          });
        const p = wireCommerce.payment(r.payment);
        const out = {
          payment_id: p.id,
          ...p,
          duplicate: r.duplicate,
          paid_orders: r.paidOrders,
          balance: wireCommerce.balance(r.balance),
        };
        print(json, out, () =>
          [
            `${r.duplicate ? 'already recorded' : 'recorded'} payment ${out.payment_id}: ${out.amount} CNY (${out.provider} ${out.reference ?? ''})`,
            ...(out.paid_orders.length ? [`  paid orders: ${out.paid_orders.join(', ')}`] : []),
            `  balance: ${out.balance.cash} CNY cash, ${out.balance.vouchers} CNY vouchers`,
          ].join('\n'),
        );
        return 0;
      });
    }

    if (sub === 'list' || sub === 'ledger') {
      return await withContext(async ({ sctx }) => {
        const svc = sctx.business.commerce.service;
        await svc.account(accountId).catch((e: unknown) => {
          throw inFlagTerms(e, { account: '--account' });
        });
        if (sub === 'list') {
          const rows = (await svc.payments(accountId)).map((p) => ({
            payment_id: p.id,
            ...wireCommerce.payment(p),
          }));
          print(json, rows, () =>
            rows.length
              ? rows
                  .map(
                    (p) =>
                      `${p.created_at}  ${p.amount.padStart(12)}  ${p.provider}  ${p.reference ?? ''}`,
                  )
                  .join('\n')
              : 'no payments',
          );
        } else {
          const rows = (await svc.statement(accountId)).map(wireCommerce.entry);
          print(json, rows, () =>
            rows.length
              ? rows
                  .map(
                    (e) =>
                      `${e.created_at}  ${e.kind.padEnd(7)}  ${e.amount.padStart(12)}  ${e.reason}`,
                  )
                  .join('\n')
              : 'no entries',
          );
        }
        return 0;
      });
    }
    throw unknownSubcommand('payment', sub, SUBS);
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  // a received bank transfer (or the test provider): the operator records it
  record: operatorOnly(true),
  list: accountMember('billing:read', false),
  ledger: accountMember('billing:read', false),
};
