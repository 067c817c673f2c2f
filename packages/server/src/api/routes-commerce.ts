// Admin API routes of the commerce module: accounts (contacts, members and sub-accounts),
// plans, orders, payments, balance and ledger, invoices, refunds. Operators (idaas:admin)
// may call every route; platform users with idaas:account call the routes listed in
// ACCOUNT_ROUTES as members of the account in the path, within their permissions (G5.6).
import { z } from 'zod';
import { AppError, notFound } from '@idaas/core';
import type {
  AccountBilling,
  AccountContacts,
  AccountMember,
  Invoice,
  LedgerEntry,
  Order,
  Payment,
  Plan,
} from '@idaas/core';
import {
  authorize,
  fenToCny,
  parseCny,
  type CommerceService,
  type Principal,
} from '@idaas/core/business/commerce/index';
import { ADMIN_SCOPE } from '../bootstrap.ts';
import type { ServerContext, TokenInfo } from '../context.ts';
import { route, type AnyRoute } from './route.ts';
import { PageParams, pageOf } from './schemas.ts';

/** The scope of a platform user's token that acts as an account member. */
export const ACCOUNT_SCOPE = 'idaas:account';

const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });
const cny = z
  .string()
  .meta({ description: 'Amount in CNY with 2 decimals, e.g. "99.00"', example: '99.00' });
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const AccountOut = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    clock_id: z.string().nullable().meta({ description: 'Test clock the account lives in' }),
    status: z.string(),
    overdue_since: timestamp.nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'Account' });
const AccountCreate = z.strictObject({
  name: z.string().min(1).max(200),
  email: z.email().optional(),
  test_clock: z.boolean().optional(),
  owner_user_id: z.string().optional(),
});
const ContactsOut = z
  .object({
    email: z.string().nullable(),
    phone: z.string().nullable(),
    postal_address: z.string().nullable(),
    locale: z.string(),
    updated_at: timestamp,
  })
  .meta({ id: 'AccountContacts' });
const ContactsUpdate = z.strictObject({
  email: z.email().nullable().optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 -]{5,20}$/, 'must be a phone number')
    .nullable()
    .optional(),
  postal_address: z.string().max(500).nullable().optional(),
  locale: z.enum(['zh-CN', 'en']).optional(),
});
const PermissionSchema = z.strictObject({
  instance: z.string().meta({ description: 'Instance slug, or * for every instance' }),
  actions: z.array(z.string()).min(1),
});
const MemberOut = z
  .object({
    user_id: z.string(),
    role: z.enum(['owner', 'sub']),
    permissions: z.array(PermissionSchema).nullable(),
    created_at: timestamp,
  })
  .meta({ id: 'AccountMember' });
const MemberPut = z.strictObject({
  role: z.enum(['owner', 'sub']),
  permissions: z.array(PermissionSchema).optional(),
});
const PlanOut = z
  .object({
    code: z.string(),
    name: z.string(),
    billing: z.enum(['subscription', 'postpaid', 'package', 'trial']),
    period: z.enum(['month', 'year']).nullable(),
    price: cny,
    currency: z.literal('CNY'),
    policy: z.string(),
    unit_prices: z.record(z.string(), z.string()).nullable(),
    package_quantity: z.record(z.string(), z.string()).nullable(),
    package_days: z.number().int().nullable(),
    sla: z.boolean(),
    active: z.boolean(),
  })
  .meta({ id: 'Plan' });
const PlanCreate = z.strictObject({
  code: z.string(),
  name: z.string().min(1).max(200),
  billing: z.enum(['subscription', 'postpaid', 'package', 'trial']),
  period: z.enum(['month', 'year']).nullable().optional(),
  price: z.string(),
  policy: z.enum(['ID1', 'ID2']).optional(),
  unit_prices: z.record(z.string(), z.string()).nullable().optional(),
  package_quantity: z.record(z.string(), z.string()).nullable().optional(),
  package_days: z.number().int().positive().nullable().optional(),
  sla: z.boolean().optional(),
});
const PlanUpdate = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  price: z.string().optional(),
  active: z.boolean().optional(),
  sla: z.boolean().optional(),
  unit_prices: z.record(z.string(), z.string()).nullable().optional(),
});
const OrderOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    kind: z.enum(['new', 'renew', 'upgrade', 'package']),
    plan: z.string(),
    instance_slug: z.string(),
    instance_id: z.string().nullable(),
    status: z.enum(['pending', 'paid', 'void', 'refunded']),
    amount: cny,
    created_at: timestamp,
    hold_until: timestamp,
    paid_at: timestamp.nullable(),
    voided_at: timestamp.nullable(),
    term_start: timestamp.nullable(),
    term_end: timestamp.nullable(),
    actor_user_id: z.string().nullable(),
  })
  .meta({ id: 'Order' });
