// Operations routes for customers: an account's notices inbox, its support tickets and
// the agreement versions it is bound by, reachable by the account's members
// (`account:member`, G5.6) as well as the operator. Sub-accounts need the matching
// action: billing:read for notices and agreement versions, tickets:write for tickets;
// accepting an agreement version is the owner's.
import { z } from 'zod';
import { AppError, notFound } from '@idaas/core';
import type { CommerceAction } from '@idaas/core';
import { authorize } from '@idaas/core/business/commerce/index';
import type { ServerContext, TokenInfo } from '../context.ts';
import { principalOf } from './routes-commerce.ts';
import {
  AcceptanceOut,
  NoticeOut,
  NoticePage,
  NoticeParams,
  TicketPage,
  TicketParams,
  TicketWithMessages,
  VersionOut,
  acceptanceOut,
  messageOut,
  noticeOut,
  ops,
  ticketOut,
  versionOut,
} from './routes-operations.ts';
import { route, type AnyRoute } from './route.ts';
import type { Operations } from '@idaas/core/business/operations/index';

const A = '/accounts/{account_id}';

async function member(
  call: { sctx: ServerContext; admin: TokenInfo; param(n: string): string },
  action: CommerceAction | 'owner',
): Promise<string> {
  const accountId = call.param('account_id');
  if (!(await call.sctx.store.repos.opsLookups.accountKind(accountId))) throw notFound('account');
  await authorize(call.sctx.store.repos, principalOf(call.admin), accountId, action);
  return accountId;
}

async function ownTicket(sctx: ServerContext, accountId: string, id: string) {
  const found = await ops(sctx).tickets.get(id);
  // another account's ticket is reported as absent, not as forbidden
  if (found.ticket.accountId !== accountId) throw notFound('ticket');
  return found;
}

const AccountTicketCreate = z.strictObject({
  instance: z.string().optional().meta({ description: 'Instance slug the ticket is about' }),
  kind: z.enum(['consultation', 'fault']),
  severity: z.number().int().min(1).max(4).meta({ description: '1 critical … 4 low' }),
  subject: z.string().min(1).max(200),
  body: z.string().min(1).max(20000),
});
const AccountVersionOut = VersionOut.extend({
  acceptance: AcceptanceOut.nullable().meta({ description: "This account's acceptance, if any" }),
}).meta({ id: 'AccountAgreementVersion' });

