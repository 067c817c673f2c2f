// idaas notice list: the notices sent to an account (every channel, or one).
import { print, fail } from '../output.ts';
import { flagError, parse, required, unknownSubcommand, withContext } from '../context.ts';
import { accountMember, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas notice list --account A [--channel in-site|email|sms|paper] [--limit N] [--json]
  Lists an account's notices, newest first, with sending and deemed delivery (G11.3).`;

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      account: { type: 'string' },
      channel: { type: 'string' },
      limit: { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [sub, ...extra] = positionals;
    if (sub !== 'list' || extra.length) throw unknownSubcommand('notice', sub, ['list']);
    const account = required(values.account, '--account');
    const channel = values.channel;
    if (channel !== undefined && !['in-site', 'email', 'sms', 'paper'].includes(channel))
      throw flagError('--channel', 'must be in-site, email, sms or paper');
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      throw flagError('--limit', 'must be a whole number from 1 to 200');
    return await withContext(async ({ sctx }) => {
      if (!(await sctx.store.repos.opsLookups.accountKind(account)))
        throw flagError('--account', `no account "${account}"`);
      const page = await sctx.business.operations.ops.notices.list(account, {
        limit,
        cursor: null,
        ...(channel ? { channel: channel as 'email' } : {}),
      });
      const items = page.items.map((n) => ({
        id: n.id,
        channel: n.channel,
        template: n.template,
        locale: n.locale,
        subject: n.subject,
        status: n.status,
        address: n.address,
        transport: n.transport,
        clause: n.clause,
        created_at: n.createdAt.toISOString(),
        sent_at: n.sentAt?.toISOString() ?? null,
        delivered_at: n.deliveredAt?.toISOString() ?? null,
        read_at: n.readAt?.toISOString() ?? null,
      }));
      print(!!values.json, items, () =>
        items.length
          ? items
              .map(
                (n) =>
                  `${n.created_at}  ${n.channel.padEnd(7)}  ${n.status.padEnd(6)}  ${n.subject}`,
              )
              .join('\n')
          : 'no notices',
      );
      return 0;
    });
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  list: accountMember('billing:read', false),
};