const OrderCreate = z.strictObject({
  plan: z.string().min(1),
  instance_slug: z.string().min(1),
  kind: z.enum(['new', 'renew', 'upgrade', 'package']).optional(),
});
const BalanceOut = z
  .object({ cash: cny, vouchers: cny })
  .meta({ id: 'Balance', description: 'Cash and vouchers, kept apart (G3.5)' });
const PaymentOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    provider: z.string(),
    reference: z.string().nullable(),
    amount: cny,
    created_at: timestamp,
    actor_user_id: z.string().nullable(),
  })
  .meta({ id: 'Payment' });
const PaymentRecorded = z
  .object({
    payment: PaymentOut,
    duplicate: z.boolean(),
    paid_orders: z.array(z.string()),
    balance: BalanceOut,
  })
  .meta({ id: 'PaymentRecorded' });
const PaymentCreate = z.strictObject({
  amount: z.union([z.string(), z.number()]),
  provider: z.enum(['bank-transfer', 'test']).optional(),
  reference: z.string().min(1).max(200).optional(),
});
const LedgerEntryOut = z
  .object({
    id: z.string(),
    kind: z.enum(['cash', 'voucher']),
    amount: cny,
    reason: z.string(),
    instance_id: z.string().nullable(),
    created_at: timestamp,
    voucher_expires_at: timestamp.nullable(),
    actor_user_id: z.string().nullable(),
  })
  .meta({ id: 'LedgerEntry' });
const InvoiceOut = z
  .object({
    id: z.string(),
    number: z.string(),
    period_start: timestamp,
    period_end: timestamp,
    amount: cny,
    lines: z.array(
      z.object({
        description: z.string(),
        reason: z.string(),
        instance_id: z.string().nullable(),
        amount: cny,
      }),
    ),
    status: z.enum(['issued', 'paid']),
    issued_at: timestamp,
    due_at: timestamp,
  })
  .meta({ id: 'Invoice' });
const InvoiceCreate = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'),
});
const RefundOut = z
  .object({
    order: OrderOut,
    charge: cny,
    refund: cny,
    cash_refund: cny,
    voucher_forfeited: cny,
  })
  .meta({
    id: 'Refund',
    description: 'Early termination (G9.3.3/G9.3.4); vouchers never refunded as cash (G3.5)',
  });

const AccountPage = pageOf(AccountOut, 'AccountPage');
const OrderPage = pageOf(OrderOut, 'OrderPage');
const list = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item) }).meta({ id: name });

