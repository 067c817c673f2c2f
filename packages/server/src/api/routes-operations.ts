// Admin API routes of the operations module: notices (inbox), agreement versions
// (G14.2), usage (metering), SLA reports, maintenance windows and claims, support
// tickets (G5.2). Operator routes (idaas:admin).
import { z } from 'zod';
import { AppError, notFound } from '@idaas/core';
import type {
  AgreementAcceptance,
  AgreementVersion,
  MaintenanceWindow,
  NoticeRecord,
  SlaClaim,
  Ticket,
  TicketMessage,
} from '@idaas/core';
import { monthRange, type Operations, type SlaReport } from '@idaas/core/business/operations/index';
import type { ServerContext } from '../context.ts';
import { route, type AnyRoute } from './route.ts';
import { PageParams, pageOf } from './schemas.ts';

const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM')
  .meta({ description: 'Calendar month in the agreement zone (Asia/Shanghai), YYYY-MM' });
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
export const ops = (sctx: ServerContext): Operations => sctx.business.operations.ops;

export const NoticeOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    instance_id: z.string().nullable(),
    channel: z.enum(['in-site', 'email', 'sms', 'paper']),
    address: z.string().nullable(),
    template: z.string(),
    locale: z.string(),
    subject: z.string(),
    body: z.string(),
    clause: z.string().nullable(),
    status: z.enum(['queued', 'sent', 'posted', 'failed']),
    created_at: timestamp,
    sent_at: timestamp.nullable(),
    delivered_at: timestamp
      .nullable()
      .meta({ description: 'Deemed delivery (G11.3): when sent; paper on natural day 5' }),
    read_at: timestamp.nullable(),
    error: z.string().nullable(),
    transport: z.string().nullable().meta({
      description: '`smtp`, `log` (development: logged, not sent), `sms-log`, `inbox`, `post`',
    }),
    attempts: z.number().int(),
  })
  .meta({ id: 'Notice' });
export const NoticePage = pageOf(NoticeOut, 'NoticePage');
export const noticeOut = (n: NoticeRecord): z.input<typeof NoticeOut> => ({
  id: n.id,
  account_id: n.accountId,
  instance_id: n.instanceId,
  channel: n.channel,
  address: n.address,
  template: n.template,
  locale: n.locale,
  subject: n.subject,
  body: n.body,
  clause: n.clause,
  status: n.status,
  created_at: n.createdAt.toISOString(),
  sent_at: iso(n.sentAt),
  delivered_at: iso(n.deliveredAt),
  read_at: iso(n.readAt),
  error: n.error,
  transport: n.transport,
  attempts: n.attempts,
});
export const NoticeParams = PageParams.extend({
  channel: z.enum(['in-site', 'email', 'sms', 'paper']).optional(),
  unread: z.enum(['true', 'false']).optional(),
});

export const VersionOut = z
  .object({
    id: z.string(),
    version: z.string(),
    summary: z.string(),
    published_at: timestamp,
    effective_at: timestamp,
  })
  .meta({ id: 'AgreementVersion' });
export const versionOut = (v: AgreementVersion) => ({
  id: v.id,
  version: v.version,
  summary: v.summary,
  published_at: v.publishedAt.toISOString(),
  effective_at: v.effectiveAt.toISOString(),
});
const VersionCreate = z.strictObject({
  version: z.string().min(1).max(64),
  summary: z.string().min(1).max(4000),
  effective_at: timestamp.meta({ description: 'At least 30 days after now (G14.2)' }),
});
export const AcceptanceOut = z
  .object({
    account_id: z.string(),
    version_id: z.string(),
    accepted_at: timestamp,
    how: z.enum(['explicit', 'continued-use']),
  })
  .meta({ id: 'AgreementAcceptance' });
export const acceptanceOut = (a: AgreementAcceptance) => ({
  account_id: a.accountId,
  version_id: a.versionId,
  accepted_at: a.acceptedAt.toISOString(),
  how: a.how,
});

const UsageHourOut = z.object({
  hour_start: timestamp,
  authentications: z.number().int(),
  new_active_users: z.number().int(),
});
const UsageHours = z
  .object({
    instance: z.string(),
    items: z.array(UsageHourOut),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'UsageHours' });
