// Commerce storage: accounts' billing columns, contacts, members, plans, orders,
// payments, the ledger (cash and vouchers apart), invoices, resource packages, settlements.
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type {
  AccountBilling,
  AccountMember,
  CommerceRepos,
  Invoice,
  LedgerEntry,
  Order,
  Payment,
  Plan,
  ResourcePackageRow,
  SettlementRow,
} from '@idaas/core';
import type {
  AccountsTable,
  Database,
  LedgerEntriesTable,
  OrdersTable,
  PlansTable,
  ResourcePackagesTable,
  SettlementsTable,
} from '../schema.ts';

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
const date = (s: string): Date => new Date(s);
const dateOrNull = (s: string | null): Date | null => (s ? new Date(s) : null);
const json = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));
const cursorOf = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');
const fromCursor = (c: string | null): string | null =>
  c ? Buffer.from(c, 'base64url').toString('utf8') : null;

const toAccount = (r: Selectable<AccountsTable>): AccountBilling => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  ownerEmail: r.owner_email,
  clockId: r.clock_id,
  status: r.status,
  overdueSince: dateOrNull(r.overdue_since),
  createdAt: date(r.created_at),
});

const toPlan = (r: Selectable<PlansTable>): Plan => ({
  id: r.id,
  code: r.code,
  name: r.name,
  billing: r.billing as Plan['billing'],
  period: r.period as Plan['period'],
  priceFen: Number(r.price_fen),
  currency: 'CNY',
  policy: r.policy,
  unitPrices: json(r.unit_prices),
  packageQuantity: json(r.package_quantity),
  packageDays: r.package_days,
  sla: Boolean(r.sla),
  active: Boolean(r.active),
  createdAt: date(r.created_at),
});

const toOrder = (r: Selectable<OrdersTable>): Order => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind as Order['kind'],
  planId: r.plan_id,
  instanceId: r.instance_id,
  instanceSlug: r.instance_slug,
  status: r.status as Order['status'],
  amountFen: Number(r.amount_fen),
  createdAt: date(r.created_at),
  holdUntil: date(r.hold_until),
  paidAt: dateOrNull(r.paid_at),
  voidedAt: dateOrNull(r.voided_at),
  termStart: dateOrNull(r.term_start),
  termEnd: dateOrNull(r.term_end),
  actorUserId: r.actor_user_id,
});

const toEntry = (r: Selectable<LedgerEntriesTable>): LedgerEntry => ({
  id: r.id,
  accountId: r.account_id,
  kind: r.kind as LedgerEntry['kind'],
  amountFen: Number(r.amount_fen),
  reason: r.reason,
  instanceId: r.instance_id,
  refType: r.ref_type,
  refId: r.ref_id,
  idempotencyKey: r.idempotency_key,
  createdAt: date(r.created_at),
  voucherExpiresAt: dateOrNull(r.voucher_expires_at),
  actorUserId: r.actor_user_id,
});

const toPackage = (r: Selectable<ResourcePackagesTable>): ResourcePackageRow => ({
  id: r.id,
  accountId: r.account_id,
  instanceId: r.instance_id,
  planId: r.plan_id,
  unit: r.unit,
  quantity: Number(r.quantity),
  remaining: Number(r.remaining),
  startsAt: date(r.starts_at),
  expiresAt: date(r.expires_at),
  createdAt: date(r.created_at),
});

const toSettlement = (r: Selectable<SettlementsTable>): SettlementRow => ({
  instanceId: r.instance_id,
  hourStart: date(r.hour_start),
  accountId: r.account_id,
  amountFen: Number(r.amount_fen),
  detail: JSON.parse(r.detail) as Record<string, unknown>,
  createdAt: date(r.created_at),
});

const toPayment = (r: Selectable<Database['payments']>): Payment => ({
  id: r.id,
  accountId: r.account_id,
  provider: r.provider,
  reference: r.reference,
  amountFen: Number(r.amount_fen),
  status: 'settled',
  createdAt: date(r.created_at),
  settledAt: dateOrNull(r.settled_at),
  actorUserId: r.actor_user_id,
});