export const wireCommerce = {
  account: (a: AccountBilling) => ({
    id: a.id,
    name: a.name,
    email: a.ownerEmail,
    clock_id: a.clockId,
    status: a.status,
    overdue_since: iso(a.overdueSince),
    created_at: a.createdAt.toISOString(),
  }),
  contacts: (c: AccountContacts) => ({
    email: c.email,
    phone: c.phone,
    postal_address: c.postalAddress,
    locale: c.locale,
    updated_at: c.updatedAt.toISOString(),
  }),
  member: (m: AccountMember) => ({
    user_id: m.userId,
    role: m.role,
    permissions: m.permissions,
    created_at: m.createdAt.toISOString(),
  }),
  plan: (p: Plan) => ({
    code: p.code,
    name: p.name,
    billing: p.billing,
    period: p.period,
    price: fenToCny(p.priceFen),
    currency: p.currency,
    policy: p.policy,
    unit_prices: p.unitPrices,
    package_quantity: p.packageQuantity,
    package_days: p.packageDays,
    sla: p.sla,
    active: p.active,
  }),
  order: (o: Order, planCode: string) => ({
    id: o.id,
    account_id: o.accountId,
    kind: o.kind,
    plan: planCode,
    instance_slug: o.instanceSlug,
    instance_id: o.instanceId,
    status: o.status,
    amount: fenToCny(o.amountFen),
    created_at: o.createdAt.toISOString(),
    hold_until: o.holdUntil.toISOString(),
    paid_at: iso(o.paidAt),
    voided_at: iso(o.voidedAt),
    term_start: iso(o.termStart),
    term_end: iso(o.termEnd),
    actor_user_id: o.actorUserId,
  }),
  payment: (p: Payment) => ({
    id: p.id,
    account_id: p.accountId,
    provider: p.provider,
    reference: p.reference,
    amount: fenToCny(p.amountFen),
    created_at: p.createdAt.toISOString(),
    actor_user_id: p.actorUserId,
  }),
  balance: (b: { cashFen: number; voucherFen: number }) => ({
    cash: fenToCny(b.cashFen),
    vouchers: fenToCny(b.voucherFen),
  }),
  entry: (e: LedgerEntry) => ({
    id: e.id,
    kind: e.kind,
    amount: fenToCny(e.amountFen),
    reason: e.reason,
    instance_id: e.instanceId,
    created_at: e.createdAt.toISOString(),
    voucher_expires_at: iso(e.voucherExpiresAt),
    actor_user_id: e.actorUserId,
  }),
  invoice: (i: Invoice) => ({
    id: i.id,
    number: i.number,
    period_start: i.periodStart.toISOString(),
    period_end: i.periodEnd.toISOString(),
    amount: fenToCny(i.amountFen),
    lines: i.lines.map((l) => ({
      description: l.description,
      reason: l.reason,
      instance_id: l.instanceId,
      amount: fenToCny(l.amountFen),
    })),
    status: i.status,
    issued_at: i.issuedAt.toISOString(),
    due_at: i.dueAt.toISOString(),
  }),
};

export function principalOf(admin: TokenInfo): Principal {
  return { operator: admin.scopes.includes(ADMIN_SCOPE), userId: admin.sub };
}

const svc = (sctx: ServerContext): CommerceService => sctx.business.commerce.service;

async function orderOut(sctx: ServerContext, o: Order) {
  const plan = await sctx.store.repos.plans.get(o.planId);
  return wireCommerce.order(o, plan?.code ?? o.planId);
}

function operatorOnly(admin: TokenInfo): void {
  if (!principalOf(admin).operator)
    throw new AppError('forbidden', `only the operator (${ADMIN_SCOPE}) may do this`);
}

const A = '/accounts/{account_id}';

/** operationIds a platform user with idaas:account may call (as a member of the account). */
export const ACCOUNT_ROUTES = new Set([
  'getAccount',
  'getAccountContacts',
  'updateAccountContacts',
  'listAccountMembers',
  'putAccountMember',
  'deleteAccountMember',
  'listPlans',
  'createOrder',
  'listOrders',
  'getOrder',
  'payOrder',
  'recordPayment',
  'listPayments',
  'getBalance',
  'listLedger',
  'listInvoices',
]);

const auth = (
  call: { sctx: ServerContext; admin: TokenInfo; param(n: string): string },
  action: Parameters<typeof authorize>[3],
  instance: string | null = null,
) =>
  authorize(
    call.sctx.store.repos,
    principalOf(call.admin),
    call.param('account_id'),
    action,
    instance,
  );