const UsageMonth = z
  .object({
    instance: z.string(),
    month,
    monthly_active_users: z.number().int(),
    authentications: z.number().int(),
  })
  .meta({ id: 'UsageMonth' });

const ClaimOut = z
  .object({
    id: z.string(),
    instance_id: z.string(),
    account_id: z.string(),
    month,
    availability: z.string(),
    credit: z.string().meta({ description: 'CNY, issued as vouchers (SLA2, G3.5)' }),
    status: z.enum(['credited', 'no-credit']),
    created_at: timestamp,
  })
  .meta({ id: 'SlaClaim' });
const cny = (fen: number) => (fen / 100).toFixed(2);
const claimOut = (c: SlaClaim) => ({
  id: c.id,
  instance_id: c.instanceId,
  account_id: c.accountId,
  month: c.month,
  availability: c.availability,
  credit: cny(c.creditFen),
  status: c.status,
  created_at: c.createdAt.toISOString(),
});
const SlaReportOut = z
  .object({
    instance: z.string(),
    month,
    availability: z.string().meta({ description: 'Percent, 4 decimals (SLA1)' }),
    commitment: z.string(),
    met: z.boolean(),
    windows: z.number().int(),
    excluded_windows: z
      .number()
      .int()
      .meta({ description: 'Inside announced maintenance (G10.3)' }),
    valid_requests: z.number().int(),
    failed_requests: z.number().int(),
    credit_percent: z.number().int(),
    credit: z.string().meta({ description: 'What a claim would credit now (CNY)' }),
    month_fee: z.string(),
    free_trial: z.boolean().meta({ description: 'Free trials carry no SLA (G5.8)' }),
    claim_window: z.object({ opens: timestamp, closes: timestamp }),
    claim: ClaimOut.nullable(),
    termination_right_from: timestamp.nullable().meta({
      description:
        'G10.4: first instant after 72 consecutive hours unavailable; from then the customer may terminate with a pro-rata refund',
    }),
    outages: z.array(z.object({ start: timestamp, end: timestamp })),
  })
  .meta({ id: 'SlaReport' });
const reportOut = (slug: string, r: SlaReport) => ({
  instance: slug,
  month: r.month,
  availability: r.availability,
  commitment: r.commitment,
  met: r.met,
  windows: r.windows,
  excluded_windows: r.excludedWindows,
  valid_requests: r.validRequests,
  failed_requests: r.failedRequests,
  credit_percent: r.creditPercent,
  credit: cny(r.creditFen),
  month_fee: cny(r.feeFen),
  free_trial: r.freeTrial,
  claim_window: {
    opens: r.claimWindow.opens.toISOString(),
    closes: r.claimWindow.closes.toISOString(),
  },
  claim: r.claim ? claimOut(r.claim) : null,
  termination_right_from: iso(r.terminationRightFrom),
  outages: r.outages.map((o) => ({ start: o.start.toISOString(), end: o.end.toISOString() })),
});

const MaintOut = z
  .object({
    id: z.string(),
    instance_id: z.string().nullable().meta({ description: 'null: every instance' }),
    starts_at: timestamp,
    ends_at: timestamp,
    description: z.string(),
    announced_at: timestamp,
  })
  .meta({ id: 'MaintenanceWindow' });
const maintOut = (m: MaintenanceWindow) => ({
  id: m.id,
  instance_id: m.instanceId,
  starts_at: m.startsAt.toISOString(),
  ends_at: m.endsAt.toISOString(),
  description: m.description,
  announced_at: m.announcedAt.toISOString(),
});
const MaintCreate = z.strictObject({
  instance: z.string().optional().meta({ description: 'Instance slug; omitted: every instance' }),
  starts_at: timestamp,
  ends_at: timestamp,
  description: z.string().min(1).max(2000),
});
const MaintUpdate = z.strictObject({
  starts_at: timestamp.optional(),
  ends_at: timestamp.optional(),
  description: z.string().min(1).max(2000).optional(),
});
const MaintParams = PageParams.extend({
  instance: z.string().optional(),
  from: timestamp.optional(),
  to: timestamp.optional(),
});

