// Operations on both stores: metering (exact counts), SLA (availability, maintenance,
// credit tiers and cap, claim window, vouchers), tickets (flow, first response,
// notifications), agreement versions (G14.2), notices (retries, deemed delivery) and
// lifecycle notices (before/after transitions).
//
// The job queue is ManualJobQueue (runs due jobs on demand, in store transactions);
// the ledger port is a small implementation over this store's ledger_entries (fees) that
// records vouchers in memory, standing in for commerce's LedgerPort until it lands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { evolve, initialState, policyByKey, type InstanceState } from '@idaas/agreement';
import type { AppError } from '@idaas/core';
import { ManualClock, type LedgerPort } from '@idaas/core';
import {
  createOperations,
  defaultOperationsOptions,
  type ChannelSenders,
  type NoticeRenderer,
  type Operations,
} from '@idaas/core/business/operations/index';
import {
  ManualJobQueue,
  fixedClocks,
  plainRenderer,
} from '@idaas/core/business/operations/testing';
import { availableStoreKinds, freshStore, type TestStore } from '../testing.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

class StoreFeesLedger implements LedgerPort {
  vouchers: { accountId: string; amountFen: number; idempotencyKey: string }[] = [];
  readonly #t: TestStore;
  constructor(t: TestStore) {
    this.#t = t;
  }
  async charge(): Promise<never> {
    throw new Error('not used by operations');
  }
  async issueVoucher(input: Parameters<LedgerPort['issueVoucher']>[0]) {
    if (!this.vouchers.some((v) => v.idempotencyKey === input.idempotencyKey))
      this.vouchers.push({
        accountId: input.accountId,
        amountFen: input.amountFen,
        idempotencyKey: input.idempotencyKey,
      });
    return { entryId: input.idempotencyKey };
  }
  async balance() {
    return { cashFen: 0, voucherFen: this.vouchers.reduce((s, v) => s + v.amountFen, 0) };
  }
  async feesFor(instanceId: string, from: Date, to: Date) {
    const rows = await this.#t.store.db
      .selectFrom('ledger_entries')
      .select('amount_fen')
      .where('instance_id', '=', instanceId)
      .where('kind', '=', 'cash')
      .where('amount_fen', '<', 0)
      .where('created_at', '>=', from.toISOString())
      .where('created_at', '<', to.toISOString())
      .execute();
    return rows.reduce((s, r) => s - Number(r.amount_fen), 0);
  }
}

