// The storage ports of operations (notices, agreement versions, metering, SLA,
// tickets) and its reads of other modules' tables, with Kysely on both dialects.
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  AgreementAcceptance,
  AgreementVersion,
  MaintenanceWindow,
  NoticeRecord,
  OperationsRepos,
  SlaClaim,
  Ticket,
  TicketMessage,
} from '@idaas/core';
import type { Database } from '../schema.ts';

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
const date = (s: string): Date => new Date(s);
const dateOrNull = (s: string | null): Date | null => (s ? new Date(s) : null);
const cursorOf = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
const idOf = (c: string | null) => (c ? Buffer.from(c, 'base64url').toString('utf8') : null);

const toNotice = (r: Selectable<Database['notices']>): NoticeRecord => ({
  id: r.id,
  accountId: r.account_id,
  instanceId: r.instance_id,
  channel: r.channel as NoticeRecord['channel'],
  address: r.address,
  template: r.template,
  locale: r.locale as NoticeRecord['locale'],
  subject: r.subject,
  body: r.body,
  clause: r.clause,
  status: r.status as NoticeRecord['status'],
  createdAt: date(r.created_at),
  sentAt: dateOrNull(r.sent_at),
  deliveredAt: dateOrNull(r.delivered_at),
  readAt: dateOrNull(r.read_at),
  error: r.error,
  dedupeKey: r.dedupe_key,
  transport: r.transport,
  attempts: Number(r.attempts),
});

const toVersion = (r: Selectable<Database['agreement_versions']>): AgreementVersion => ({
  id: r.id,
  version: r.version,
  summary: r.summary,
  publishedAt: date(r.published_at),
  effectiveAt: date(r.effective_at),
});
const toAcceptance = (r: Selectable<Database['agreement_acceptances']>): AgreementAcceptance => ({
  accountId: r.account_id,
  versionId: r.version_id,
  acceptedAt: date(r.accepted_at),
  how: r.how as AgreementAcceptance['how'],
});
const toMaint = (r: Selectable<Database['maintenance_windows']>): MaintenanceWindow => ({
  id: r.id,
  instanceId: r.instance_id,
  startsAt: date(r.starts_at),
  endsAt: date(r.ends_at),
  description: r.description,
  announcedAt: date(r.announced_at),
});
const toClaim = (r: Selectable<Database['sla_claims']>): SlaClaim => ({
  id: r.id,
  accountId: r.account_id,
  instanceId: r.instance_id,
  month: r.month,
  availability: r.availability,
  creditFen: Number(r.credit_fen),
  status: r.status as SlaClaim['status'],
  createdAt: date(r.created_at),
});
const toTicket = (r: Selectable<Database['tickets']>): Ticket => ({
  id: r.id,
  accountId: r.account_id,
  instanceId: r.instance_id,
  kind: r.kind as Ticket['kind'],
  severity: Number(r.severity) as Ticket['severity'],
  status: r.status as Ticket['status'],
  subject: r.subject,
  createdAt: date(r.created_at),
  updatedAt: date(r.updated_at),
  firstResponseAt: dateOrNull(r.first_response_at),
  responseDueAt: date(r.response_due_at),
  openedBy: r.opened_by,
});
const toMessage = (r: Selectable<Database['ticket_messages']>): TicketMessage => ({
  id: r.id,
  ticketId: r.ticket_id,
  authorKind: r.author_kind as TicketMessage['authorKind'],
  authorId: r.author_id,
  body: r.body,
  createdAt: date(r.created_at),
});

