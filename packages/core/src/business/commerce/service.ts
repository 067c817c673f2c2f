// Commerce: accounts and delegation, the catalog, orders (new, renew, upgrade, package)
// with holds and voiding, payments, the ledger (cash and vouchers apart, G3.5), hourly
// settlement of postpaid usage (G3.3, ID2, G9.1.2–G9.1.4), late fees (G3.4), invoices
// and refunds on early termination (G9.3.3, G9.3.4). Time is the account's clock.
import {
  AGREEMENT_ZONE,
  DAY,
  HOUR,
  addMonths,
  drawUsage,
  earlyTermination,
  forfeitExpired,
  hourlyCharge,
  lateFeeForDays,
  money,
  orderHoldDays,
  orderVoidAt,
  settlementWindow,
  splitRefund,
  startOfMonth,
  zoned,
  type UsageLine,
} from '@idaas/agreement';
import type { Clock } from '../../clock.ts';
import type { Account, Instance } from '../../domain.ts';
import { AppError, conflict, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { KEY_ALGS, generateSigningKey } from '../../keys.ts';
import type { Repos, Store } from '../../ports.ts';
import type { Core } from '../../services/index.ts';
import { slugSchema } from '../../validation.ts';
import type {
  AccountBilling,
  AccountContacts,
  AccountMember,
  Invoice,
  InvoiceLine,
  LedgerEntry,
  Order,
  OrderKind,
  Payment,
  Permission,
  Plan,
} from '../commerce-ports.ts';
import type {
  AccountClocks,
  Fen,
  JobQueue,
  LedgerPort,
  LifecyclePort,
  LifecycleTransition,
  UsagePort,
} from '../contracts.ts';
import { DEFAULT_PLANS, periodMonths, type PlanSeed } from './catalog.ts';
import { fenToCny, toFen } from './money.ts';
import { ACTIONS } from './permissions.ts';

export interface CommercePorts {
  clocks: AccountClocks;
  lifecycle: LifecyclePort;
  jobs: JobQueue;
  usage: UsagePort;
}

export interface CommerceDeps {
  store: Store;
  core: Core;
  ports: CommercePorts;
}

/** The lifecycle port, with the row creation the lifecycle module offers. */
type LifecycleWithEnsure = LifecyclePort & {
  ensure?: (
    input: { instanceId: string; accountId: string; policy: string; clockId: string | null },
    at: Date,
    tx?: Repos,
  ) => Promise<unknown>;
};

export const JOB = {
  voidOrder: 'commerce.void-order',
  termEnd: 'commerce.term-end',
  settle: 'commerce.settle',
  lateFee: 'commerce.late-fee',
  invoices: 'commerce.invoices',
} as const;

/** Reasons a voucher may pay for: this product's own charges (G3.5, SLA2). */
const VOUCHER_REASONS = new Set(['order', 'settlement']);
const GONE = new Set(['released', 'void', 'terminated']);
const PROVIDERS = new Set(['bank-transfer', 'test']);

const fixedClock = (at: Date): Clock => ({ now: () => at });

export class CommerceService implements LedgerPort {
  readonly #deps: CommerceDeps;
  #catalog: Promise<void> | null = null;

  constructor(deps: CommerceDeps) {
    this.#deps = deps;
  }

  get #store(): Store {
    return this.#deps.store;
  }
  get #ports(): CommercePorts {
    return this.#deps.ports;
  }

  #tx<T>(tx: Repos | undefined, fn: (tx: Repos) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : this.#store.transaction(fn);
  }

  async #clock(accountId: string): Promise<{ at: Date; clockId: string | null }> {
    const [clock, clockId] = await Promise.all([
      this.#ports.clocks.clockFor(accountId),
      this.#ports.clocks.testClockOf(accountId),
    ]);
    return { at: clock.now(), clockId };
  }

  // ---------------------------------------------------------------- accounts

  async createAccount(input: {
    name: string;
    email?: string | null;
    testClock?: boolean;
    ownerUserId?: string | null;
    at: Date;
  }): Promise<{ account: AccountBilling; clockId: string | null }> {
    const name = input.name.trim();
    if (!name || name.length > 200) throw invalid('name', 'must be 1-200 characters');
    if (input.email != null && !/^[^@\s]+@[^@\s]+$/.test(input.email))
      throw invalid('email', 'must be an email address');
    const { store } = this.#deps;
    const clock = fixedClock(input.at);
    const id = newId(clock);
    const account: Account = {
      id,
      kind: 'customer',
      name,
      ownerEmail: input.email ?? null,
      createdAt: input.at,
    };
    let clockId: string | null = null;
    await store.transaction(async (tx) => {
      await tx.accounts.insert(account);
      if (input.testClock) {
        clockId = newId(clock);
        await tx.testClocks.insert({
          id: clockId,
          name: `clock of ${name}`,
          now: input.at,
          createdAt: input.at,
          updatedAt: input.at,
        });
        await tx.testClocks.bindAccount(id, clockId);
      }
      await tx.accountContacts.upsert({
        accountId: id,
        email: input.email ?? null,
        phone: null,
        postalAddress: null,
        locale: 'zh-CN',
        updatedAt: input.at,
      });
      if (input.ownerUserId)
        await tx.accountMembers.upsert({
          accountId: id,
          userId: input.ownerUserId,
          role: 'owner',
          permissions: null,
          createdAt: input.at,
        });
    });
    return { account: (await store.repos.commerceAccounts.get(id))!, clockId };
  }

  async account(accountId: string): Promise<AccountBilling> {
    const a = await this.#store.repos.commerceAccounts.get(accountId);
    if (!a || a.kind !== 'customer') throw notFound(`account ${JSON.stringify(accountId)}`);
    return a;
  }

  async setContacts(
    accountId: string,
    patch: Partial<Pick<AccountContacts, 'email' | 'phone' | 'postalAddress' | 'locale'>>,
  ): Promise<AccountContacts> {
    await this.account(accountId);
    if (patch.email != null && !/^[^@\s]+@[^@\s]+$/.test(patch.email))
      throw invalid('email', 'must be an email address');
    if (patch.locale !== undefined && !['zh-CN', 'en'].includes(patch.locale))
      throw invalid('locale', 'must be zh-CN or en');
    const { at } = await this.#clock(accountId);
    const current = (await this.#store.repos.accountContacts.get(accountId)) ?? {
      accountId,
      email: null,
      phone: null,
      postalAddress: null,
      locale: 'zh-CN',
      updatedAt: at,
    };
    const next: AccountContacts = { ...current, ...patch, updatedAt: at };
    await this.#store.repos.accountContacts.upsert(next);
    return next;
  }

  async contacts(accountId: string): Promise<AccountContacts> {
    await this.account(accountId);
    const c = await this.#store.repos.accountContacts.get(accountId);
    return (
      c ?? {
        accountId,
        email: null,
        phone: null,
        postalAddress: null,
        locale: 'zh-CN',
        updatedAt: (await this.account(accountId)).createdAt,
      }
    );
  }

  async setMember(
    accountId: string,
    userId: string,
    input: { role: 'owner' | 'sub'; permissions?: Permission[] | null },
  ): Promise<AccountMember> {
    await this.account(accountId);
    const platform = await this.#deps.core.instances.get('platform');
    if (!(await this.#store.repos.users.get(platform.id, userId)))
      throw invalid('user_id', 'no such user of the platform instance');
    let permissions: Permission[] | null = null;
    if (input.role === 'sub') {
      permissions = input.permissions ?? [];
      permissions.forEach((p, i) => {
        if (p.instance !== '*' && !slugSchema.safeParse(p.instance).success)
          throw invalid(`permissions[${i}].instance`, 'must be an instance slug or *');
        p.actions.forEach((a, j) => {
          if (a !== '*' && !(ACTIONS as readonly string[]).includes(a))
            throw invalid(
              `permissions[${i}].actions[${j}]`,
              `must be one of ${ACTIONS.join(', ')}`,
            );
        });
      });
    }
    const { at } = await this.#clock(accountId);
    const existing = await this.#store.repos.accountMembers.get(accountId, userId);
    const m: AccountMember = {
      accountId,
      userId,
      role: input.role,
      permissions,
      createdAt: existing?.createdAt ?? at,
    };
    await this.#store.repos.accountMembers.upsert(m);
    return m;
  }

  // ---------------------------------------------------------------- catalog

  /** Seeds the default catalog when there are no plans (once per process). */
  ensureCatalog(): Promise<void> {
    this.#catalog ??= (async () => {
      const plans = this.#store.repos.plans;
      if ((await plans.list()).length) return;
      const at = this.#deps.core.deps.clock.now();
      for (const seed of DEFAULT_PLANS) {
        if (await plans.getByCode(seed.code)) continue;
        await plans
          .insert({ ...seed, id: newId(fixedClock(at)), createdAt: at })
          .catch((e: unknown) => {
            if (!(e instanceof AppError && e.code === 'conflict')) throw e; // another process
          });
      }
    })().catch((e: unknown) => {
      this.#catalog = null;
      throw e;
    });
    return this.#catalog;
  }

  async plans(): Promise<Plan[]> {
    await this.ensureCatalog();
    return this.#store.repos.plans.list();
  }

  async plan(code: string): Promise<Plan> {
    await this.ensureCatalog();
    const p = await this.#store.repos.plans.getByCode(code);
    if (!p) throw invalid('plan', `no plan ${JSON.stringify(code)} (see the plan list)`);
    return p;
  }

  async createPlan(seed: PlanSeed, at: Date): Promise<Plan> {
    await this.ensureCatalog();
    validatePlan(seed);
    const plan: Plan = { ...seed, id: newId(fixedClock(at)), createdAt: at };
    await this.#store.repos.plans.insert(plan).catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'conflict')
        throw conflict('code: already exists', 'code');
      throw e;
    });
    return plan;
  }

  async updatePlan(
    code: string,
    patch: Partial<Pick<Plan, 'name' | 'priceFen' | 'active' | 'unitPrices' | 'sla'>>,
  ): Promise<Plan> {
    const p = await this.plan(code).catch(() => {
      throw notFound(`plan ${JSON.stringify(code)}`);
    });
    validatePlan({ ...p, ...patch });
    await this.#store.repos.plans.update(p.id, patch);
    return (await this.#store.repos.plans.get(p.id))!;
  }

  // ---------------------------------------------------------------- orders

  async createOrder(input: {
    accountId: string;
    plan: string;
    instanceSlug: string;
    kind?: OrderKind;
    actorUserId?: string | null;
  }): Promise<Order> {
    const plan = await this.plan(input.plan);
    if (!plan.active) throw invalid('plan', `plan ${plan.code} is no longer sold`);
    const account = await this.account(input.accountId);
    if (!slugSchema.safeParse(input.instanceSlug).success)
      throw invalid('instance_slug', 'must be 3-63 lowercase letters, digits or hyphens');
    const kind: OrderKind = input.kind ?? (plan.billing === 'package' ? 'package' : 'new');
    if ((kind === 'package') !== (plan.billing === 'package'))
      throw invalid(
        'kind',
        kind === 'package'
          ? 'plan is not a resource package'
          : 'a resource package is ordered with kind "package"',
      );
    const { at, clockId } = await this.#clock(account.id);
    const existing = await this.#store.repos.instances.getBySlug(input.instanceSlug);
    let current: Order | null = null;
    if (kind === 'new') {
      if (existing)
        throw conflict(
          GONE.has(existing.state)
            ? `instance_slug: instance ${existing.slug} is ${existing.state}`
            : 'instance_slug: already exists',
          'instance_slug',
        );
    } else {
      if (!existing || existing.accountId !== account.id)
        throw notFound(`instance ${JSON.stringify(input.instanceSlug)} of this account`);
      if (GONE.has(existing.state))
        throw conflict(
          `instance_slug: instance ${existing.slug} is ${existing.state}`,
          'instance_slug',
        );
      current = await this.#store.repos.orders.currentOf(existing.id);
      if (kind === 'renew' || kind === 'upgrade') {
        if (plan.billing !== 'subscription')
          throw invalid('plan', `${kind} needs a subscription plan`);
        const currentPlan = current && (await this.#store.repos.plans.get(current.planId));
        if (!current || !currentPlan || !['subscription', 'trial'].includes(currentPlan.billing))
          throw conflict(
            `instance_slug: instance ${existing.slug} has no subscription to ${kind}`,
            'instance_slug',
          );
        if (kind === 'renew' && currentPlan.billing !== 'trial' && currentPlan.id !== plan.id)
          throw invalid(
            'plan',
            `renew keeps the plan (${currentPlan.code}); use kind "upgrade" to change it`,
          );
      }
    }

    let amountFen = plan.priceFen;
    if (kind === 'upgrade' && current) {
      // pro-rata: the new plan's price less what is left of the current term's prepayment
      const currentPlan = (await this.#store.repos.plans.get(current.planId))!;
      amountFen = Math.max(0, plan.priceFen - unconsumedFen(current, currentPlan, at));
    }
    const holdDays = orderHoldDays(plan.policy);
    const order: Order = {
      id: newId(fixedClock(at)),
      accountId: account.id,
      kind,
      planId: plan.id,
      instanceId: existing?.id ?? null,
      instanceSlug: input.instanceSlug,
      status: 'pending',
      amountFen,
      createdAt: at,
      holdUntil: new Date(orderVoidAt(at.getTime(), holdDays)),
      paidAt: null,
      voidedAt: null,
      termStart: null,
      termEnd: null,
      actorUserId: input.actorUserId ?? null,
    };
    // a new instance's rows (keys are generated outside the transaction: CPU only)
    const fresh =
      kind === 'new' ? await this.#newInstance(account.id, input.instanceSlug, at) : null;
    if (fresh) order.instanceId = fresh.instance.id;

    await this.#store.transaction(async (tx) => {
      if (fresh) {
        await tx.instances.insert(fresh.instance);
        for (const k of fresh.keys) await tx.keys.insert(k);
        const lc = this.#ports.lifecycle as LifecycleWithEnsure;
        await lc.ensure?.(
          { instanceId: fresh.instance.id, accountId: account.id, policy: plan.policy, clockId },
          at,
          tx,
        );
      }
      await tx.orders.insert(order);
      if (fresh && plan.billing !== 'postpaid')
        await this.#ports.lifecycle.record(fresh.instance.id, { type: 'order-created' }, at, tx);
      if (plan.billing === 'postpaid') await this.#startSettlement(clockId, at, tx);
      await this.#ports.jobs.enqueue(
        {
          kind: JOB.voidOrder,
          payload: { orderId: order.id },
          runAt: order.holdUntil,
          dedupeKey: `${JOB.voidOrder}:${order.id}`,
          clockId,
        },
        tx,
      );
      await this.#payOrder(tx, order, at, clockId);
    });
    return (await this.#store.repos.orders.get(order.id))!;
  }

  async #newInstance(accountId: string, slug: string, at: Date) {
    const { kek } = this.#deps.core.deps;
    const clock = fixedClock(at);
    const id = newId(clock);
    const { wrapped, key } = kek.newDataKey(id);
    const instance: Instance = {
      id,
      accountId,
      slug,
      displayName: slug,
      region: 'cn-shanghai',
      state: 'pending-payment',
      dataKeyWrapped: wrapped,
      platform: false,
      configVersion: 1,
      createdAt: at,
      updatedAt: at,
    };
    const keys = await Promise.all(KEY_ALGS.map((alg) => generateSigningKey(id, alg, key, clock)));
    return { instance, keys };
  }

  /** Pays a pending order from the balance if it covers it; true when paid. */
  async #payOrder(tx: Repos, order: Order, at: Date, clockId: string | null): Promise<boolean> {
    if (order.status !== 'pending') return false;
    if (at.getTime() >= order.holdUntil.getTime()) {
      await this.#voidOrder(tx, order, at);
      return false;
    }
    const plan = (await tx.plans.get(order.planId))!;
    const available = await this.#available(tx, order.accountId, at, 'order');
    if (available < order.amountFen) return false;
    const instanceId = order.instanceId;
    let term: { start: Date | null; end: Date | null } = { start: null, end: null };
    if (plan.billing === 'subscription' || plan.billing === 'trial') {
      const months = periodMonths(plan.period);
      let start = at;
      if (order.kind === 'renew' && instanceId) {
        const current = await tx.orders.currentOf(instanceId);
        if (current?.termEnd && current.termEnd.getTime() > at.getTime()) start = current.termEnd;
      }
      term = { start, end: new Date(addMonths(AGREEMENT_ZONE, start.getTime(), months)) };
    }
    if (!(await tx.orders.markPaid(order.id, at, term))) return false;
    if (order.amountFen > 0)
      await this.#debit(tx, {
        accountId: order.accountId,
        instanceId,
        amountFen: order.amountFen,
        reason: 'order',
        idempotencyKey: `order:${order.id}`,
        at,
        refType: 'order',
        refId: order.id,
        actorUserId: order.actorUserId,
      });
    if (!instanceId) return true;
    if (plan.billing === 'package') {
      for (const [unit, qty] of Object.entries(plan.packageQuantity ?? {}))
        await tx.packages.insert({
          id: newId(fixedClock(at)),
          accountId: order.accountId,
          instanceId,
          planId: plan.id,
          unit,
          quantity: Number(qty),
          remaining: Number(qty),
          startsAt: at,
          expiresAt: new Date(at.getTime() + (plan.packageDays ?? 30) * DAY),
          createdAt: at,
        });
      return true;
    }
    if (plan.billing === 'postpaid') {
      await this.#ports.lifecycle.record(instanceId, { type: 'activate' }, at, tx);
      return true;
    }
    const termEnd = term.end!;
    await this.#ports.lifecycle.record(
      instanceId,
      order.kind === 'new' ? { type: 'order-paid', termEnd } : { type: 'renew', termEnd },
      at,
      tx,
    );
    // the scheduler sends `expire` at the term end unless a renewal moved it
    await this.#ports.jobs.enqueue(
      {
        kind: JOB.termEnd,
        payload: { orderId: order.id },
        runAt: termEnd,
        dedupeKey: `${JOB.termEnd}:${order.id}`,
        clockId,
      },
      tx,
    );
    return true;
  }

  async #voidOrder(tx: Repos, order: Order, at: Date): Promise<void> {
    await tx.orders.markVoid(order.id, at);
  }

  /** Pays the account's pending orders oldest first, as far as the balance goes. */
  async #payPending(
    tx: Repos,
    accountId: string,
    at: Date,
    clockId: string | null,
  ): Promise<string[]> {
    const paid: string[] = [];
    for (const o of await tx.orders.pendingOf(accountId))
      if (await this.#payOrder(tx, o, at, clockId)) paid.push(o.id);
    return paid;
  }

  async payOrder(accountId: string, orderId: string): Promise<Order> {
    const order = await this.order(accountId, orderId);
    if (order.status !== 'pending')
      throw conflict(`order: is ${order.status}, not pending`, 'order');
    const { at, clockId } = await this.#clock(accountId);
    const paid = await this.#store.transaction((tx) => this.#payOrder(tx, order, at, clockId));
    const after = (await this.#store.repos.orders.get(orderId))!;
    if (!paid && after.status === 'pending')
      throw new AppError('conflict', 'balance: does not cover the order; record a payment first', {
        issues: [{ field: 'balance', message: 'insufficient' }],
        status: 402,
      });
    return after;
  }

  async order(accountId: string, orderId: string): Promise<Order> {
    const o = await this.#store.repos.orders.get(orderId);
    if (!o || o.accountId !== accountId) throw notFound(`order ${JSON.stringify(orderId)}`);
    return o;
  }

  /** A transition listener: an instance that went void takes its pending orders with it. */
  readonly onTransition = async (t: LifecycleTransition, tx: Repos): Promise<void> => {
    if (t.to !== 'void') return;
    for (const o of await tx.orders.pendingForInstance(t.instanceId))
      await tx.orders.markVoid(o.id, t.at);
  };

  // ---------------------------------------------------------------- payments

  async recordPayment(input: {
    accountId: string;
    amountFen: number;
    provider: string;
    reference?: string | null;
    actorUserId?: string | null;
  }): Promise<{
    payment: Payment;
    duplicate: boolean;
    paidOrders: string[];
    balance: { cashFen: Fen; voucherFen: Fen };
  }> {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0)
      throw invalid('amount', 'must be greater than 0');
    if (!PROVIDERS.has(input.provider))
      throw invalid('provider', `must be one of ${[...PROVIDERS].join(', ')}`);
    const account = await this.account(input.accountId);
    const { at, clockId } = await this.#clock(account.id);
    if (input.provider === 'test' && !clockId)
      throw new AppError(
        'forbidden',
        'provider: the test payment provider is only for accounts on a test clock',
        { issues: [{ field: 'provider', message: 'only for accounts on a test clock' }] },
      );
    const reference = input.reference?.trim() || null;
    if (input.provider === 'bank-transfer' && !reference)
      throw invalid('reference', 'a bank transfer needs its reference');
    if (reference && reference.length > 200) throw invalid('reference', 'at most 200 characters');
    const ref = reference ?? `test-${newId(fixedClock(at))}`;
    const out = await this.#store.transaction(async (tx) => {
      const seen = await tx.payments.getByReference(input.provider, ref);
      if (seen) {
        if (seen.accountId !== account.id || seen.amountFen !== input.amountFen)
          throw conflict('reference: already recorded for another payment', 'reference');
        return { payment: seen, duplicate: true, paidOrders: [] as string[] };
      }
      const payment: Payment = {
        id: newId(fixedClock(at)),
        accountId: account.id,
        provider: input.provider,
        reference: ref,
        amountFen: input.amountFen,
        status: 'settled',
        createdAt: at,
        settledAt: at,
        actorUserId: input.actorUserId ?? null,
      };
      const before = await tx.ledger.cashBalance(account.id);
      await tx.payments.insert(payment);
      await tx.ledger.insert({
        id: newId(fixedClock(at)),
        accountId: account.id,
        kind: 'cash',
        amountFen: input.amountFen,
        reason: 'payment',
        instanceId: null,
        refType: 'payment',
        refId: payment.id,
        idempotencyKey: `payment:${input.provider}:${ref}`,
        createdAt: at,
        voucherExpiresAt: null,
        actorUserId: input.actorUserId ?? null,
      });
      const paidOrders = await this.#payPending(tx, account.id, at, clockId);
      await this.#afterCredit(tx, account.id, before, at);
      return { payment, duplicate: false, paidOrders };
    });
    return { ...out, balance: await this.balance(account.id) };
  }

  /** After cash came in: overdue ends when the principal is covered; service comes back when all is. */
  async #afterCredit(tx: Repos, accountId: string, before: Fen, at: Date): Promise<void> {
    const principal = await tx.ledger.cashBalance(accountId, ['late-fee']);
    const cash = await tx.ledger.cashBalance(accountId);
    const acct = await tx.commerceAccounts.get(accountId);
    if (principal >= 0 && acct?.overdueSince)
      await tx.commerceAccounts.setOverdueSince(accountId, null);
    if (before < 0 && cash >= 0) {
      for (const instanceId of await tx.orders.instanceIdsOf(accountId)) {
        const current = await tx.orders.currentOf(instanceId);
        const plan = current && (await tx.plans.get(current.planId));
        const inst = await tx.instances.get(instanceId);
        if (plan?.billing === 'postpaid' && inst && !GONE.has(inst.state))
          await this.#ports.lifecycle.record(instanceId, { type: 'payment' }, at, tx);
      }
    }
  }

  async payments(accountId: string): Promise<Payment[]> {
    await this.account(accountId);
    return this.#store.repos.payments.listByAccount(accountId);
  }

  // ---------------------------------------------------------------- ledger

  async #available(tx: Repos, accountId: string, at: Date, reason: string): Promise<Fen> {
    const cash = Math.max(0, await tx.ledger.cashBalance(accountId));
    if (!VOUCHER_REASONS.has(reason)) return cash;
    return (
      cash + (await this.#voucherLots(tx, accountId, at)).reduce((s, l) => s + l.remainingFen, 0)
    );
  }

  async #voucherLots(tx: Repos, accountId: string, at: Date) {
    return (await tx.ledger.voucherLots(accountId))
      .filter(
        (l) =>
          l.remainingFen > 0 &&
          (l.entry.voucherExpiresAt === null || l.entry.voucherExpiresAt.getTime() > at.getTime()),
      )
      .sort(
        (a, b) =>
          (a.entry.voucherExpiresAt?.getTime() ?? Infinity) -
            (b.entry.voucherExpiresAt?.getTime() ?? Infinity) ||
          a.entry.createdAt.getTime() - b.entry.createdAt.getTime(),
      );
  }

  /**
   * Debits `amountFen`: vouchers first where the reason allows (earliest expiry first),
   * the rest from cash (which may go below zero: the account is then in arrears).
   * Idempotent by key. Returns the cash entry (amount 0 when vouchers covered it all).
   */
  async #debit(
    tx: Repos,
    d: {
      accountId: string;
      instanceId: string | null;
      amountFen: Fen;
      reason: string;
      idempotencyKey: string;
      at: Date;
      refType?: string | null;
      refId?: string | null;
      actorUserId?: string | null;
    },
  ): Promise<{ entry: LedgerEntry; fresh: boolean }> {
    const seen = await tx.ledger.getByKey(d.idempotencyKey);
    if (seen) return { entry: seen, fresh: false };
    if (!Number.isSafeInteger(d.amountFen) || d.amountFen < 0)
      throw invalid('amountFen', 'must be a whole number of fen ≥ 0');
    const base = {
      accountId: d.accountId,
      instanceId: d.instanceId,
      reason: d.reason,
      createdAt: d.at,
      voucherExpiresAt: null,
      actorUserId: d.actorUserId ?? null,
    };
    let left = d.amountFen;
    if (VOUCHER_REASONS.has(d.reason))
      for (const lot of await this.#voucherLots(tx, d.accountId, d.at)) {
        if (left === 0) break;
        const take = Math.min(left, lot.remainingFen);
        await tx.ledger.insert({
          ...base,
          id: newId(fixedClock(d.at)),
          kind: 'voucher',
          amountFen: -take,
          refType: 'voucher',
          refId: lot.entry.id,
          idempotencyKey: `${d.idempotencyKey}:voucher:${lot.entry.id}`,
        });
        left -= take;
      }
    const entry: LedgerEntry = {
      ...base,
      id: newId(fixedClock(d.at)),
      kind: 'cash',
      amountFen: -left,
      refType: d.refType ?? null,
      refId: d.refId ?? null,
      idempotencyKey: d.idempotencyKey,
    };
    await tx.ledger.insert(entry);
    return { entry, fresh: true };
  }

  /** After a debit: a principal below zero starts the overdue period (late fees, G3.4). */
  async #afterDebit(tx: Repos, accountId: string, at: Date): Promise<void> {
    const principal = await tx.ledger.cashBalance(accountId, ['late-fee']);
    if (principal >= 0) return;
    const acct = await tx.commerceAccounts.get(accountId);
    if (!acct || acct.overdueSince) return;
    await tx.commerceAccounts.setOverdueSince(accountId, at);
    const since = at.toISOString();
    await this.#ports.jobs.enqueue(
      {
        kind: JOB.lateFee,
        payload: { accountId, since, day: 1 },
        runAt: new Date(at.getTime() + DAY),
        dedupeKey: `${JOB.lateFee}:${accountId}:${since}:1`,
        clockId: acct.clockId,
      },
      tx,
    );
  }

  // LedgerPort
  async charge(input: Parameters<LedgerPort['charge']>[0]) {
    return this.#tx(input.tx, async (tx) => {
      const { entry, fresh } = await this.#debit(tx, {
        accountId: input.accountId,
        instanceId: input.instanceId,
        amountFen: input.amountFen,
        reason: input.reason,
        idempotencyKey: input.idempotencyKey,
        at: input.at,
        refType: input.detail ? 'detail' : null,
        refId: input.detail ?? null,
      });
      if (fresh) await this.#afterDebit(tx, input.accountId, input.at);
      const cash = await tx.ledger.cashBalance(input.accountId);
      return { entryId: entry.id, covered: cash >= 0, cashBalanceFen: cash };
    });
  }

  async issueVoucher(input: Parameters<LedgerPort['issueVoucher']>[0]) {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0)
      throw invalid('amountFen', 'must be a whole number of fen > 0');
    return this.#tx(input.tx, async (tx) => {
      const seen = await tx.ledger.getByKey(input.idempotencyKey);
      if (seen) return { entryId: seen.id };
      const id = newId(fixedClock(input.at));
      await tx.ledger.insert({
        id,
        accountId: input.accountId,
        kind: 'voucher',
        amountFen: input.amountFen,
        reason: input.reason,
        instanceId: null,
        refType: null,
        refId: null,
        idempotencyKey: input.idempotencyKey,
        createdAt: input.at,
        voucherExpiresAt: input.expiresAt,
        actorUserId: null,
      });
      return { entryId: id };
    });
  }

  async balance(accountId: string): Promise<{ cashFen: Fen; voucherFen: Fen }> {
    const { at } = await this.#clock(accountId);
    const repos = this.#store.repos;
    const cashFen = await repos.ledger.cashBalance(accountId);
    const voucherFen = (await this.#voucherLots(repos, accountId, at)).reduce(
      (s, l) => s + l.remainingFen,
      0,
    );
    return { cashFen, voucherFen };
  }

  feesFor(instanceId: string, from: Date, to: Date): Promise<Fen> {
    return this.#store.repos.ledger.debitsFor(instanceId, ['order', 'settlement'], from, to);
  }

  async statement(accountId: string, q: { from?: Date; to?: Date } = {}): Promise<LedgerEntry[]> {
    await this.account(accountId);
    return this.#store.repos.ledger.list(accountId, q);
  }

  // ---------------------------------------------------------------- settlement (G3.3, ID2)

  async #startSettlement(clockId: string | null, at: Date, tx: Repos): Promise<void> {
    const next = settlementWindow(at.getTime()).end + HOUR;
    await this.#ports.jobs.enqueue(
      {
        kind: JOB.settle,
        payload: { clockId },
        runAt: new Date(next),
        dedupeKey: `${JOB.settle}:${clockId ?? 'wall'}:${new Date(next).toISOString()}`,
        clockId,
      },
      tx,
    );
  }

  /**
   * Settles the hour before the hour containing `at` for one postpaid instance: usage
   * draws on resource packages first (earliest expiry first; what expired is forfeited),
   * the rest is billed at the plan's unit prices. The settlement row and the charge are
   * written together; an hour already settled is left as it is.
   */
  async settleInstance(
    tx: Repos,
    target: { instanceId: string; accountId: string; planId: string },
    at: Date,
  ): Promise<{ settled: boolean; amountFen: Fen; covered: boolean }> {
    const { start, end } = settlementWindow(at.getTime());
    const hourStart = new Date(start);
    const plan = await tx.plans.get(target.planId);
    if (!plan || plan.billing !== 'postpaid')
      return { settled: false, amountFen: 0, covered: true };
    const inserted = await tx.settlements.tryInsert({
      instanceId: target.instanceId,
      hourStart,
      accountId: target.accountId,
      amountFen: 0,
      detail: {},
      createdAt: at,
    });
    if (!inserted) {
      const s = await tx.settlements.get(target.instanceId, hourStart);
      return { settled: false, amountFen: s?.amountFen ?? 0, covered: true };
    }
    const usage = await this.#ports.usage.hour(target.instanceId, hourStart, tx);
    const quantities: Record<string, number> = {
      mau: usage.newActiveUsers,
      authentication: usage.authentications,
    };
    const lines: UsageLine[] = [];
    const detail: Record<string, unknown> = {
      window: { start: hourStart.toISOString(), end: new Date(end).toISOString() },
    };
    for (const [unit, quantity] of Object.entries(quantities)) {
      const unitPrice = plan.unitPrices?.[unit] ?? '0';
      const pkgs = await tx.packages.usable(target.accountId, target.instanceId, unit);
      const asAgreement = pkgs.map((p) => ({
        id: p.id,
        remaining: String(p.remaining),
        expiresAt: p.expiresAt.getTime(),
      }));
      const forfeit = forfeitExpired(asAgreement, start);
      for (const f of forfeit.forfeited) await tx.packages.setRemaining(f.id, 0);
      const draw = drawUsage(forfeit.packages, quantity, start, unitPrice);
      for (const d of draw.drawn) {
        const p = draw.packages.find((x) => x.id === d.id)!;
        await tx.packages.setRemaining(d.id, money(p.remaining).toNumber());
      }
      lines.push({ quantity: draw.overflow, unitPrice });
      detail[unit] = {
        quantity,
        fromPackages: draw.drawn.map((d) => ({ id: d.id, quantity: d.quantity.toNumber() })),
        forfeited: forfeit.forfeited.map((f) => ({ id: f.id, quantity: f.quantity.toNumber() })),
        overflow: draw.overflow.toNumber(),
        unitPrice,
      };
    }
    const amountFen = toFen(hourlyCharge(lines));
    detail.amount = fenToCny(amountFen);
    await tx.settlements.update(target.instanceId, hourStart, amountFen, detail);
    let covered = true;
    if (amountFen > 0) {
      const r = await this.charge({
        accountId: target.accountId,
        instanceId: target.instanceId,
        amountFen,
        reason: 'settlement',
        idempotencyKey: `settle:${target.instanceId}:${hourStart.toISOString()}`,
        at,
        tx,
      });
      covered = r.covered;
    }
    if (!covered)
      await this.#ports.lifecycle.record(target.instanceId, { type: 'arrears' }, at, tx);
    return { settled: true, amountFen, covered };
  }

  /** The hourly job of one clock: settles the previous hour of its postpaid instances, queues the next. */
  async settleClock(tx: Repos, clockId: string | null, now: Date): Promise<number> {
    let n = 0;
    for (const t of await tx.orders.postpaidInstancesOnClock(clockId))
      if ((await this.settleInstance(tx, t, now)).settled) n++;
    await this.#startSettlement(clockId, now, tx);
    return n;
  }

  // ---------------------------------------------------------------- late fees (G3.4)

  /** One day of late fee on the overdue principal (simple: late fees bear none). */
  async accrueLateFee(
    tx: Repos,
    p: { accountId: string; since: string; day: number },
    now: Date,
  ): Promise<Fen> {
    const acct = await tx.commerceAccounts.get(p.accountId);
    if (!acct?.overdueSince || acct.overdueSince.toISOString() !== p.since) return 0;
    const principal = -(await tx.ledger.cashBalance(p.accountId, ['late-fee']));
    if (principal <= 0) {
      await tx.commerceAccounts.setOverdueSince(p.accountId, null);
      return 0;
    }
    const key = `late-fee:${p.accountId}:${p.since}:${p.day}`;
    const seen = await tx.ledger.getByKey(key);
    const fee = seen ? 0 : toFen(lateFeeForDays(money(principal).dividedBy(100), 1));
    if (fee > 0)
      await tx.ledger.insert({
        id: newId(fixedClock(now)),
        accountId: p.accountId,
        kind: 'cash',
        amountFen: -fee,
        reason: 'late-fee',
        instanceId: null,
        refType: null,
        refId: null,
        idempotencyKey: `late-fee:${p.accountId}:${p.since}:${p.day}`,
        createdAt: now,
        voucherExpiresAt: null,
        actorUserId: null,
      });
    const nextDay = p.day + 1;
    await this.#ports.jobs.enqueue(
      {
        kind: JOB.lateFee,
        payload: { accountId: p.accountId, since: p.since, day: nextDay },
        runAt: new Date(Date.parse(p.since) + nextDay * DAY),
        dedupeKey: `${JOB.lateFee}:${p.accountId}:${p.since}:${nextDay}`,
        clockId: acct.clockId,
      },
      tx,
    );
    return fee;
  }

  // ---------------------------------------------------------------- term end, holds

  async onTermEnd(tx: Repos, orderId: string, now: Date): Promise<void> {
    const o = await tx.orders.get(orderId);
    if (!o?.instanceId || o.status !== 'paid' || !o.termEnd) return;
    const current = await tx.orders.currentOf(o.instanceId);
    if (!current || current.id !== o.id) return; // renewed or changed: that order's own job
    if (now.getTime() < o.termEnd.getTime()) return;
    const inst = await tx.instances.get(o.instanceId);
    if (!inst || GONE.has(inst.state)) return;
    await this.#ports.lifecycle.record(o.instanceId, { type: 'expire' }, o.termEnd, tx);
  }

  async onHoldExpired(tx: Repos, orderId: string, now: Date): Promise<void> {
    const o = await tx.orders.get(orderId);
    if (o?.status === 'pending' && now.getTime() >= o.holdUntil.getTime())
      await this.#voidOrder(tx, o, now);
  }

  // ---------------------------------------------------------------- refunds (G9.3.3, G9.3.4)

  async refundOrder(
    accountId: string,
    orderId: string,
    opts: { actorUserId?: string | null } = {},
  ): Promise<{
    order: Order;
    chargeFen: Fen;
    refundFen: Fen;
    cashRefundFen: Fen;
    voucherForfeitedFen: Fen;
  }> {
    const order = await this.order(accountId, orderId);
    if (order.status !== 'paid' || !order.termStart || !order.termEnd)
      throw conflict('order: only a paid subscription order can be refunded', 'order');
    const plan = (await this.#store.repos.plans.get(order.planId))!;
    const { at } = await this.#clock(accountId);
    const paidCny = money(order.amountFen).dividedBy(100);
    const months = periodMonths(plan.period);
    let chargeFen = 0;
    let refundFen = order.amountFen;
    if (at.getTime() >= order.termStart.getTime()) {
      const t = earlyTermination(
        {
          start: order.termStart.getTime(),
          monthlyPrice: paidCny.dividedBy(months),
          paid: paidCny,
        },
        Math.min(at.getTime(), order.termEnd.getTime()),
      );
      chargeFen = toFen(t.charge);
      refundFen = toFen(t.refund);
    }
    const entries = await this.#store.repos.ledger.entriesByRef('order', order.id);
    const voucherPaid = -(await this.#store.repos.ledger.list(accountId, {}))
      .filter(
        (e) => e.kind === 'voucher' && e.idempotencyKey.startsWith(`order:${order.id}:voucher:`),
      )
      .reduce((s, e) => s + e.amountFen, 0);
    const cashPaid = -entries.filter((e) => e.kind === 'cash').reduce((s, e) => s + e.amountFen, 0);
    const split = splitRefund(
      { cash: money(cashPaid).dividedBy(100), voucher: money(voucherPaid).dividedBy(100) },
      money(refundFen).dividedBy(100),
    );
    const cashRefundFen = toFen(split.cash);
    await this.#store.transaction(async (tx) => {
      if (!(await tx.orders.markRefunded(order.id, at)))
        throw conflict('order: was refunded meanwhile', 'order');
      const before = await tx.ledger.cashBalance(accountId);
      if (cashRefundFen > 0) {
        await tx.ledger.insert({
          id: newId(fixedClock(at)),
          accountId,
          kind: 'cash',
          amountFen: cashRefundFen,
          reason: 'refund',
          instanceId: order.instanceId,
          refType: 'order',
          refId: order.id,
          idempotencyKey: `refund:${order.id}`,
          createdAt: at,
          voucherExpiresAt: null,
          actorUserId: opts.actorUserId ?? null,
        });
        await this.#afterCredit(tx, accountId, before, at);
      }
    });
    return {
      order: (await this.#store.repos.orders.get(order.id))!,
      chargeFen,
      refundFen,
      cashRefundFen,
      voucherForfeitedFen: toFen(split.voucherForfeited),
    };
  }

  // ---------------------------------------------------------------- invoices

  /** The monthly invoice of an account for the calendar month (agreement zone) containing `month`. */
  async issueInvoice(accountId: string, month: Date, tx?: Repos): Promise<Invoice> {
    return this.#tx(tx, async (r) => {
      const start = startOfMonth(AGREEMENT_ZONE, month.getTime());
      const end = startOfMonth(AGREEMENT_ZONE, start, 1);
      const z = zoned(AGREEMENT_ZONE, start);
      const ym = `${z.year}${String(z.month).padStart(2, '0')}`;
      const number = `INV-${ym}-${accountId.replace(/-/g, '').slice(-12).toUpperCase()}`;
      const seen = await r.invoices.getByNumber(number);
      if (seen) return seen;
      const debits = (
        await r.ledger.list(accountId, { from: new Date(start), to: new Date(end) })
      ).filter((e) => e.amountFen < 0);
      const groups = new Map<string, InvoiceLine>();
      for (const e of debits) {
        const key = `${e.reason}|${e.instanceId ?? ''}`;
        const line = groups.get(key) ?? {
          description: describe(e.reason),
          reason: e.reason,
          instanceId: e.instanceId,
          amountFen: 0,
        };
        line.amountFen += -e.amountFen;
        groups.set(key, line);
      }
      const lines = [...groups.values()];
      const amountFen = lines.reduce((s, l) => s + l.amountFen, 0);
      const issuedAt = new Date(
        Math.max(end, (await r.commerceAccounts.get(accountId))?.createdAt.getTime() ?? end),
      );
      const paid = (await r.ledger.cashBalance(accountId)) >= 0;
      const invoice: Invoice = {
        id: newId(fixedClock(issuedAt)),
        accountId,
        number,
        periodStart: new Date(start),
        periodEnd: new Date(end),
        amountFen,
        lines,
        status: paid ? 'paid' : 'issued',
        issuedAt,
        dueAt: new Date(issuedAt.getTime() + 7 * DAY),
        paidAt: paid ? issuedAt : null,
      };
      await r.invoices.insert(invoice);
      return invoice;
    });
  }

  /** Monthly job of a clock: invoices the previous month of its accounts, queues the next. */
  async invoiceClock(tx: Repos, clockId: string | null, now: Date): Promise<void> {
    const prev = new Date(startOfMonth(AGREEMENT_ZONE, now.getTime(), -1));
    for (const id of await tx.commerceAccounts.idsOnClock(clockId))
      await this.issueInvoice(id, prev, tx);
    await this.startInvoicing(clockId, now, tx);
  }

  async startInvoicing(clockId: string | null, at: Date, tx: Repos): Promise<void> {
    const next = new Date(startOfMonth(AGREEMENT_ZONE, at.getTime(), 1));
    await this.#ports.jobs.enqueue(
      {
        kind: JOB.invoices,
        payload: { clockId },
        runAt: next,
        dedupeKey: `${JOB.invoices}:${clockId ?? 'wall'}:${next.toISOString()}`,
        clockId,
      },
      tx,
    );
  }

  async invoices(accountId: string): Promise<Invoice[]> {
    await this.account(accountId);
    return this.#store.repos.invoices.listByAccount(accountId);
  }

  /** Registers the job handlers of commerce with the durable queue. */
  registerJobs(jobs: JobQueue): void {
    const str = (v: unknown, name: string): string => {
      if (typeof v !== 'string') throw new Error(`job payload: ${name} must be a string`);
      return v;
    };
    const clockOf = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    jobs.register(JOB.voidOrder, (j) =>
      this.onHoldExpired(j.tx, str(j.payload.orderId, 'orderId'), j.now),
    );
    jobs.register(JOB.termEnd, (j) =>
      this.onTermEnd(j.tx, str(j.payload.orderId, 'orderId'), j.now),
    );
    jobs.register(JOB.settle, async (j) => {
      await this.settleClock(j.tx, clockOf(j.payload.clockId), j.now);
    });
    jobs.register(JOB.invoices, (j) => this.invoiceClock(j.tx, clockOf(j.payload.clockId), j.now));
    jobs.register(JOB.lateFee, async (j) => {
      await this.accrueLateFee(
        j.tx,
        {
          accountId: str(j.payload.accountId, 'accountId'),
          since: str(j.payload.since, 'since'),
          day: Number(j.payload.day),
        },
        j.now,
      );
    });
  }
}