async function seedAccount(
  t: TestStore,
  id: string,
  opts: { kind?: string; locale?: string; email?: string | null; postal?: string | null } = {},
) {
  await t.store.db
    .insertInto('accounts')
    .values({
      id,
      kind: opts.kind ?? 'customer',
      name: id,
      owner_email: null,
      created_at: '2026-01-01T00:00:00.000Z',
      clock_id: null,
      status: 'active',
    } as never)
    .execute();
  if (opts.kind !== 'operator')
    await t.store.db
      .insertInto('account_contacts')
      .values({
        account_id: id,
        email: opts.email === undefined ? `${id}@example.com` : opts.email,
        phone: '+8613800000000',
        postal_address: opts.postal ?? null,
        locale: opts.locale ?? 'en',
        updated_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
}

async function seedInstance(t: TestStore, id: string, accountId: string) {
  await t.store.db
    .insertInto('instances')
    .values({
      id,
      account_id: accountId,
      slug: id,
      display_name: id,
      region: 'cn-shanghai',
      state: 'active',
      platform: 0,
      config_version: 1,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
}

async function seedFee(
  t: TestStore,
  instanceId: string,
  accountId: string,
  fen: number,
  at: string,
) {
  await t.store.db
    .insertInto('ledger_entries')
    .values({
      id: `fee-${instanceId}-${at}`,
      account_id: accountId,
      kind: 'cash',
      amount_fen: -fen,
      reason: 'order',
      instance_id: instanceId,
      ref_type: null,
      ref_id: null,
      idempotency_key: `fee-${instanceId}-${at}`,
      created_at: at,
      voucher_expires_at: null,
      actor_user_id: null,
    })
    .execute();
}

async function seedPlanOrder(t: TestStore, instanceId: string, accountId: string, sla: boolean) {
  const plan = `pln-${instanceId}`;
  await t.store.db
    .insertInto('plans')
    .values({
      id: plan,
      code: plan,
      name: plan,
      billing: sla ? 'subscription' : 'trial',
      period: 'month',
      price_fen: 0,
      currency: 'CNY',
      policy: 'ID1',
      unit_prices: null,
      package_quantity: null,
      package_days: null,
      sla: sla ? 1 : 0,
      active: 1,
      created_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
  await t.store.db
    .insertInto('orders')
    .values({
      id: `ord-${instanceId}`,
      account_id: accountId,
      kind: 'new',
      plan_id: plan,
      instance_id: instanceId,
      instance_slug: instanceId,
      status: 'paid',
      amount_fen: 0,
      created_at: '2026-01-01T00:00:00.000Z',
      hold_until: '2026-01-08T00:00:00.000Z',
      paid_at: '2026-01-01T00:00:00.000Z',
      voided_at: null,
      term_start: null,
      term_end: null,
      actor_user_id: null,
    })
    .execute();
}

const okSenders: ChannelSenders = {
  email: async () => ({ transport: 'smtp' }),
  sms: async () => ({ transport: 'sms-log' }),
};

function harness(t: TestStore, clock: ManualClock, renderer: NoticeRenderer = plainRenderer) {
  const jobs = new ManualJobQueue(t.store);
  const ledger = new StoreFeesLedger(t);
  const ops = createOperations(
    {
      store: t.store,
      clock,
      clocks: fixedClocks(clock),
      jobs,
      ledger,
      renderer,
      options: { ...defaultOperationsOptions, publicUrl: 'https://idaas.example' },
    },
    Buffer.alloc(32, 7),
  );
  ops.register(okSenders, { onTransition: () => {} });
  return { jobs, ledger, ops };
}

for (const kind of availableStoreKinds()) {
  describe(`operations on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await freshStore(kind);
      await seedAccount(t, 'op', { kind: 'operator' });
      await seedAccount(t, 'acme', { locale: 'en', postal: '1 Road, Shanghai' });
      await seedAccount(t, 'beta', { locale: 'zh-CN', email: null });
      for (const i of ['ins-a', 'ins-b', 'ins-c', 'ins-t', 'ins-l1', 'ins-l2'])
        await seedInstance(t, i, 'acme');
    });
    after(async () => {
      await t?.dispose();
    });

    test('metering: authentications per hour and distinct monthly active users, exactly', async () => {
      const { ops } = harness(t, new ManualClock('2026-02-10T00:00:00Z'));
      const m = ops.meter;
      const at = (s: string) => new Date(s);
      m.record({
        kind: 'authenticated',
        instanceId: 'ins-a',
        userId: 'u1',
        at: at('2026-02-10T10:05:00Z'),
      });
      m.record({
        kind: 'authenticated',
        instanceId: 'ins-a',
        userId: 'u1',
        at: at('2026-02-10T10:40:00Z'),
      });
      m.record({
        kind: 'tokenIssued',
        instanceId: 'ins-a',
        userId: 'u2',
        grantType: 'refresh_token',
        at: at('2026-02-10T10:20:00Z'),
      });
      await m.flush();
      m.record({
        kind: 'tokenIssued',
        instanceId: 'ins-a',
        userId: 'u3',
        grantType: 'authorization_code',
        at: at('2026-02-10T10:30:00Z'),
      });
      m.record({
        kind: 'tokenIssued',
        instanceId: 'ins-a',
        userId: null,
        grantType: 'client_credentials',
        at: at('2026-02-10T10:31:00Z'),
      });
      m.record({
        kind: 'authenticated',
        instanceId: 'ins-a',
        userId: 'u1',
        at: at('2026-02-10T11:10:00Z'),
      });
      m.record({
        kind: 'authenticated',
        instanceId: 'ins-b',
        userId: 'u1',
        at: at('2026-02-10T11:11:00Z'),
      });
      // 00:30 on 1 March in Shanghai: the March month, though still February in UTC
      m.record({
        kind: 'authenticated',
        instanceId: 'ins-a',
        userId: 'u1',
        at: at('2026-02-28T16:30:00Z'),
      });
      await m.flush();
      // many events over several concurrent flushes: nothing lost, nothing doubled
      const flushes: Promise<void>[] = [];
      for (let i = 0; i < 300; i++) {
        m.record({
          kind: 'authenticated',
          instanceId: 'ins-a',
          userId: `bulk-${i % 40}`,
          at: at('2026-02-10T12:15:00Z'),
        });
        if (i % 50 === 0) flushes.push(m.flush());
      }
      flushes.push(m.flush());
      await Promise.all(flushes);
      assert.equal(m.pending, 0);

      assert.deepEqual(await m.hour('ins-a', at('2026-02-10T10:00:00Z')), {
        authentications: 3,
        newActiveUsers: 3,
      });
      assert.deepEqual(await m.hour('ins-a', at('2026-02-10T11:00:00Z')), {
        authentications: 1,
        newActiveUsers: 0,
      });
      assert.deepEqual(await m.hour('ins-a', at('2026-02-10T12:00:00Z')), {
        authentications: 300,
        newActiveUsers: 40,
      });
      assert.deepEqual(await m.hour('ins-b', at('2026-02-10T11:00:00Z')), {
        authentications: 1,
        newActiveUsers: 1,
      });
      assert.deepEqual(await m.hour('ins-a', at('2026-02-10T13:00:00Z')), {
        authentications: 0,
        newActiveUsers: 0,
      });
      assert.equal(await m.monthlyActiveUsers('ins-a', '2026-02'), 43);
      assert.equal(await m.monthlyActiveUsers('ins-a', '2026-03'), 1);
      assert.equal(await m.monthlyActiveUsers('ins-b', '2026-02'), 1);
      // summing the month's hours gives its MAU (UsagePort contract)
      const hours = await t.store.repos.metering.hours(
        'ins-a',
        at('2026-01-31T16:00:00Z'),
        at('2026-02-28T16:00:00Z'),
      );
      assert.equal(
        hours.reduce((s, h) => s + h.newActiveUsers, 0),
        43,
      );
      // a keyed hash is stored, never the user id
      const refs = await t.store.db.selectFrom('monthly_active_users').select('user_ref').execute();
      assert.ok(refs.every((r) => !/^u\d$|^bulk-/.test(r.user_ref)));
      assert.equal(refs.length, 43 + 1 + 1); // + March on ins-a, February on ins-b
    });

    test('SLA: availability from 5-minute windows, maintenance excluded, 4xx not counted', async () => {
      const clock = new ManualClock('2026-03-01T00:00:00Z');
      const { ops } = harness(t, clock);
      // 1 Mar 2026 00:00 Shanghai = 28 Feb 16:00 UTC; 31 days × 288 windows = 8928
      const w1 = new Date('2026-03-02T01:00:00Z');
      for (let i = 0; i < 100; i++) ops.sla.recordRequest('ins-a', i < 10 ? 503 : 200, w1);
      for (let i = 0; i < 50; i++) ops.sla.recordRequest('ins-a', 404, w1);
      for (let i = 0; i < 50; i++) ops.sla.recordRequest('ins-a', 403, w1); // arrears refusals
      const maintStart = new Date('2026-03-05T02:00:00Z');
      await ops.sla.addMaintenance({
        instanceId: 'ins-a',
        startsAt: maintStart,
        endsAt: new Date(maintStart.getTime() + HOUR),
        description: 'database upgrade',
      });
      for (let i = 0; i < 10; i++)
        ops.sla.recordRequest('ins-a', 500, new Date(maintStart.getTime() + 10 * 60_000));
      await ops.sla.flush();
      const r = await ops.sla.report('ins-a', '2026-03');
      assert.equal(r.windows, 8928 - 12);
      assert.equal(r.excludedWindows, 12);
      assert.equal(r.validRequests, 100);
      assert.equal(r.failedRequests, 10);
      // (1 − 0.1 / 8916) × 100
      assert.equal(r.availability, '99.9989');
      assert.equal(r.met, true);
      assert.equal(r.creditPercent, 0);
      assert.equal(r.terminationRightFrom, null);
      await assert.rejects(
        ops.sla.addMaintenance({
          instanceId: null,
          startsAt: new Date('2026-03-10T00:00:00Z'),
          endsAt: new Date('2026-03-09T00:00:00Z'),
          description: 'x',
        }),
        (e: AppError) => e.code === 'validation_failed' && e.issues[0]?.field === 'endsAt',
      );
    });

    test('SLA: credit tiers, the cap at the month fee, the claim window, vouchers, the 72-hour right', async () => {
      const clock = new ManualClock('2026-04-01T00:00:00Z');
      const { ops, ledger } = harness(t, clock);
      const monthStart = new Date('2026-02-28T16:00:00Z').getTime();
      // ins-b: 100 windows where every request failed → 100 − 100/8928×100 = 98.88 % → 25 %
      for (let i = 0; i < 100; i++)
        ops.sla.recordRequest('ins-b', 500, new Date(monthStart + (2 * i + 1) * 300_000));
      // ins-c: 900 consecutive failing windows (75 h) → 89.9 % → 100 %, capped at the fee
      for (let i = 0; i < 900; i++)
        ops.sla.recordRequest('ins-c', 502, new Date(monthStart + DAY + i * 300_000));
      await ops.sla.flush();
      await seedFee(t, 'ins-b', 'acme', 99900, '2026-03-01T00:00:00.000Z');
      await seedFee(t, 'ins-c', 'acme', 50000, '2026-03-03T00:00:00.000Z');
      await seedFee(t, 'ins-c', 'acme', 700, '2026-04-03T00:00:00.000Z'); // April: not this month

      const rb = await ops.sla.report('ins-b', '2026-03');
      assert.equal(rb.availability, '98.8799');
      assert.equal(rb.creditPercent, 25);
      assert.equal(rb.feeFen, 99900);
      assert.equal(rb.creditFen, 24975);
      assert.equal(rb.terminationRightFrom, null); // failures never 72 h in a row
      const rc = await ops.sla.report('ins-c', '2026-03');
      assert.equal(rc.creditPercent, 100);
      assert.equal(rc.creditFen, 50000);
      assert.equal(
        rc.terminationRightFrom?.toISOString(),
        new Date(monthStart + DAY + 72 * HOUR).toISOString(),
      );

      // April 2026: 1 Wed, 2 Thu, 3 Fri, 6 Mon, 7 Tue → claims open 7 April 00:00 Shanghai
      clock.set('2026-04-06T15:59:59Z');
      await assert.rejects(
        ops.sla.claim('ins-b', '2026-03'),
        (e: AppError) => e.status === 409 && e.issues[0]?.field === 'month',
      );
      assert.equal(ledger.vouchers.length, 0);
      clock.set('2026-04-06T16:00:00Z');
      const cb = await ops.sla.claim('ins-b', '2026-03');
      assert.equal(cb.creditFen, 24975);
      assert.equal(cb.status, 'credited');
      assert.deepEqual(ledger.vouchers, [
        { accountId: 'acme', amountFen: 24975, idempotencyKey: 'sla-credit:ins-b:2026-03' },
      ]);
      await assert.rejects(
        ops.sla.claim('ins-b', '2026-03'),
        (e: AppError) => e.status === 409 && e.issues[0]?.field === 'month',
      );
      assert.equal((await ops.sla.report('ins-b', '2026-03')).creditFen, 0); // nothing left to credit
      // the window closes at the end of the second month after (1 June 00:00 Shanghai)
      clock.set('2026-05-31T16:00:00Z');
      await assert.rejects(ops.sla.claim('ins-c', '2026-03'), (e: AppError) => e.status === 409);
      clock.set('2026-05-31T15:59:59Z');
      assert.equal((await ops.sla.claim('ins-c', '2026-03')).creditFen, 50000);
      assert.equal(ledger.vouchers.length, 2);
      await assert.rejects(
        ops.sla.report('ins-c', '2026-13'),
        (e: AppError) => e.issues[0]?.field === 'month',
      );
    });

    test('SLA: free trials have no SLA (G5.8)', async () => {
      const clock = new ManualClock('2026-04-10T00:00:00Z');
      const { ops, ledger } = harness(t, clock);
      await seedPlanOrder(t, 'ins-t', 'acme', false);
      const monthStart = new Date('2026-02-28T16:00:00Z').getTime();
      for (let i = 0; i < 50; i++)
        ops.sla.recordRequest('ins-t', 500, new Date(monthStart + i * 300_000));
      await ops.sla.flush();
      const r = await ops.sla.report('ins-t', '2026-03');
      assert.equal(r.freeTrial, true);
      assert.equal(r.creditFen, 0);
      await assert.rejects(
        ops.sla.claim('ins-t', '2026-03'),
        (e: AppError) => e.status === 409 && e.issues[0]?.field === 'instance',
      );
      assert.equal(ledger.vouchers.length, 0);
    });

    test('tickets: status flow, first-response tracking, both sides notified', async () => {
      const clock = new ManualClock('2026-03-10T08:00:00Z');
      const { ops } = harness(t, clock);
      const tk = await ops.tickets.open({
        accountId: 'acme',
        instanceId: 'ins-a',
        kind: 'fault',
        severity: 2,
        subject: 'sign-in fails',
        body: 'users get 500',
        openedBy: 'user-1',
      });
      assert.equal(tk.status, 'open');
      assert.equal(tk.responseDueAt.toISOString(), '2026-03-10T12:00:00.000Z'); // severity 2: 4 h
      const inbox = async (acct: string) =>
        (await ops.notices.inbox(acct, { limit: 50, cursor: null })).items.filter((n) =>
          n.template.startsWith('ticket.'),
        );
      assert.deepEqual(
        (await inbox('acme')).map((n) => n.template),
        ['ticket.opened'],
      );
      assert.deepEqual(
        (await inbox('op')).map((n) => n.template),
        ['ticket.operator.opened'],
      );
      await assert.rejects(
        ops.tickets.transition(tk.id, { kind: 'customer', id: null }, 'answered'),
        (e: AppError) => e.status === 409 && e.issues[0]?.field === 'status',
      );
      assert.deepEqual(await ops.tickets.breaches(new Date('2026-03-10T11:59:00Z')), []);
      assert.deepEqual(
        (await ops.tickets.breaches(new Date('2026-03-10T12:01:00Z'))).map((x) => x.id),
        [tk.id],
      );
      clock.set('2026-03-10T13:00:00Z'); // an hour late
      const r1 = await ops.tickets.reply(tk.id, { kind: 'operator', id: 'admin' }, 'looking');
      assert.equal(r1.ticket.status, 'answered');
      assert.equal(r1.ticket.firstResponseAt?.toISOString(), '2026-03-10T13:00:00.000Z');
      assert.deepEqual(
        (await ops.tickets.breaches(new Date('2026-03-11T00:00:00Z'))).map((x) => x.id),
        [tk.id],
      );
      clock.set('2026-03-10T14:00:00Z');
      const r2 = await ops.tickets.reply(tk.id, { kind: 'customer', id: 'user-1' }, 'still');
      assert.equal(r2.ticket.status, 'open');
      assert.equal(r2.ticket.firstResponseAt?.toISOString(), '2026-03-10T13:00:00.000Z');
      await ops.tickets.reply(tk.id, { kind: 'operator', id: 'admin' }, 'fixed');
      assert.equal(
        (await ops.tickets.transition(tk.id, { kind: 'operator', id: 'admin' }, 'resolved')).status,
        'resolved',
      );
      assert.equal(
        (await ops.tickets.transition(tk.id, { kind: 'customer', id: null }, 'closed')).status,
        'closed',
      );
      await assert.rejects(
        ops.tickets.transition(tk.id, { kind: 'customer', id: null }, 'open'),
        (e: AppError) => e.status === 409,
      );
      await assert.rejects(
        ops.tickets.reply(tk.id, { kind: 'customer', id: null }, 'again'),
        (e: AppError) => e.status === 409,
      );
      const got = await ops.tickets.get(tk.id);
      assert.deepEqual(
        got.messages.map((m) => [m.authorKind, m.body]),
        [
          ['customer', 'users get 500'],
          ['operator', 'looking'],
          ['customer', 'still'],
          ['operator', 'fixed'],
        ],
      );
      assert.deepEqual((await inbox('acme')).map((n) => n.template).sort(), [
        'ticket.answered',
        'ticket.answered',
        'ticket.closed',
        'ticket.opened',
        'ticket.replied',
        'ticket.resolved',
      ]);
      await assert.rejects(
        ops.tickets.open({
          accountId: 'acme',
          instanceId: null,
          kind: 'fault',
          severity: 5,
          subject: 's',
          body: 'b',
          openedBy: null,
        }),
        (e: AppError) => e.issues[0]?.field === 'severity',
      );
    });

    test('agreement versions: < 30 days refused naming effective_at; acceptance by continued use', async () => {
      const clock = new ManualClock('2026-03-01T00:00:00Z');
      const { ops, jobs } = harness(t, clock);
      await assert.rejects(
        ops.agreements.publish({
          version: '2026-04',
          summary: 'new terms',
          effectiveAt: new Date('2026-03-30T23:59:59Z'),
        }),
        (e: AppError) => e.code === 'validation_failed' && e.issues[0]?.field === 'effectiveAt',
      );
      assert.deepEqual(await ops.agreements.list(), []);
      const v = await ops.agreements.publish({
        version: '2026-04',
        summary: 'new terms',
        effectiveAt: new Date('2026-03-31T00:00:00Z'), // exactly 30 days: allowed
      });
      await assert.rejects(
        ops.agreements.publish({
          version: '2026-04',
          summary: 'again',
          effectiveAt: new Date('2026-05-31T00:00:00Z'),
        }),
        (e: AppError) => e.status === 409,
      );
      for (const acct of ['acme', 'beta']) {
        const n = (await ops.notices.inbox(acct, { limit: 50, cursor: null })).items.filter(
          (x) => x.template === 'agreement.published',
        );
        assert.equal(n.length, 1, acct);
        assert.equal(n[0]!.clause, 'G14.2');
      }
      const opInbox = (await ops.notices.inbox('op', { limit: 50, cursor: null })).items;
      assert.ok(!opInbox.some((x) => x.template === 'agreement.published'));
      clock.set('2026-03-05T00:00:00Z');
      const explicit = await ops.agreements.accept(v.id, 'acme');
      assert.equal(explicit.how, 'explicit');
      await jobs.runDue(new Date('2026-03-30T23:59:59Z'));
      assert.equal((await ops.agreements.acceptances(v.id)).length, 1);
      await jobs.runDue(new Date('2026-03-31T00:00:00Z'));
      const acc = await ops.agreements.acceptances(v.id);
      assert.deepEqual(
        acc.map((a) => [a.accountId, a.how, a.acceptedAt.toISOString()]),
        [
          ['acme', 'explicit', '2026-03-05T00:00:00.000Z'],
          ['beta', 'continued-use', '2026-03-31T00:00:00.000Z'],
        ],
      );
    });

    test('notices: channels, dedupe, retries then sent; failed after max attempts; paper deemed delivered on natural day 5; refused recipient still delivered (G11.4)', async () => {
      const clock = new ManualClock('2026-03-01T00:00:00Z');
      const paperRenderer: NoticeRenderer = {
        ...plainRenderer,
        channels: () => ['email', 'sms', 'paper'],
      };
      const { ops, jobs } = harness(t, clock, paperRenderer);
      let fails = 2;
      const sent: string[] = [];
      const senders: ChannelSenders = {
        email: async (m) => {
          if (m.subject.includes('doomed')) throw new Error('connect ECONNREFUSED');
          if (fails-- > 0) throw new Error('421 try later');
          sent.push(m.to);
          return { transport: 'smtp', ...(m.to.startsWith('acme') ? {} : { rejected: m.to }) };
        },
        sms: async () => ({ transport: 'sms-log' }),
      };
      jobs.register('notice.send', (job) => ops.notices.deliver(job, senders).then(() => {}));
      const at = new Date('2026-03-01T10:00:00Z'); // 18:00 Shanghai
      const input = {
        accountId: 'acme',
        instanceId: 'ins-a',
        template: 'test.notice',
        vars: { n: 1 },
        clause: 'G11.3',
        dedupeKey: 'k1',
        at,
      };
      await ops.notices.notify(input);
      await ops.notices.notify(input); // deduplicated
      const all = async () => (await ops.notices.list('acme', { limit: 100, cursor: null })).items;
      const mine = async () => (await all()).filter((n) => n.dedupeKey?.startsWith('k1:'));
      assert.deepEqual((await mine()).map((n) => n.channel).sort(), [
        'email',
        'in-site',
        'paper',
        'sms',
      ]);
      const inSite = (await mine()).find((n) => n.channel === 'in-site')!;
      assert.equal(inSite.status, 'sent');
      assert.equal(inSite.deliveredAt?.toISOString(), at.toISOString());
      assert.equal(jobs.pending('notice.send').length, 3);

      await jobs.runDue(at); // email fails once (retry in 1 min); sms sent; paper posted
      let email = (await mine()).find((n) => n.channel === 'email')!;
      assert.equal(email.status, 'queued');
      assert.equal(email.attempts, 1);
      assert.equal(email.error, '421 try later');
      const paper = (await mine()).find((n) => n.channel === 'paper')!;
      assert.equal(paper.status, 'posted');
      assert.equal(paper.address, '1 Road, Shanghai');
      // posted 1 March (Shanghai) → delivered 00:00 on 6 March Shanghai = 5 March 16:00 UTC
      assert.equal(paper.deliveredAt?.toISOString(), '2026-03-05T16:00:00.000Z');
      assert.equal((await mine()).find((n) => n.channel === 'sms')!.status, 'sent');
      await jobs.runDue(new Date(at.getTime() + 60_000)); // fails again, next in 5 min
      await jobs.runDue(new Date(at.getTime() + 6 * 60_000));
      email = (await mine()).find((n) => n.channel === 'email')!;
      assert.equal(email.status, 'sent');
      assert.equal(email.attempts, 3);
      assert.equal(email.sentAt?.toISOString(), new Date(at.getTime() + 6 * 60_000).toISOString());
      assert.equal(email.deliveredAt?.toISOString(), email.sentAt?.toISOString());
      assert.equal(email.transport, 'smtp');
      // the job running again (at least once) does not send again
      const again = await t.store.transaction((tx) =>
        ops.notices.deliver(
          { payload: { noticeId: email.id }, now: at, clockId: null, tx },
          senders,
        ),
      );
      assert.equal(again, 'skipped');
      assert.deepEqual(sent, ['acme@example.com']);

      // a transport that never works: failed after 5 attempts
      await ops.notices.notify({ ...input, dedupeKey: 'k2', template: 'doomed' });
      for (let i = 0; i < 10; i++) await jobs.runDue(new Date(at.getTime() + i * DAY));
      const doomed = (await all()).find((n) => n.dedupeKey === 'k2:email')!;
      assert.equal(doomed.status, 'failed');
      assert.equal(doomed.attempts, 5);
      assert.equal(doomed.deliveredAt, null);

      // beta has no email on file: in-site and SMS only; acme is read in its inbox
      await ops.notices.notify({ ...input, accountId: 'beta', dedupeKey: 'k3' });
      const beta = (await ops.notices.list('beta', { limit: 100, cursor: null })).items.filter(
        (n) => n.dedupeKey?.startsWith('k3:'),
      );
      assert.deepEqual(beta.map((n) => n.channel).sort(), ['in-site', 'sms']);
      assert.equal(beta[0]!.locale, 'zh-CN');
      const read = await ops.notices.read('acme', inSite.id);
      assert.ok(read.readAt);
      await assert.rejects(ops.notices.read('beta', inSite.id), (e: AppError) => e.status === 404);
    });

    test('lifecycle notices: after each transition, and before the next one with what, when and clause', async () => {
      const clock = new ManualClock('2026-03-01T00:00:00Z');
      const { ops, jobs } = harness(t, clock);
      jobs.register('notice.send', (job) => ops.notices.deliver(job, okSenders).then(() => {}));
      jobs.register('notice.before', (job) => ops.lifecycleNotices.before(job).then(() => {}));
      const id2 = policyByKey('ID2')!;
      const t0 = new Date('2026-03-01T00:00:00Z').getTime();
      let s: InstanceState = evolve(initialState(id2), { type: 'activate' }, t0).state;
      s = evolve(s, { type: 'arrears' }, t0 + HOUR).state; // grace; suspended 24 h later
      const writeLc = async (instanceId: string, st: InstanceState) => {
        await t.store.db
          .insertInto('lifecycles')
          .values({
            instance_id: instanceId,
            account_id: 'acme',
            policy: st.policy,
            state: st.state,
            clause: null,
            engine: JSON.stringify(st),
            next_due_at: null,
            clock_id: null,
            version: 1,
            updated_at: new Date(t0).toISOString(),
          })
          .onConflict((oc) =>
            oc.column('instance_id').doUpdateSet({ state: st.state, engine: JSON.stringify(st) }),
          )
          .execute();
      };
      await writeLc('ins-l1', s);
      const arrearsAt = new Date(t0 + HOUR);
      await t.store.transaction((tx) =>
        ops.lifecycleNotices.onTransition(
          {
            instanceId: 'ins-l1',
            accountId: 'acme',
            at: arrearsAt,
            from: 'active',
            to: 'grace',
            cause: 'arrears',
            clause: 'ID2',
            effects: ['billing-continues'],
          },
          tx,
        ),
      );
      await jobs.runDue(arrearsAt);
      const notices = async (instanceId: string) =>
        (await ops.notices.inbox('acme', { limit: 100, cursor: null })).items.filter(
          (n) => n.instanceId === instanceId,
        );
      // suspension is 24 h away, inside the 48 h lead: the notice before it goes at once
      const l1 = await notices('ins-l1');
      assert.deepEqual(l1.map((n) => n.template).sort(), [
        'lifecycle.after.grace',
        'lifecycle.before.suspended',
      ]);
      const beforeSusp = l1.find((n) => n.template === 'lifecycle.before.suspended')!;
      assert.equal(beforeSusp.clause, 'ID2');
      assert.match(beforeSusp.body, /when=2026-03-02T01:00:00.000Z/);

      // ID1 suspended at expiry; released 360 h later: the notice waits for 48 h before
      const id1 = policyByKey('ID1')!;
      let s1 = evolve(initialState(id1), { type: 'order-created' }, t0).state;
      s1 = evolve(s1, { type: 'order-paid', termEnd: t0 + 10 * DAY }, t0).state;
      s1 = evolve(s1, { type: 'expire' }, t0 + 10 * DAY).state;
      assert.equal(s1.state, 'suspended');
      await writeLc('ins-l2', s1);
      const expiry = new Date(t0 + 10 * DAY);
      await t.store.transaction((tx) =>
        ops.lifecycleNotices.onTransition(
          {
            instanceId: 'ins-l2',
            accountId: 'acme',
            at: expiry,
            from: 'active',
            to: 'suspended',
            cause: 'timer',
            clause: 'ID1',
            effects: ['block-api', 'block-write', 'retain-data'],
          },
          tx,
        ),
      );
      await jobs.runDue(expiry);
      assert.deepEqual(
        (await notices('ins-l2')).map((n) => n.template),
        ['lifecycle.after.suspended'],
      );
      const release = expiry.getTime() + 360 * HOUR;
      await jobs.runDue(new Date(release - 48 * HOUR - 1));
      assert.equal((await notices('ins-l2')).length, 1);
      await jobs.runDue(new Date(release - 48 * HOUR));
      const l2 = await notices('ins-l2');
      const beforeRelease = l2.find((n) => n.template === 'lifecycle.before.released')!;
      assert.ok(beforeRelease, 'notice before release');
      assert.match(
        beforeRelease.body,
        /export_url=https:\/\/idaas\.example\/api\/v1\/instances\/ins-l2\/export/,
      );
      assert.match(beforeRelease.body, new RegExp(`when=${new Date(release).toISOString()}`));
      const email = (await ops.notices.list('acme', { limit: 200, cursor: null })).items.find(
        (n) => n.template === 'lifecycle.before.released' && n.channel === 'email',
      )!;
      assert.equal(email.status, 'sent');

      // a renewal reminder (timer entry with the notify effect, state unchanged)
      await t.store.transaction((tx) =>
        ops.lifecycleNotices.onTransition(
          {
            instanceId: 'ins-l1',
            accountId: 'acme',
            at: new Date(t0),
            from: 'active',
            to: 'active',
            cause: 'timer',
            clause: 'ID1',
            effects: ['notify'],
          },
          tx,
        ),
      );
      assert.ok((await notices('ins-l1')).some((n) => n.template === 'renewal.reminder'));

      // paid meanwhile: a planned notice whose instance moved on is not sent
      clock.set(t0);
      s = evolve(s, { type: 'payment' }, t0 + 2 * HOUR).state;
      assert.equal(s.state, 'active');
      await writeLc('ins-l1', s);
      const r = await t.store.transaction((tx) =>
        ops.lifecycleNotices.before({
          payload: { instanceId: 'ins-l1', state: 'grace' },
          now: new Date(t0 + 3 * HOUR),
          clockId: null,
          tx,
        }),
      );
      assert.equal(r, 'stale');
    });
  });
}

// keep the type import used when the file is read alone
export type { Operations };