export function makeOperationsRepos(db: Kysely<Database>): OperationsRepos {
  return {
    notices: {
      async insertMany(rows) {
        const out: NoticeRecord[] = [];
        for (const n of rows) {
          const r = await db
            .insertInto('notices')
            .values({
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
              created_at: iso(n.createdAt),
              sent_at: isoOrNull(n.sentAt),
              delivered_at: isoOrNull(n.deliveredAt),
              read_at: isoOrNull(n.readAt),
              error: n.error,
              dedupe_key: n.dedupeKey,
              transport: n.transport,
              attempts: n.attempts,
            })
            .onConflict((oc) => oc.column('dedupe_key').doNothing())
            .returning('id')
            .executeTakeFirst();
          if (r) out.push(n);
        }
        return out;
      },
      async get(id) {
        const r = await db
          .selectFrom('notices')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toNotice(r) : null;
      },
      async markSent(id, s) {
        const r = await db
          .updateTable('notices')
          .set({
            status: s.status,
            sent_at: iso(s.sentAt),
            delivered_at: iso(s.deliveredAt),
            transport: s.transport,
            error: s.note,
            attempts: sql<number>`attempts + 1`,
          })
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async recordFailure(id, error) {
        await db
          .updateTable('notices')
          .set({ error, attempts: sql<number>`attempts + 1` })
          .where('id', '=', id)
          .execute();
        const r = await db
          .selectFrom('notices')
          .select('attempts')
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r?.attempts ?? 0);
      },
      async markFailed(id, error) {
        await db
          .updateTable('notices')
          .set({ status: 'failed', error })
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .execute();
      },
      async listByAccount(accountId, q) {
        let query = db
          .selectFrom('notices')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('id', 'desc')
          .limit(q.limit + 1);
        if (q.channel) query = query.where('channel', '=', q.channel);
        if (q.unread) query = query.where('read_at', 'is', null);
        const after = idOf(q.cursor);
        if (after) query = query.where('id', '<', after);
        const rows = (await query.execute()).map(toNotice);
        const more = rows.length > q.limit;
        const items = more ? rows.slice(0, q.limit) : rows;
        return { items, next: more ? cursorOf(items[items.length - 1]!.id) : null };
      },
      async markRead(accountId, id, at) {
        const r = await db
          .updateTable('notices')
          .set({ read_at: iso(at) })
          .where('id', '=', id)
          .where('account_id', '=', accountId)
          .where('read_at', 'is', null)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
    },

    agreementVersions: {
      async insert(v) {
        await db
          .insertInto('agreement_versions')
          .values({
            id: v.id,
            version: v.version,
            summary: v.summary,
            published_at: iso(v.publishedAt),
            effective_at: iso(v.effectiveAt),
          })
          .execute();
      },
      async get(id) {
        const r = await db
          .selectFrom('agreement_versions')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toVersion(r) : null;
      },
      async list() {
        return (
          await db.selectFrom('agreement_versions').selectAll().orderBy('effective_at').execute()
        ).map(toVersion);
      },
      async accept(a) {
        const r = await db
          .insertInto('agreement_acceptances')
          .values({
            account_id: a.accountId,
            version_id: a.versionId,
            accepted_at: iso(a.acceptedAt),
            how: a.how,
          })
          .onConflict((oc) => oc.columns(['account_id', 'version_id']).doNothing())
          .returning('account_id')
          .executeTakeFirst();
        return r !== undefined;
      },
      async acceptances(versionId) {
        return (
          await db
            .selectFrom('agreement_acceptances')
            .selectAll()
            .where('version_id', '=', versionId)
            .orderBy('account_id')
            .execute()
        ).map(toAcceptance);
      },
      async acceptanceOf(accountId, versionId) {
        const r = await db
          .selectFrom('agreement_acceptances')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('version_id', '=', versionId)
          .executeTakeFirst();
        return r ? toAcceptance(r) : null;
      },
    },

    metering: {
      async addAuthentications(instanceId, hourStart, n) {
        await db
          .insertInto('usage_hourly')
          .values({
            instance_id: instanceId,
            hour_start: iso(hourStart),
            authentications: n,
            new_active_users: 0,
          })
          .onConflict((oc) =>
            oc.columns(['instance_id', 'hour_start']).doUpdateSet({
              authentications: sql<number>`usage_hourly.authentications + ${n}`,
            }),
          )
          .execute();
      },
      async addActiveUsers(instanceId, month, users) {
        const perHour = new Map<string, number>();
        for (const u of users) {
          const r = await db
            .insertInto('monthly_active_users')
            .values({
              instance_id: instanceId,
              month,
              user_ref: u.userRef,
              first_seen_at: iso(u.firstSeenAt),
            })
            .onConflict((oc) => oc.columns(['instance_id', 'month', 'user_ref']).doNothing())
            .returning('user_ref')
            .executeTakeFirst();
          if (!r) continue;
          const h = new Date(Math.floor(u.firstSeenAt.getTime() / 3_600_000) * 3_600_000);
          perHour.set(iso(h), (perHour.get(iso(h)) ?? 0) + 1);
        }
        let added = 0;
        for (const [hour, n] of perHour) {
          added += n;
          await db
            .insertInto('usage_hourly')
            .values({
              instance_id: instanceId,
              hour_start: hour,
              authentications: 0,
              new_active_users: n,
            })
            .onConflict((oc) =>
              oc.columns(['instance_id', 'hour_start']).doUpdateSet({
                new_active_users: sql<number>`usage_hourly.new_active_users + ${n}`,
              }),
            )
            .execute();
        }
        return added;
      },
      async hour(instanceId, hourStart) {
        const r = await db
          .selectFrom('usage_hourly')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('hour_start', '=', iso(hourStart))
          .executeTakeFirst();
        return r
          ? {
              instanceId,
              hourStart: date(r.hour_start),
              authentications: Number(r.authentications),
              newActiveUsers: Number(r.new_active_users),
            }
          : null;
      },
      async hours(instanceId, from, to) {
        const rows = await db
          .selectFrom('usage_hourly')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('hour_start', '>=', iso(from))
          .where('hour_start', '<', iso(to))
          .orderBy('hour_start')
          .execute();
        return rows.map((r) => ({
          instanceId,
          hourStart: date(r.hour_start),
          authentications: Number(r.authentications),
          newActiveUsers: Number(r.new_active_users),
        }));
      },
      async monthlyActiveUsers(instanceId, month) {
        const r = await db
          .selectFrom('monthly_active_users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('instance_id', '=', instanceId)
          .where('month', '=', month)
          .executeTakeFirst();
        return Number(r?.n ?? 0);
      },
    },

    sla: {
      async addWindow(instanceId, windowStart, valid, failed) {
        await db
          .insertInto('sla_windows')
          .values({ instance_id: instanceId, window_start: iso(windowStart), valid, failed })
          .onConflict((oc) =>
            oc.columns(['instance_id', 'window_start']).doUpdateSet({
              valid: sql<number>`sla_windows.valid + ${valid}`,
              failed: sql<number>`sla_windows.failed + ${failed}`,
            }),
          )
          .execute();
      },
      async windows(instanceId, from, to) {
        const rows = await db
          .selectFrom('sla_windows')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('window_start', '>=', iso(from))
          .where('window_start', '<', iso(to))
          .orderBy('window_start')
          .execute();
        return rows.map((r) => ({
          instanceId,
          windowStart: date(r.window_start),
          valid: Number(r.valid),
          failed: Number(r.failed),
        }));
      },
      async insertMaintenance(m) {
        await db
          .insertInto('maintenance_windows')
          .values({
            id: m.id,
            instance_id: m.instanceId,
            starts_at: iso(m.startsAt),
            ends_at: iso(m.endsAt),
            description: m.description,
            announced_at: iso(m.announcedAt),
          })
          .execute();
      },
      async getMaintenance(id) {
        const r = await db
          .selectFrom('maintenance_windows')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toMaint(r) : null;
      },
      async updateMaintenance(m) {
        await db
          .updateTable('maintenance_windows')
          .set({
            starts_at: iso(m.startsAt),
            ends_at: iso(m.endsAt),
            description: m.description,
            announced_at: iso(m.announcedAt),
          })
          .where('id', '=', m.id)
          .execute();
      },
      async deleteMaintenance(id) {
        const r = await db
          .deleteFrom('maintenance_windows')
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async maintenance(instanceId, from, to) {
        let q = db
          .selectFrom('maintenance_windows')
          .selectAll()
          .where('starts_at', '<', iso(to))
          .where('ends_at', '>', iso(from))
          .orderBy('starts_at');
        if (instanceId !== null)
          q = q.where((eb) =>
            eb.or([eb('instance_id', '=', instanceId), eb('instance_id', 'is', null)]),
          );
        return (await q.execute()).map(toMaint);
      },
      async insertClaim(c) {
        await db
          .insertInto('sla_claims')
          .values({
            id: c.id,
            account_id: c.accountId,
            instance_id: c.instanceId,
            month: c.month,
            availability: c.availability,
            credit_fen: c.creditFen,
            status: c.status,
            created_at: iso(c.createdAt),
          })
          .execute();
      },
      async claim(instanceId, month) {
        const r = await db
          .selectFrom('sla_claims')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('month', '=', month)
          .executeTakeFirst();
        return r ? toClaim(r) : null;
      },
      async claims(instanceId) {
        return (
          await db
            .selectFrom('sla_claims')
            .selectAll()
            .where('instance_id', '=', instanceId)
            .orderBy('month')
            .execute()
        ).map(toClaim);
      },
    },

    tickets: {
      async insert(t) {
        await db
          .insertInto('tickets')
          .values({
            id: t.id,
            account_id: t.accountId,
            instance_id: t.instanceId,
            kind: t.kind,
            severity: String(t.severity),
            status: t.status,
            subject: t.subject,
            created_at: iso(t.createdAt),
            updated_at: iso(t.updatedAt),
            first_response_at: isoOrNull(t.firstResponseAt),
            response_due_at: iso(t.responseDueAt),
            opened_by: t.openedBy,
          })
          .execute();
      },
      async get(id) {
        const r = await db
          .selectFrom('tickets')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toTicket(r) : null;
      },
      async update(t, expected) {
        const r = await db
          .updateTable('tickets')
          .set({
            status: t.status,
            updated_at: iso(t.updatedAt),
            first_response_at: isoOrNull(t.firstResponseAt),
          })
          .where('id', '=', t.id)
          .where('status', '=', expected)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async list(q) {
        let query = db
          .selectFrom('tickets')
          .selectAll()
          .orderBy('id', 'desc')
          .limit(q.limit + 1);
        if (q.accountId) query = query.where('account_id', '=', q.accountId);
        if (q.status) query = query.where('status', '=', q.status);
        const after = idOf(q.cursor);
        if (after) query = query.where('id', '<', after);
        const rows = (await query.execute()).map(toTicket);
        const more = rows.length > q.limit;
        const items = more ? rows.slice(0, q.limit) : rows;
        return { items, next: more ? cursorOf(items[items.length - 1]!.id) : null };
      },
      async addMessage(m) {
        await db
          .insertInto('ticket_messages')
          .values({
            id: m.id,
            ticket_id: m.ticketId,
            author_kind: m.authorKind,
            author_id: m.authorId,
            body: m.body,
            created_at: iso(m.createdAt),
          })
          .execute();
      },
      async messages(ticketId) {
        return (
          await db
            .selectFrom('ticket_messages')
            .selectAll()
            .where('ticket_id', '=', ticketId)
            .orderBy('created_at')
            .orderBy('id')
            .execute()
        ).map(toMessage);
      },
      async breaches(at) {
        const rows = await db
          .selectFrom('tickets')
          .selectAll()
          .where((eb) =>
            eb.or([
              eb.and([
                eb('first_response_at', 'is', null),
                eb('response_due_at', '<', iso(at)),
                eb('status', '!=', 'closed'),
              ]),
              eb('first_response_at', '>', eb.ref('response_due_at')),
            ]),
          )
          .orderBy('response_due_at')
          .execute();
        return rows.map(toTicket);
      },
    },

    opsLookups: {
      async contactsOf(accountId) {
        const r = await db
          .selectFrom('account_contacts')
          .selectAll()
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        if (r)
          return {
            email: r.email,
            phone: r.phone,
            postalAddress: r.postal_address,
            locale: r.locale,
          };
        // no contact row yet: the owner's email on the account, the default locale
        const a = await db
          .selectFrom('accounts')
          .select('owner_email')
          .where('id', '=', accountId)
          .executeTakeFirst();
        return a
          ? { email: a.owner_email, phone: null, postalAddress: null, locale: 'zh-CN' }
          : null;
      },
      async accountKind(accountId) {
        const r = await db
          .selectFrom('accounts')
          .select(['kind', 'status', 'clock_id'])
          .where('id', '=', accountId)
          .executeTakeFirst();
        return r ? { kind: r.kind, status: r.status, clockId: r.clock_id } : null;
      },
      async activeCustomerAccounts() {
        const rows = await db
          .selectFrom('accounts')
          .select('id')
          .where('kind', '=', 'customer')
          .where('status', '=', 'active')
          .orderBy('id')
          .execute();
        return rows.map((r) => r.id);
      },
      async operatorAccount() {
        const r = await db
          .selectFrom('accounts')
          .select('id')
          .where('kind', '=', 'operator')
          .orderBy('created_at')
          .executeTakeFirst();
        return r?.id ?? null;
      },
      async lifecycleOf(instanceId) {
        const r = await db
          .selectFrom('lifecycles')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return r
          ? {
              accountId: r.account_id,
              state: r.state,
              engine: r.engine,
              nextDueAt: dateOrNull(r.next_due_at),
              clockId: r.clock_id,
            }
          : null;
      },
      async planOf(instanceId) {
        const r = await db
          .selectFrom('orders')
          .innerJoin('plans', 'plans.id', 'orders.plan_id')
          .select(['plans.code', 'plans.billing', 'plans.sla'])
          .where('orders.instance_id', '=', instanceId)
          .where('orders.status', '=', 'paid')
          .orderBy('orders.created_at', 'desc')
          .executeTakeFirst();
        return r ? { code: r.code, billing: r.billing, sla: Boolean(Number(r.sla)) } : null;
      },
      async instanceRef(idOrSlug) {
        const r = await db
          .selectFrom('instances')
          .select(['id', 'slug', 'account_id'])
          .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
          .executeTakeFirst();
        return r ? { id: r.id, slug: r.slug, accountId: r.account_id } : null;
      },
    },
  };
}