export const accountOperationsRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: `${A}/notices`,
    operationId: 'listNotices',
    permission: 'account:member',
    summary: "An account's notices on every channel, newest first (channel=in-site: its inbox)",
    tag: 'notices',
    query: NoticeParams,
    response: NoticePage,
    handler: async (call) => {
      const acct = await member(call, 'billing:read');
      const { query } = call;
      const p = await ops(call.sctx).notices.list(acct, {
        limit: query.limit,
        cursor: query.cursor ?? null,
        ...(query.channel ? { channel: query.channel } : {}),
        ...(query.unread === 'true' ? { unread: true } : {}),
      } as Parameters<Operations['notices']['list']>[1]);
      return { items: p.items.map(noticeOut), next_cursor: p.next };
    },
  }),
  route({
    method: 'post',
    path: `${A}/notices/{id}/read`,
    operationId: 'readNotice',
    permission: 'account:member',
    summary: 'Read a notice (marks an in-site notice read)',
    tag: 'notices',
    response: NoticeOut,
    handler: async (call) => {
      const acct = await member(call, 'billing:read');
      return noticeOut(await ops(call.sctx).notices.read(acct, call.param('id')));
    },
  }),
  route({
    method: 'get',
    path: `${A}/tickets`,
    operationId: 'listAccountTickets',
    permission: 'account:member',
    summary: "The account's support tickets, newest first (G5.2)",
    tag: 'tickets',
    query: TicketParams.omit({ account_id: true }),
    response: TicketPage,
    handler: async (call) => {
      const acct = await member(call, 'tickets:write');
      const p = await ops(call.sctx).tickets.list({
        limit: call.query.limit,
        cursor: call.query.cursor ?? null,
        accountId: acct,
        ...(call.query.status ? { status: call.query.status } : {}),
      });
      const now = call.sctx.clock.now();
      return { items: p.items.map((t) => ticketOut(t, now)), next_cursor: p.next };
    },
  }),
  route({
    method: 'post',
    path: `${A}/tickets`,
    operationId: 'openAccountTicket',
    permission: 'account:member',
    summary: 'Open a consultation or fault ticket as the customer (G5.2)',
    tag: 'tickets',
    body: AccountTicketCreate,
    status: 201,
    response: TicketWithMessages,
    handler: async (call) => {
      const acct = await member(call, 'tickets:write');
      const { sctx, body, admin } = call;
      let instanceId: string | null = null;
      if (body.instance) {
        const inst = await sctx.store.repos.instances.getBySlug(body.instance);
        if (!inst || inst.accountId !== acct)
          throw new AppError(
            'validation_failed',
            `instance: no instance "${body.instance}" in this account`,
            {
              issues: [{ field: 'instance', message: 'no such instance in this account' }],
            },
          );
        instanceId = inst.id;
      }
      const t = await ops(sctx).tickets.open({
        accountId: acct,
        instanceId,
        kind: body.kind,
        severity: body.severity,
        subject: body.subject,
        body: body.body,
        openedBy: admin.sub ?? admin.clientId,
      });
      const { ticket, messages } = await ops(sctx).tickets.get(t.id);
      return { ...ticketOut(ticket, sctx.clock.now()), messages: messages.map(messageOut) };
    },
  }),
  route({
    method: 'get',
    path: `${A}/tickets/{id}`,
    operationId: 'getAccountTicket',
    permission: 'account:member',
    summary: "One of the account's tickets with its messages",
    tag: 'tickets',
    response: TicketWithMessages,
    handler: async (call) => {
      const acct = await member(call, 'tickets:write');
      const { ticket, messages } = await ownTicket(call.sctx, acct, call.param('id'));
      return { ...ticketOut(ticket, call.sctx.clock.now()), messages: messages.map(messageOut) };
    },
  }),
  route({
    method: 'post',
    path: `${A}/tickets/{id}/messages`,
    operationId: 'replyAccountTicket',
    permission: 'account:member',
    summary: 'Reply on one of the account’s tickets, as the customer',
    tag: 'tickets',
    body: z.strictObject({ body: z.string().min(1).max(20000) }),
    status: 201,
    response: TicketWithMessages,
    errors: [409],
    handler: async (call) => {
      const acct = await member(call, 'tickets:write');
      const { sctx, admin, body } = call;
      const id = call.param('id');
      await ownTicket(sctx, acct, id);
      await ops(sctx).tickets.reply(
        id,
        { kind: 'customer', id: admin.sub ?? admin.clientId },
        body.body,
      );
      const { ticket, messages } = await ops(sctx).tickets.get(id);
      return { ...ticketOut(ticket, sctx.clock.now()), messages: messages.map(messageOut) };
    },
  }),
  route({
    method: 'get',
    path: `${A}/agreement-versions`,
    operationId: 'listAccountAgreementVersions',
    permission: 'account:member',
    summary: 'Agreement versions with this account’s acceptance of each (G14.2)',
    tag: 'agreement',
    response: z
      .object({ items: z.array(AccountVersionOut) })
      .meta({ id: 'AccountAgreementVersionList' }),
    handler: async (call) => {
      const acct = await member(call, 'billing:read');
      const versions = await ops(call.sctx).agreements.list();
      const items = [];
      for (const v of versions) {
        const acc = (await ops(call.sctx).agreements.acceptances(v.id)).find(
          (a) => a.accountId === acct,
        );
        items.push({ ...versionOut(v), acceptance: acc ? acceptanceOut(acc) : null });
      }
      return { items };
    },
  }),
  route({
    method: 'post',
    path: `${A}/agreement-versions/{id}/accept`,
    operationId: 'acceptAccountAgreementVersion',
    permission: 'account:member',
    summary: 'Accept an agreement version explicitly, as the account owner',
    tag: 'agreement',
    status: 201,
    response: AcceptanceOut,
    handler: async (call) => {
      const acct = await member(call, 'owner');
      return acceptanceOut(await ops(call.sctx).agreements.accept(call.param('id'), acct));
    },
  }),
];
