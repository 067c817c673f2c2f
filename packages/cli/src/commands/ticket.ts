// idaas ticket open|list|reply|close: support tickets (G5.2).
import { print, fail } from '../output.ts';
import {
  cliUser,
  flagError,
  inFlagTerms,
  parse,
  required,
  unknownSubcommand,
  withContext,
} from '../context.ts';
import { operatorOnly, accountMember, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas ticket <command> [options]
  open --account A --subject S --body B [--kind consultation|fault] [--severity 1-4] [--instance S] [--json]
  list [--account A] [--status open|answered|resolved|closed] [--json]
  reply --id T --body B [--side operator|customer] [--json]
  close --id T [--side operator|customer] [--json]
      --side: who writes (default operator).`;

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      account: { type: 'string' },
      instance: { type: 'string' },
      subject: { type: 'string' },
      body: { type: 'string' },
      kind: { type: 'string' },
      severity: { type: 'string' },
      status: { type: 'string' },
      id: { type: 'string' },
      side: { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const json = !!values.json;
    const [sub, ...extra] = positionals;
    const subs = ['open', 'list', 'reply', 'close'];
    if (extra.length || !subs.includes(sub ?? '')) throw unknownSubcommand('ticket', sub, subs);
    const as = (values.side ?? 'operator') as 'operator' | 'customer';
    if (!['operator', 'customer'].includes(as))
      throw flagError('--side', 'must be operator or customer');
    const out = (t: {
      id: string;
      accountId: string;
      kind: string;
      severity: number;
      status: string;
      subject: string;
      responseDueAt: Date;
      firstResponseAt: Date | null;
    }) => ({
      id: t.id,
      account_id: t.accountId,
      kind: t.kind,
      severity: t.severity,
      status: t.status,
      subject: t.subject,
      response_due_at: t.responseDueAt.toISOString(),
      first_response_at: t.firstResponseAt?.toISOString() ?? null,
    });
    const line = (t: ReturnType<typeof out>) =>
      `${t.id}  ${t.status.padEnd(8)}  sev ${t.severity}  ${t.kind.padEnd(12)}  ${t.subject}`;

    if (sub === 'open') {
      const account = required(values.account, '--account');
      const subject = required(values.subject, '--subject');
      const body = required(values.body, '--body');
      const kind = values.kind ?? 'consultation';
      if (!['consultation', 'fault'].includes(kind))
        throw flagError('--kind', 'must be consultation or fault');
      const severity = values.severity === undefined ? 3 : Number(values.severity);
      if (![1, 2, 3, 4].includes(severity)) throw flagError('--severity', 'must be 1, 2, 3 or 4');
      return await withContext(async ({ sctx }) => {
        let instanceId: string | null = null;
        if (values.instance) {
          const ref = await sctx.store.repos.opsLookups.instanceRef(values.instance);
          if (!ref || ref.slug !== values.instance)
            throw flagError('--instance', `no instance "${values.instance}"`);
          instanceId = ref.id;
        }
        const t = await sctx.business.operations.ops.tickets
          .open({
            accountId: account,
            instanceId,
            kind,
            severity,
            subject,
            body,
            openedBy: cliUser() ?? 'cli',
          })
          .catch((e: unknown) => {
            throw inFlagTerms(e, {
              accountId: '--account',
              instance: '--instance',
              subject: '--subject',
              body: '--body',
            });
          });
        const o = out(t);
        print(json, o, () => `opened ticket ${o.id} (first response due ${o.response_due_at})`);
        return 0;
      });
    }
    if (sub === 'list') {
      const status = values.status;
      if (status !== undefined && !['open', 'answered', 'resolved', 'closed'].includes(status))
        throw flagError('--status', 'must be open, answered, resolved or closed');
      return await withContext(async ({ sctx }) => {
        const p = await sctx.business.operations.ops.tickets.list({
          limit: 200,
          cursor: null,
          ...(values.account ? { accountId: values.account } : {}),
          ...(status ? { status: status as 'open' } : {}),
        });
        const items = p.items.map(out);
        print(json, items, () => (items.length ? items.map(line).join('\n') : 'no tickets'));
        return 0;
      });
    }
    const id = required(values.id, '--id');
    if (sub === 'reply') {
      const body = required(values.body, '--body');
      return await withContext(async ({ sctx }) => {
        const r = await sctx.business.operations.ops.tickets
          .reply(id, { kind: as, id: 'cli' }, body)
          .catch((e: unknown) => {
            throw inFlagTerms(e, { body: '--body', status: '--id' });
          });
        const o = out(r.ticket);
        print(json, o, () => line(o));
        return 0;
      });
    }
    return await withContext(async ({ sctx }) => {
      const t = await sctx.business.operations.ops.tickets
        .transition(id, { kind: as, id: 'cli' }, 'closed')
        .catch((e: unknown) => {
          throw inFlagTerms(e, { status: '--id' });
        });
      const o = out(t);
      print(json, o, () => line(o));
      return 0;
    });
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  open: accountMember('tickets:write', true),
  // every account's tickets, and the operator's side of the conversation
  list: operatorOnly(false),
  reply: operatorOnly(true),
  close: operatorOnly(true),
};