export const commerceRoutes: AnyRoute[] = [
  // ---- accounts
  route({
    method: 'post',
    path: '/accounts',
    operationId: 'createAccount',
    permission: 'platform:operate',
    summary: 'Create a customer account (optionally on a new test clock, with an owner)',
    tag: 'accounts',
    body: AccountCreate,
    status: 201,
    response: AccountOut,
    handler: async ({ sctx, body }) => {
      const { account } = await svc(sctx).createAccount({
        name: body.name,
        email: body.email ?? null,
        testClock: body.test_clock ?? false,
        ownerUserId: body.owner_user_id ?? null,
        at: sctx.clock.now(),
      });
      return wireCommerce.account(account);
    },
  }),
  route({
    method: 'get',
    path: '/accounts',
    operationId: 'listAccounts',
    permission: 'platform:operate',
    summary: 'List customer accounts',
    tag: 'accounts',
    query: PageParams,
    response: AccountPage,
    handler: async ({ sctx, query }) => {
      const p = await sctx.store.repos.commerceAccounts.list({
        limit: query.limit,
        cursor: query.cursor ?? null,
      });
      return { items: p.items.map(wireCommerce.account), next_cursor: p.next };
    },
  }),
  route({
    method: 'get',
    path: A,
    operationId: 'getAccount',
    permission: 'account:member',
    summary: 'Get a customer account',
    tag: 'accounts',
    response: AccountOut,
    handler: async (call) => {
      await auth(call, 'billing:read');
      return wireCommerce.account(await svc(call.sctx).account(call.param('account_id')));
    },
  }),
  route({
    method: 'get',
    path: `${A}/contacts`,
    operationId: 'getAccountContacts',
    permission: 'account:member',
    summary: "Get the account's contact details (G11.1)",
    tag: 'accounts',
    response: ContactsOut,
    handler: async (call) => {
      await auth(call, 'billing:read');
      return wireCommerce.contacts(await svc(call.sctx).contacts(call.param('account_id')));
    },
  }),
  route({
    method: 'put',
    path: `${A}/contacts`,
    operationId: 'updateAccountContacts',
    permission: 'account:member',
    summary: "Update the account's contact details, kept current by the customer (G11.4)",
    tag: 'accounts',
    body: ContactsUpdate,
    response: ContactsOut,
    handler: async (call) => {
      await auth(call, 'account:write');
      const b = call.body;
      const patch = {
        ...(b.email !== undefined ? { email: b.email } : {}),
        ...(b.phone !== undefined ? { phone: b.phone } : {}),
        ...(b.postal_address !== undefined ? { postalAddress: b.postal_address } : {}),
        ...(b.locale !== undefined ? { locale: b.locale } : {}),
      };
      return wireCommerce.contacts(
        await svc(call.sctx).setContacts(call.param('account_id'), patch),
      );
    },
  }),
  route({
    method: 'get',
    path: `${A}/members`,
    operationId: 'listAccountMembers',
    permission: 'account:member',
    summary: 'List the owner and sub-accounts (G5.6)',
    tag: 'accounts',
    response: list(MemberOut, 'AccountMemberList'),
    handler: async (call) => {
      await auth(call, 'owner');
      await svc(call.sctx).account(call.param('account_id'));
      const items = await call.sctx.store.repos.accountMembers.list(call.param('account_id'));
      return { items: items.map(wireCommerce.member) };
    },
  }),
  route({
    method: 'put',
    path: `${A}/members/{user_id}`,
    operationId: 'putAccountMember',
    permission: 'account:member',
    summary: 'Make a platform user the owner or a sub-account with scoped permissions (G5.6)',
    tag: 'accounts',
    body: MemberPut,
    response: MemberOut,
    handler: async (call) => {
      await auth(call, 'owner');
      const m = await svc(call.sctx).setMember(call.param('account_id'), call.param('user_id'), {
        role: call.body.role,
        permissions: call.body.permissions ?? null,
      });
      return wireCommerce.member(m);
    },
  }),
  route({
    method: 'delete',
    path: `${A}/members/{user_id}`,
    operationId: 'deleteAccountMember',
    permission: 'account:member',
    summary: 'Remove a member from the account',
    tag: 'accounts',
    status: 204,
    handler: async (call) => {
      await auth(call, 'owner');
      await svc(call.sctx).account(call.param('account_id'));
      if (
        !(await call.sctx.store.repos.accountMembers.delete(
          call.param('account_id'),
          call.param('user_id'),
        ))
      )
        throw notFound(`member ${call.param('user_id')}`);
    },
  }),

  // ---- plans
  route({
    method: 'get',
    path: '/plans',
    operationId: 'listPlans',
    permission: 'account:member',
    summary: 'List the catalog (prices in CNY)',
    tag: 'plans',
    response: list(PlanOut, 'PlanList'),
    handler: async ({ sctx }) => ({ items: (await svc(sctx).plans()).map(wireCommerce.plan) }),
  }),
  route({
    method: 'post',
    path: '/plans',
    operationId: 'createPlan',
    permission: 'platform:operate',
    summary: 'Define a plan',
    tag: 'plans',
    body: PlanCreate,
    status: 201,
    response: PlanOut,
    errors: [409],
    handler: async ({ sctx, body }) => {
      const plan = await svc(sctx).createPlan(
        {
          code: body.code,
          name: body.name,
          billing: body.billing,
          period: body.period ?? null,
          priceFen: parseCny(body.price, 'price', { allowZero: true }),
          currency: 'CNY',
          policy:
            body.policy ??
            (body.billing === 'postpaid' || body.billing === 'package' ? 'ID2' : 'ID1'),
          unitPrices: body.unit_prices ?? null,
          packageQuantity: body.package_quantity ?? null,
          packageDays: body.package_days ?? null,
          sla: body.sla ?? body.billing !== 'trial',
          active: true,
        },
        sctx.clock.now(),
      );
      return wireCommerce.plan(plan);
    },
  }),
  route({
    method: 'patch',
    path: '/plans/{code}',
    operationId: 'updatePlan',
    permission: 'platform:operate',
    summary: 'Change a plan (name, price, unit prices, SLA, whether it is sold)',
    tag: 'plans',
    body: PlanUpdate,
    response: PlanOut,
    handler: async ({ sctx, body, param }) => {
      const plan = await svc(sctx).updatePlan(param('code'), {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.price !== undefined
          ? { priceFen: parseCny(body.price, 'price', { allowZero: true }) }
          : {}),
        ...(body.active !== undefined ? { active: body.active } : {}),
        ...(body.sla !== undefined ? { sla: body.sla } : {}),
        ...(body.unit_prices !== undefined ? { unitPrices: body.unit_prices } : {}),
      });
      return wireCommerce.plan(plan);
    },
  }),

  // ---- orders
  route({
    method: 'post',
    path: `${A}/orders`,
    operationId: 'createOrder',
    permission: 'account:member',
    summary:
      'Order a plan for an instance: new (reserves the slug, pending payment), renew, upgrade, package',
    description:
      'A new order creates the instance in state pending-payment, held 7 days (G3.2.1). The order is paid from the balance at once when it covers it.',
    tag: 'orders',
    body: OrderCreate,
    status: 201,
    response: OrderOut,
    errors: [409],
    handler: async (call) => {
      const { actorUserId } = await auth(call, 'orders:create', call.body.instance_slug);
      const o = await svc(call.sctx).createOrder({
        accountId: call.param('account_id'),
        plan: call.body.plan,
        instanceSlug: call.body.instance_slug,
        ...(call.body.kind ? { kind: call.body.kind } : {}),
        actorUserId,
      });
      return orderOut(call.sctx, o);
    },
  }),
  route({
    method: 'get',
    path: `${A}/orders`,
    operationId: 'listOrders',
    permission: 'account:member',
    summary: "List the account's orders",
    tag: 'orders',
    query: PageParams,
    response: OrderPage,
    handler: async (call) => {
      await auth(call, 'orders:read');
      await svc(call.sctx).account(call.param('account_id'));
      const p = await call.sctx.store.repos.orders.listByAccount(call.param('account_id'), {
        limit: call.query.limit,
        cursor: call.query.cursor ?? null,
      });
      return {
        items: await Promise.all(p.items.map((o) => orderOut(call.sctx, o))),
        next_cursor: p.next,
      };
    },
  }),
  route({
    method: 'get',
    path: `${A}/orders/{order_id}`,
    operationId: 'getOrder',
    permission: 'account:member',
    summary: 'Get an order',
    tag: 'orders',
    response: OrderOut,
    handler: async (call) => {
      const o = await svc(call.sctx).order(call.param('account_id'), call.param('order_id'));
      await auth(call, 'orders:read', o.instanceSlug);
      return orderOut(call.sctx, o);
    },
  }),
  route({
    method: 'post',
    path: `${A}/orders/{order_id}/pay`,
    operationId: 'payOrder',
    permission: 'account:member',
    summary: 'Pay a pending order from the balance',
    tag: 'orders',
    response: OrderOut,
    errors: [402, 409],
    handler: async (call) => {
      const o = await svc(call.sctx).order(call.param('account_id'), call.param('order_id'));
      await auth(call, 'orders:create', o.instanceSlug);
      return orderOut(call.sctx, await svc(call.sctx).payOrder(o.accountId, o.id));
    },
  }),
  route({
    method: 'post',
    path: `${A}/orders/{order_id}/refund`,
    operationId: 'refundOrder',
    permission: 'platform:operate',
    summary: 'End a paid term early and refund what was not consumed (G9.3.3, G9.3.4)',
    description:
      'Operators only. The voucher part of a refund is forfeited, never paid as cash (G3.5).',
    tag: 'orders',
    response: RefundOut,
    errors: [409],
    handler: async (call) => {
      operatorOnly(call.admin);
      const r = await svc(call.sctx).refundOrder(call.param('account_id'), call.param('order_id'), {
        actorUserId: call.admin.sub,
      });
      return {
        order: await orderOut(call.sctx, r.order),
        charge: fenToCny(r.chargeFen),
        refund: fenToCny(r.refundFen),
        cash_refund: fenToCny(r.cashRefundFen),
        voucher_forfeited: fenToCny(r.voucherForfeitedFen),
      };
    },
  }),

  // ---- payments, balance, ledger, invoices
  route({
    method: 'post',
    path: `${A}/payments`,
    operationId: 'recordPayment',
    permission: 'account:member',
    summary:
      'Record a payment: a received bank transfer (operators), or the test provider (test clocks only)',
    description:
      'Credits cash, pays pending orders oldest first, and restores service when the balance covers what is owed. Idempotent by provider and reference.',
    tag: 'payments',
    body: PaymentCreate,
    status: 201,
    response: PaymentRecorded,
    errors: [409],
    handler: async (call) => {
      const { actorUserId } = await auth(call, 'payments:record');
      const principal = principalOf(call.admin);
      const provider = call.body.provider ?? (principal.operator ? 'bank-transfer' : 'test');
      if (provider === 'bank-transfer' && !principal.operator)
        throw new AppError('forbidden', 'provider: bank transfers are recorded by the operator', {
          issues: [{ field: 'provider', message: 'operators only' }],
        });
      const r = await svc(call.sctx).recordPayment({
        accountId: call.param('account_id'),
        amountFen: parseCny(call.body.amount, 'amount'),
        provider,
        reference: call.body.reference ?? null,
        actorUserId,
      });
      return {
        payment: wireCommerce.payment(r.payment),
        duplicate: r.duplicate,
        paid_orders: r.paidOrders,
        balance: wireCommerce.balance(r.balance),
      };
    },
  }),
  route({
    method: 'get',
    path: `${A}/payments`,
    operationId: 'listPayments',
    permission: 'account:member',
    summary: "List the account's payments",
    tag: 'payments',
    response: list(PaymentOut, 'PaymentList'),
    handler: async (call) => {
      await auth(call, 'billing:read');
      return {
        items: (await svc(call.sctx).payments(call.param('account_id'))).map(wireCommerce.payment),
      };
    },
  }),
  route({
    method: 'get',
    path: `${A}/balance`,
    operationId: 'getBalance',
    permission: 'account:member',
    summary: 'Cash balance and vouchers (kept apart, G3.5)',
    tag: 'payments',
    response: BalanceOut,
    handler: async (call) => {
      await auth(call, 'billing:read');
      await svc(call.sctx).account(call.param('account_id'));
      return wireCommerce.balance(await svc(call.sctx).balance(call.param('account_id')));
    },
  }),
  route({
    method: 'get',
    path: `${A}/ledger`,
    operationId: 'listLedger',
    permission: 'account:member',
    summary: 'The account statement: every ledger entry, oldest first',
    tag: 'payments',
    response: list(LedgerEntryOut, 'LedgerEntryList'),
    handler: async (call) => {
      await auth(call, 'billing:read');
      return {
        items: (await svc(call.sctx).statement(call.param('account_id'))).map(wireCommerce.entry),
      };
    },
  }),
  route({
    method: 'get',
    path: `${A}/invoices`,
    operationId: 'listInvoices',
    permission: 'account:member',
    summary: "List the account's monthly invoices",
    tag: 'invoices',
    response: list(InvoiceOut, 'InvoiceList'),
    handler: async (call) => {
      await auth(call, 'billing:read');
      return {
        items: (await svc(call.sctx).invoices(call.param('account_id'))).map(wireCommerce.invoice),
      };
    },
  }),
  route({
    method: 'post',
    path: `${A}/invoices`,
    operationId: 'issueInvoice',
    permission: 'platform:operate',
    summary: 'Issue (or get) the invoice of a calendar month (Asia/Shanghai)',
    tag: 'invoices',
    body: InvoiceCreate,
    status: 201,
    response: InvoiceOut,
    handler: async (call) => {
      operatorOnly(call.admin);
      await svc(call.sctx).account(call.param('account_id'));
      const [y, m] = call.body.month.split('-').map(Number) as [number, number];
      // the 15th at noon UTC is inside the month in Asia/Shanghai whatever the month
      const inMonth = new Date(Date.UTC(y, m - 1, 15, 12));
      return wireCommerce.invoice(
        await svc(call.sctx).issueInvoice(call.param('account_id'), inMonth),
      );
    },
  }),
];