const MessageOut = z.object({
  id: z.string(),
  author_kind: z.enum(['customer', 'operator']),
  author_id: z.string().nullable(),
  body: z.string(),
  created_at: timestamp,
});
export const TicketOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    instance_id: z.string().nullable(),
    kind: z.enum(['consultation', 'fault']),
    severity: z.number().int().min(1).max(4),
    status: z.enum(['open', 'answered', 'resolved', 'closed']),
    subject: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
    first_response_at: timestamp.nullable(),
    response_due_at: timestamp,
    response_breached: z.boolean(),
    opened_by: z.string().nullable(),
  })
  .meta({ id: 'Ticket' });
export const TicketWithMessages = TicketOut.extend({ messages: z.array(MessageOut) }).meta({
  id: 'TicketWithMessages',
});
export const TicketPage = pageOf(TicketOut, 'TicketPage');
export const ticketOut = (t: Ticket, now: Date) => ({
  id: t.id,
  account_id: t.accountId,
  instance_id: t.instanceId,
  kind: t.kind,
  severity: t.severity,
  status: t.status,
  subject: t.subject,
  created_at: t.createdAt.toISOString(),
  updated_at: t.updatedAt.toISOString(),
  first_response_at: iso(t.firstResponseAt),
  response_due_at: t.responseDueAt.toISOString(),
  response_breached: t.firstResponseAt
    ? t.firstResponseAt > t.responseDueAt
    : now > t.responseDueAt && t.status !== 'closed',
  opened_by: t.openedBy,
});
export const messageOut = (m: TicketMessage) => ({
  id: m.id,
  author_kind: m.authorKind,
  author_id: m.authorId,
  body: m.body,
  created_at: m.createdAt.toISOString(),
});
export const TicketCreate = z.strictObject({
  account_id: z.string().min(1),
  instance: z.string().optional().meta({ description: 'Instance slug the ticket is about' }),
  kind: z.enum(['consultation', 'fault']),
  severity: z.number().int().min(1).max(4).meta({ description: '1 critical … 4 low' }),
  subject: z.string().min(1).max(200),
  body: z.string().min(1).max(20000),
});
const actor = z
  .enum(['customer', 'operator'])
  .default('operator')
  .meta({ description: 'Who the message or change is from (default: the operator)' });
const TicketReply = z.strictObject({ body: z.string().min(1).max(20000), as: actor });
const TicketTransition = z.strictObject({
  status: z.enum(['open', 'answered', 'resolved', 'closed']),
  as: actor,
});
export const TicketParams = PageParams.extend({
  account_id: z.string().optional(),
  status: z.enum(['open', 'answered', 'resolved', 'closed']).optional(),
});

export async function instanceId(
  sctx: ServerContext,
  slug: string,
  field = 'instance',
): Promise<string> {
  const ref = await sctx.store.repos.opsLookups.instanceRef(slug);
  if (!ref || ref.slug !== slug)
    throw new AppError('not_found', `${field}: no instance "${slug}"`, {
      issues: [{ field, message: 'no such instance' }],
    });
  return ref.id;
}
async function account(sctx: ServerContext, id: string): Promise<string> {
  if (!(await sctx.store.repos.opsLookups.accountKind(id))) throw notFound('account');
  return id;
}
const who = (as: 'customer' | 'operator', sub: string | null, clientId: string) => ({
  kind: as,
  id: sub ?? clientId,
});

const I = '/instances/{slug}';