function describe(reason: string): string {
  switch (reason) {
    case 'order':
      return 'Subscriptions and packages';
    case 'settlement':
      return 'Pay-as-you-go usage';
    case 'late-fee':
      return 'Late fees (G3.4)';
    default:
      return reason;
  }
}

/** What is left of a paid term's prepayment at `at` (G9.3.3 math), in fen. */
function unconsumedFen(order: Order, plan: Plan, at: Date): Fen {
  if (order.status !== 'paid' || !order.termStart || !order.termEnd || order.amountFen === 0)
    return 0;
  if (at.getTime() >= order.termEnd.getTime()) return 0;
  if (at.getTime() <= order.termStart.getTime()) return order.amountFen;
  const paid = money(order.amountFen).dividedBy(100);
  const t = earlyTermination(
    {
      start: order.termStart.getTime(),
      monthlyPrice: paid.dividedBy(periodMonths(plan.period)),
      paid,
    },
    at.getTime(),
  );
  return toFen(t.refund);
}

function validatePlan(p: PlanSeed): void {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(p.code))
    throw invalid('code', 'must be 2-63 lowercase letters, digits or hyphens');
  if (!p.name.trim()) throw invalid('name', 'is required');
  if (!Number.isSafeInteger(p.priceFen) || p.priceFen < 0) throw invalid('price', 'must be ≥ 0');
  if ((p.billing === 'subscription' || p.billing === 'trial') && !p.period)
    throw invalid('period', 'a subscription needs a period (month or year)');
  if (p.billing === 'postpaid' && !p.unitPrices)
    throw invalid('unit_prices', 'a postpaid plan needs unit prices');
  for (const [unit, price] of Object.entries(p.unitPrices ?? {}))
    if (!/^\d{1,9}(\.\d{1,6})?$/.test(price))
      throw invalid(`unit_prices.${unit}`, 'must be a decimal ≥ 0');
  if (p.billing === 'package') {
    if (!p.packageQuantity || !Object.keys(p.packageQuantity).length)
      throw invalid('package_quantity', 'a package needs its quantity');
    for (const [unit, q] of Object.entries(p.packageQuantity))
      if (!/^[1-9]\d{0,12}$/.test(q))
        throw invalid(`package_quantity.${unit}`, 'must be a whole number > 0');
    if (!p.packageDays || p.packageDays <= 0) throw invalid('package_days', 'must be > 0');
  }
  if (!['ID1', 'ID2'].includes(p.policy)) throw invalid('policy', 'must be ID1 or ID2');
}