const toInvoice = (r: Selectable<Database['invoices']>): Invoice => ({
  id: r.id,
  accountId: r.account_id,
  number: r.number,
  periodStart: date(r.period_start),
  periodEnd: date(r.period_end),
  amountFen: Number(r.amount_fen),
  lines: JSON.parse(r.lines) as Invoice['lines'],
  status: r.status as Invoice['status'],
  issuedAt: date(r.issued_at),
  dueAt: date(r.due_at),
  paidAt: dateOrNull(r.paid_at),
});

const toMember = (r: Selectable<Database['account_members']>): AccountMember => ({
  accountId: r.account_id,
  userId: r.user_id,
  role: r.role as AccountMember['role'],
  permissions: json(r.permissions),
  createdAt: date(r.created_at),
});

export function makeCommerceRepos(db: Kysely<Database>): CommerceRepos {
  return {
    commerceAccounts: {
      async get(id) {
        const r = await db
          .selectFrom('accounts')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toAccount(r) : null;
      },
      async list(q) {
        const after = fromCursor(q.cursor);
        let query = db
          .selectFrom('accounts')
          .selectAll()
          .where('kind', '=', 'customer')
          .orderBy('id')
          .limit(q.limit + 1);
        if (after) query = query.where('id', '>', after);
        const rows = (await query.execute()).map(toAccount);
        const more = rows.length > q.limit;
        const items = more ? rows.slice(0, q.limit) : rows;
        return { items, next: more ? cursorOf(items[items.length - 1]!.id) : null };
      },
      async setOverdueSince(id, at) {
        await db
          .updateTable('accounts')
          .set({ overdue_since: isoOrNull(at) })
          .where('id', '=', id)
          .execute();
      },
      async idsOnClock(clockId) {
        const rows = await db
          .selectFrom('accounts')
          .select('id')
          .where('kind', '=', 'customer')
          .where('clock_id', clockId === null ? 'is' : '=', clockId)
          .orderBy('id')
          .execute();
        return rows.map((r) => r.id);
      },
    },

    accountContacts: {
      async get(accountId) {
        const r = await db
          .selectFrom('account_contacts')
          .selectAll()
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        return r
          ? {
              accountId: r.account_id,
              email: r.email,
              phone: r.phone,
              postalAddress: r.postal_address,
              locale: r.locale,
              updatedAt: date(r.updated_at),
            }
          : null;
      },
      async upsert(c) {
        const v = {
          email: c.email,
          phone: c.phone,
          postal_address: c.postalAddress,
          locale: c.locale,
          updated_at: iso(c.updatedAt),
        };
        await db
          .insertInto('account_contacts')
          .values({ account_id: c.accountId, ...v })
          .onConflict((oc) => oc.column('account_id').doUpdateSet(v))
          .execute();
      },
    },

    accountMembers: {
      async get(accountId, userId) {
        const r = await db
          .selectFrom('account_members')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return r ? toMember(r) : null;
      },
      async list(accountId) {
        const rows = await db
          .selectFrom('account_members')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .orderBy('user_id')
          .execute();
        return rows.map(toMember);
      },
      async upsert(m) {
        const v = {
          role: m.role,
          permissions: m.permissions === null ? null : JSON.stringify(m.permissions),
        };
        await db
          .insertInto('account_members')
          .values({
            account_id: m.accountId,
            user_id: m.userId,
            created_at: iso(m.createdAt),
            ...v,
          })
          .onConflict((oc) => oc.columns(['account_id', 'user_id']).doUpdateSet(v))
          .execute();
      },
      async delete(accountId, userId) {
        const r = await db
          .deleteFrom('account_members')
          .where('account_id', '=', accountId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async accountsOf(userId) {
        const rows = await db
          .selectFrom('account_members')
          .selectAll()
          .where('user_id', '=', userId)
          .execute();
        return rows.map(toMember);
      },
    },

    plans: {
      async insert(p) {
        await db
          .insertInto('plans')
          .values({
            id: p.id,
            code: p.code,
            name: p.name,
            billing: p.billing,
            period: p.period,
            price_fen: p.priceFen,
            currency: p.currency,
            policy: p.policy,
            unit_prices: p.unitPrices ? JSON.stringify(p.unitPrices) : null,
            package_quantity: p.packageQuantity ? JSON.stringify(p.packageQuantity) : null,
            package_days: p.packageDays,
            sla: p.sla ? 1 : 0,
            active: p.active ? 1 : 0,
            created_at: iso(p.createdAt),
          })
          .execute();
      },
      async get(id) {
        const r = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toPlan(r) : null;
      },
      async getByCode(code) {
        const r = await db
          .selectFrom('plans')
          .selectAll()
          .where('code', '=', code)
          .executeTakeFirst();
        return r ? toPlan(r) : null;
      },
      async list() {
        return (
          await db.selectFrom('plans').selectAll().orderBy('created_at').orderBy('code').execute()
        ).map(toPlan);
      },
      async update(id, patch) {
        const set: Updateable<PlansTable> = {};
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.priceFen !== undefined) set.price_fen = patch.priceFen;
        if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
        if (patch.sla !== undefined) set.sla = patch.sla ? 1 : 0;
        if (patch.unitPrices !== undefined)
          set.unit_prices = patch.unitPrices ? JSON.stringify(patch.unitPrices) : null;
        if (Object.keys(set).length === 0) return;
        await db.updateTable('plans').set(set).where('id', '=', id).execute();
      },
    },

    orders: {
      async insert(o) {
        await db
          .insertInto('orders')
          .values({
            id: o.id,
            account_id: o.accountId,
            kind: o.kind,
            plan_id: o.planId,
            instance_id: o.instanceId,
            instance_slug: o.instanceSlug,
            status: o.status,
            amount_fen: o.amountFen,
            created_at: iso(o.createdAt),
            hold_until: iso(o.holdUntil),
            paid_at: isoOrNull(o.paidAt),
            voided_at: isoOrNull(o.voidedAt),
            term_start: isoOrNull(o.termStart),
            term_end: isoOrNull(o.termEnd),
            actor_user_id: o.actorUserId,
          })
          .execute();
      },
      async get(id) {
        const r = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toOrder(r) : null;
      },
      async listByAccount(accountId, q) {
        const after = fromCursor(q.cursor);
        let query = db
          .selectFrom('orders')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('id')
          .limit(q.limit + 1);
        if (after) query = query.where('id', '>', after);
        const rows = (await query.execute()).map(toOrder);
        const more = rows.length > q.limit;
        const items = more ? rows.slice(0, q.limit) : rows;
        return { items, next: more ? cursorOf(items[items.length - 1]!.id) : null };
      },
      async pendingOf(accountId) {
        const rows = await db
          .selectFrom('orders')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('status', '=', 'pending')
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(toOrder);
      },
      async pendingForInstance(instanceId) {
        const rows = await db
          .selectFrom('orders')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('status', '=', 'pending')
          .orderBy('id')
          .execute();
        return rows.map(toOrder);
      },
      async currentOf(instanceId) {
        const r = await db
          .selectFrom('orders')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('status', '=', 'paid')
          .where('kind', '!=', 'package')
          .orderBy('paid_at', 'desc')
          .orderBy('id', 'desc')
          .executeTakeFirst();
        return r ? toOrder(r) : null;
      },
      async markPaid(id, at, term) {
        const r = await db
          .updateTable('orders')
          .set({
            status: 'paid',
            paid_at: iso(at),
            term_start: isoOrNull(term.start),
            term_end: isoOrNull(term.end),
          })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async markVoid(id, at) {
        const r = await db
          .updateTable('orders')
          .set({ status: 'void', voided_at: iso(at) })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async markRefunded(id, termEnd) {
        const r = await db
          .updateTable('orders')
          .set({ status: 'refunded', term_end: iso(termEnd) })
          .where('id', '=', id)
          .where('status', '=', 'paid')
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      },
      async instanceIdsOf(accountId) {
        const rows = await db
          .selectFrom('orders')
          .select('instance_id')
          .distinct()
          .where('account_id', '=', accountId)
          .where('instance_id', 'is not', null)
          .execute();
        return rows.map((r) => r.instance_id!).sort();
      },
      async postpaidInstancesOnClock(clockId) {
        const rows = await db
          .selectFrom('orders')
          .innerJoin('plans', 'plans.id', 'orders.plan_id')
          .innerJoin('accounts', 'accounts.id', 'orders.account_id')
          .innerJoin('instances', 'instances.id', 'orders.instance_id')
          .select(['orders.instance_id', 'orders.account_id', 'orders.plan_id'])
          .distinct()
          .where('plans.billing', '=', 'postpaid')
          .where('orders.status', '=', 'paid')
          .where('instances.state', 'not in', ['released', 'void', 'terminated'])
          .where('accounts.clock_id', clockId === null ? 'is' : '=', clockId)
          .orderBy('orders.instance_id')
          .execute();
        return rows.map((r) => ({
          instanceId: r.instance_id!,
          accountId: r.account_id,
          planId: r.plan_id,
        }));
      },
    },

    payments: {
      async insert(p) {
        await db
          .insertInto('payments')
          .values({
            id: p.id,
            account_id: p.accountId,
            provider: p.provider,
            reference: p.reference,
            amount_fen: p.amountFen,
            status: p.status,
            created_at: iso(p.createdAt),
            settled_at: isoOrNull(p.settledAt),
            actor_user_id: p.actorUserId,
          })
          .execute();
      },
      async getByReference(provider, reference) {
        const r = await db
          .selectFrom('payments')
          .selectAll()
          .where('provider', '=', provider)
          .where('reference', '=', reference)
          .executeTakeFirst();
        return r ? toPayment(r) : null;
      },
      async listByAccount(accountId) {
        const rows = await db
          .selectFrom('payments')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(toPayment);
      },
    },

    ledger: {
      async insert(e) {
        await db
          .insertInto('ledger_entries')
          .values({
            id: e.id,
            account_id: e.accountId,
            kind: e.kind,
            amount_fen: e.amountFen,
            reason: e.reason,
            instance_id: e.instanceId,
            ref_type: e.refType,
            ref_id: e.refId,
            idempotency_key: e.idempotencyKey,
            created_at: iso(e.createdAt),
            voucher_expires_at: isoOrNull(e.voucherExpiresAt),
            actor_user_id: e.actorUserId,
          })
          .execute();
      },
      async getByKey(key) {
        const r = await db
          .selectFrom('ledger_entries')
          .selectAll()
          .where('idempotency_key', '=', key)
          .executeTakeFirst();
        return r ? toEntry(r) : null;
      },
      async cashBalance(accountId, excludeReasons = []) {
        let q = db
          .selectFrom('ledger_entries')
          .select(sql<string | number | null>`sum(amount_fen)`.as('total'))
          .where('account_id', '=', accountId)
          .where('kind', '=', 'cash');
        if (excludeReasons.length) q = q.where('reason', 'not in', excludeReasons);
        const r = await q.executeTakeFirst();
        return Number(r?.total ?? 0);
      },
      async voucherLots(accountId) {
        const rows = await db
          .selectFrom('ledger_entries')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('kind', '=', 'voucher')
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        const lots = new Map<string, { entry: LedgerEntry; remainingFen: number }>();
        for (const r of rows)
          if (Number(r.amount_fen) > 0)
            lots.set(r.id, { entry: toEntry(r), remainingFen: Number(r.amount_fen) });
        for (const r of rows) {
          if (Number(r.amount_fen) >= 0 || !r.ref_id) continue;
          const lot = lots.get(r.ref_id);
          if (lot) lot.remainingFen += Number(r.amount_fen);
        }
        return [...lots.values()];
      },
      async list(accountId, q) {
        let query = db
          .selectFrom('ledger_entries')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .orderBy('id');
        if (q.from) query = query.where('created_at', '>=', iso(q.from));
        if (q.to) query = query.where('created_at', '<', iso(q.to));
        return (await query.execute()).map(toEntry);
      },
      async debitsFor(instanceId, reasons, from, to) {
        if (!reasons.length) return 0;
        const r = await db
          .selectFrom('ledger_entries')
          .select(sql<string | number | null>`sum(amount_fen)`.as('total'))
          .where('instance_id', '=', instanceId)
          .where('reason', 'in', reasons)
          .where('amount_fen', '<', 0)
          .where('created_at', '>=', iso(from))
          .where('created_at', '<', iso(to))
          .executeTakeFirst();
        return -Number(r?.total ?? 0);
      },
      async entriesByRef(refType, refId) {
        const rows = await db
          .selectFrom('ledger_entries')
          .selectAll()
          .where('ref_type', '=', refType)
          .where('ref_id', '=', refId)
          .orderBy('id')
          .execute();
        return rows.map(toEntry);
      },
    },

    invoices: {
      async insert(i) {
        await db
          .insertInto('invoices')
          .values({
            id: i.id,
            account_id: i.accountId,
            number: i.number,
            period_start: iso(i.periodStart),
            period_end: iso(i.periodEnd),
            amount_fen: i.amountFen,
            lines: JSON.stringify(i.lines),
            status: i.status,
            issued_at: iso(i.issuedAt),
            due_at: iso(i.dueAt),
            paid_at: isoOrNull(i.paidAt),
          })
          .execute();
      },
      async getByNumber(number) {
        const r = await db
          .selectFrom('invoices')
          .selectAll()
          .where('number', '=', number)
          .executeTakeFirst();
        return r ? toInvoice(r) : null;
      },
      async listByAccount(accountId) {
        const rows = await db
          .selectFrom('invoices')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('period_start')
          .execute();
        return rows.map(toInvoice);
      },
    },

    packages: {
      async insert(p) {
        await db
          .insertInto('resource_packages')
          .values({
            id: p.id,
            account_id: p.accountId,
            instance_id: p.instanceId,
            plan_id: p.planId,
            unit: p.unit,
            quantity: p.quantity,
            remaining: p.remaining,
            starts_at: iso(p.startsAt),
            expires_at: iso(p.expiresAt),
            created_at: iso(p.createdAt),
          })
          .execute();
      },
      async usable(accountId, instanceId, unit) {
        const rows = await db
          .selectFrom('resource_packages')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('unit', '=', unit)
          .where('remaining', '>', 0)
          .where((eb) => eb.or([eb('instance_id', '=', instanceId), eb('instance_id', 'is', null)]))
          .orderBy('expires_at')
          .orderBy('id')
          .execute();
        return rows.map(toPackage);
      },
      async listByAccount(accountId) {
        const rows = await db
          .selectFrom('resource_packages')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('expires_at')
          .orderBy('id')
          .execute();
        return rows.map(toPackage);
      },
      async setRemaining(id, remaining) {
        await db.updateTable('resource_packages').set({ remaining }).where('id', '=', id).execute();
      },
    },

    settlements: {
      async tryInsert(s) {
        const r = await db
          .insertInto('settlements')
          .values({
            instance_id: s.instanceId,
            hour_start: iso(s.hourStart),
            account_id: s.accountId,
            amount_fen: s.amountFen,
            detail: JSON.stringify(s.detail),
            created_at: iso(s.createdAt),
          })
          .onConflict((oc) => oc.columns(['instance_id', 'hour_start']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
      },
      async get(instanceId, hourStart) {
        const r = await db
          .selectFrom('settlements')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('hour_start', '=', iso(hourStart))
          .executeTakeFirst();
        return r ? toSettlement(r) : null;
      },
      async update(instanceId, hourStart, amountFen, detail) {
        await db
          .updateTable('settlements')
          .set({ amount_fen: amountFen, detail: JSON.stringify(detail) })
          .where('instance_id', '=', instanceId)
          .where('hour_start', '=', iso(hourStart))
          .execute();
      },
      async listByInstance(instanceId) {
        const rows = await db
          .selectFrom('settlements')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('hour_start')
          .execute();
        return rows.map(toSettlement);
      },
    },
  };
}