export const operationsRoutes: AnyRoute[] = [
  // ---- notices (G11): see routes-account-operations.ts (members and the operator)

  // ---- agreement versions (G14.2)
  route({
    method: 'get',
    path: '/agreement-versions',
    operationId: 'listAgreementVersions',
    permission: 'platform:operate',
    summary: 'Agreement versions, by effective date',
    tag: 'agreement',
    response: z.object({ items: z.array(VersionOut) }).meta({ id: 'AgreementVersionList' }),
    handler: async ({ sctx }) => ({ items: (await ops(sctx).agreements.list()).map(versionOut) }),
  }),
  route({
    method: 'post',
    path: '/agreement-versions',
    operationId: 'publishAgreementVersion',
    permission: 'platform:operate',
    summary:
      'Publish an agreement version: notices to every active account now; effective ≥ 30 days later (G14.2)',
    tag: 'agreement',
    body: VersionCreate,
    status: 201,
    response: VersionOut,
    errors: [409],
    handler: async ({ sctx, body }) =>
      versionOut(
        await ops(sctx).agreements.publish({
          version: body.version,
          summary: body.summary,
          effectiveAt: new Date(body.effective_at),
        }),
      ),
  }),
  route({
    method: 'get',
    path: '/agreement-versions/{id}/acceptances',
    operationId: 'listAgreementAcceptances',
    permission: 'platform:operate',
    summary: 'Acceptances of a version (explicit, or by continued use from its effective date)',
    tag: 'agreement',
    response: z.object({ items: z.array(AcceptanceOut) }).meta({ id: 'AgreementAcceptanceList' }),
    handler: async ({ sctx, param }) => {
      await ops(sctx).agreements.get(param('id'));
      return { items: (await ops(sctx).agreements.acceptances(param('id'))).map(acceptanceOut) };
    },
  }),
  route({
    method: 'post',
    path: '/agreement-versions/{id}/acceptances',
    operationId: 'acceptAgreementVersion',
    permission: 'platform:operate',
    summary: 'Record the explicit acceptance of a version by an account',
    tag: 'agreement',
    body: z.strictObject({ account_id: z.string().min(1) }),
    status: 201,
    response: AcceptanceOut,
    handler: async ({ sctx, param, body }) =>
      acceptanceOut(await ops(sctx).agreements.accept(param('id'), body.account_id)),
  }),

  // ---- usage (metering)
  route({
    method: 'get',
    path: `${I}/usage/hours`,
    operationId: 'getUsageHours',
    permission: 'instance:read',
    summary: 'Authentications and newly active users per hour (UTC hours in [from, to))',
    tag: 'usage',
    query: PageParams.extend({ from: timestamp, to: timestamp }),
    response: UsageHours,
    handler: async ({ sctx, param, query }) => {
      const slug = param('slug');
      const id = await instanceId(sctx, slug, 'slug');
      const from = new Date(query.from);
      const to = new Date(query.to);
      if (!(to > from) || to.getTime() - from.getTime() > 93 * 86_400_000)
        throw new AppError('validation_failed', 'to: must be after from, at most 93 days later', {
          issues: [{ field: 'to', message: 'must be after from, at most 93 days later' }],
        });
      await sctx.business.operations.flush();
      // the cursor is the hour to continue from (opaque to clients)
      const after = query.cursor
        ? new Date(Buffer.from(query.cursor, 'base64url').toString())
        : null;
      const all = await sctx.store.repos.metering.hours(
        id,
        after && after > from && !Number.isNaN(after.getTime()) ? after : from,
        to,
      );
      const rows = all.slice(0, query.limit);
      const more = all.length > query.limit;
      return {
        instance: slug,
        next_cursor: more
          ? Buffer.from(all[query.limit]!.hourStart.toISOString()).toString('base64url')
          : null,
        items: rows.map((h) => ({
          hour_start: h.hourStart.toISOString(),
          authentications: h.authentications,
          new_active_users: h.newActiveUsers,
        })),
      };
    },
  }),
  route({
    method: 'get',
    path: `${I}/usage/months/{month}`,
    operationId: 'getUsageMonth',
    permission: 'instance:read',
    summary: 'Monthly active users and authentications of a calendar month (Asia/Shanghai)',
    tag: 'usage',
    response: UsageMonth,
    errors: [400],
    handler: async ({ sctx, param }) => {
      const slug = param('slug');
      const id = await instanceId(sctx, slug, 'slug');
      const m = param('month');
      const { start, end } = monthRange(m);
      await sctx.business.operations.flush();
      const hours = await sctx.store.repos.metering.hours(id, start, end);
      return {
        instance: slug,
        month: m,
        monthly_active_users: await sctx.store.repos.metering.monthlyActiveUsers(id, m),
        authentications: hours.reduce((s, h) => s + h.authentications, 0),
      };
    },
  }),

  // ---- SLA (SLA1–SLA3, G10.3, G10.4)
  route({
    method: 'get',
    path: `${I}/sla/{month}`,
    operationId: 'getSlaReport',
    permission: 'instance:read',
    summary: 'Monthly availability, credit, claim window and the 72-hour termination right',
    tag: 'sla',
    response: SlaReportOut,
    errors: [400],
    handler: async ({ sctx, param }) => {
      const slug = param('slug');
      const id = await instanceId(sctx, slug, 'slug');
      await sctx.business.operations.flush();
      return reportOut(slug, await ops(sctx).sla.report(id, param('month')));
    },
  }),
  route({
    method: 'post',
    path: `${I}/sla/claims`,
    operationId: 'claimSlaCredit',
    permission: 'instance:write',
    summary: 'Claim the SLA credit of a month (within the claim window); issued as vouchers',
    tag: 'sla',
    body: z.strictObject({ month }),
    status: 201,
    response: ClaimOut,
    errors: [409],
    handler: async ({ sctx, param, body }) => {
      const id = await instanceId(sctx, param('slug'), 'slug');
      await sctx.business.operations.flush();
      return claimOut(await ops(sctx).sla.claim(id, body.month));
    },
  }),
  route({
    method: 'get',
    path: '/maintenance-windows',
    operationId: 'listMaintenanceWindows',
    permission: 'platform:operate',
    summary: 'Announced maintenance windows overlapping [from, to) (default: the coming 90 days)',
    tag: 'sla',
    query: MaintParams,
    response: z.object({ items: z.array(MaintOut) }).meta({ id: 'MaintenanceWindowList' }),
    handler: async ({ sctx, query }) => {
      const now = sctx.clock.now();
      const from = query.from ? new Date(query.from) : now;
      const to = query.to ? new Date(query.to) : new Date(now.getTime() + 90 * 86_400_000);
      const inst = query.instance ? await instanceId(sctx, query.instance) : null;
      return {
        items: (await ops(sctx).sla.listMaintenance(inst, from, to)).map(maintOut),
      };
    },
  }),
  route({
    method: 'post',
    path: '/maintenance-windows',
    operationId: 'createMaintenanceWindow',
    permission: 'platform:operate',
    summary: 'Announce a maintenance window (excluded from availability, G10.3)',
    tag: 'sla',
    body: MaintCreate,
    status: 201,
    response: MaintOut,
    handler: async ({ sctx, body }) =>
      maintOut(
        await ops(sctx).sla.addMaintenance({
          instanceId: body.instance ? await instanceId(sctx, body.instance) : null,
          startsAt: new Date(body.starts_at),
          endsAt: new Date(body.ends_at),
          description: body.description,
        }),
      ),
  }),
  route({
    method: 'get',
    path: '/maintenance-windows/{id}',
    operationId: 'getMaintenanceWindow',
    permission: 'platform:operate',
    summary: 'Get a maintenance window',
    tag: 'sla',
    response: MaintOut,
    handler: async ({ sctx, param }) => maintOut(await ops(sctx).sla.getMaintenance(param('id'))),
  }),
  route({
    method: 'patch',
    path: '/maintenance-windows/{id}',
    operationId: 'updateMaintenanceWindow',
    permission: 'platform:operate',
    summary: 'Change a maintenance window that has not started (re-announced now)',
    tag: 'sla',
    body: MaintUpdate,
    response: MaintOut,
    errors: [409],
    handler: async ({ sctx, param, body }) =>
      maintOut(
        await ops(sctx).sla.updateMaintenance(param('id'), {
          ...(body.starts_at ? { startsAt: new Date(body.starts_at) } : {}),
          ...(body.ends_at ? { endsAt: new Date(body.ends_at) } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
        }),
      ),
  }),
  route({
    method: 'delete',
    path: '/maintenance-windows/{id}',
    operationId: 'deleteMaintenanceWindow',
    permission: 'platform:operate',
    summary: 'Withdraw a maintenance window',
    tag: 'sla',
    status: 204,
    handler: async ({ sctx, param }) => {
      await ops(sctx).sla.deleteMaintenance(param('id'));
    },
  }),

  // ---- support tickets (G5.2)
  route({
    method: 'post',
    path: '/tickets',
    operationId: 'openTicket',
    permission: 'platform:operate',
    summary: 'Open a consultation or fault ticket for an account (and instance)',
    tag: 'tickets',
    body: TicketCreate,
    status: 201,
    response: TicketOut,
    handler: async ({ sctx, body, admin }) => {
      const acct = await account(sctx, body.account_id);
      const t = await ops(sctx).tickets.open({
        accountId: acct,
        instanceId: body.instance ? await instanceId(sctx, body.instance) : null,
        kind: body.kind,
        severity: body.severity,
        subject: body.subject,
        body: body.body,
        openedBy: admin.sub ?? admin.clientId,
      });
      return ticketOut(t, t.createdAt);
    },
  }),
  route({
    method: 'get',
    path: '/tickets',
    operationId: 'listTickets',
    permission: 'platform:operate',
    summary: 'List tickets, newest first',
    tag: 'tickets',
    query: TicketParams,
    response: TicketPage,
    handler: async ({ sctx, query }) => {
      const p = await ops(sctx).tickets.list({
        limit: query.limit,
        cursor: query.cursor ?? null,
        ...(query.account_id ? { accountId: query.account_id } : {}),
        ...(query.status ? { status: query.status } : {}),
      });
      const now = sctx.clock.now();
      return { items: p.items.map((t) => ticketOut(t, now)), next_cursor: p.next };
    },
  }),
  route({
    method: 'get',
    path: '/ticket-breaches',
    operationId: 'listTicketBreaches',
    permission: 'platform:operate',
    summary: 'Tickets whose first response missed its target (or is overdue now)',
    tag: 'tickets',
    response: z.object({ items: z.array(TicketOut) }).meta({ id: 'TicketBreachList' }),
    handler: async ({ sctx }) => {
      const now = sctx.clock.now();
      return { items: (await ops(sctx).tickets.breaches(now)).map((t) => ticketOut(t, now)) };
    },
  }),
  route({
    method: 'get',
    path: '/tickets/{id}',
    operationId: 'getTicket',
    permission: 'platform:operate',
    summary: 'Get a ticket with its messages',
    tag: 'tickets',
    response: TicketWithMessages,
    handler: async ({ sctx, param }) => {
      const { ticket, messages } = await ops(sctx).tickets.get(param('id'));
      return { ...ticketOut(ticket, sctx.clock.now()), messages: messages.map(messageOut) };
    },
  }),
  route({
    method: 'post',
    path: '/tickets/{id}/messages',
    operationId: 'replyTicket',
    permission: 'platform:operate',
    summary: 'Reply on a ticket (an operator reply answers it; the first is the first response)',
    tag: 'tickets',
    body: TicketReply,
    status: 201,
    response: TicketWithMessages,
    errors: [409],
    handler: async ({ sctx, param, body, admin }) => {
      await ops(sctx).tickets.reply(
        param('id'),
        who(body.as, admin.sub, admin.clientId),
        body.body,
      );
      const { ticket, messages } = await ops(sctx).tickets.get(param('id'));
      return { ...ticketOut(ticket, sctx.clock.now()), messages: messages.map(messageOut) };
    },
  }),
  route({
    method: 'post',
    path: '/tickets/{id}/status',
    operationId: 'transitionTicket',
    permission: 'platform:operate',
    summary: 'Change a ticket status: open → answered → resolved → closed (others 409)',
    tag: 'tickets',
    body: TicketTransition,
    response: TicketOut,
    errors: [409],
    handler: async ({ sctx, param, body, admin }) => {
      const t = await ops(sctx).tickets.transition(
        param('id'),
        who(body.as, admin.sub, admin.clientId),
        body.status,
      );
      return ticketOut(t, t.updatedAt);
    },
  }),
];
