// Commerce money on real stores (both dialects) against hand-computed cases: hourly
// settlement with resource packages (earliest expiry first, forfeiture, overflow) and
// its idempotency, late fees (G3.4), refunds on early termination (G9.3.3, G3.5).
// The lifecycle, clock and job seams are recorded at the port (their modules test
// themselves); usage comes from the real operations meter.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AppError,
  ManualClock,
  argon2Hasher,
  createCore,
  type JobRequest,
  type LifecycleEventType,
} from '@idaas/core';
import { CommerceService } from '@idaas/core/business/commerce/index';
import { Meter } from '@idaas/core/business/operations/metering';
import { monthKey } from '@idaas/core/business/operations/time';
import { availableStoreKinds, freshStore, type TestStore } from '../testing.ts';

const T0 = '2026-03-10T01:30:00.000Z'; // 09:30 in Asia/Shanghai

function harness(t: TestStore) {
  const clock = new ManualClock(T0);
  const recorded: { instanceId: string; type: LifecycleEventType; at: string; termEnd?: string }[] =
    [];
  const jobs: JobRequest[] = [];
  const core = createCore({
    store: t.store,
    clock,
    kek: t.kek,
    hasher: argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
  });
  const service = new CommerceService({
    store: t.store,
    core,
    ports: {
      clocks: { clockFor: async () => clock, testClockOf: async () => null },
      lifecycle: {
        record: async (instanceId, event, at) => {
          recorded.push({
            instanceId,
            type: event.type,
            at: at.toISOString(),
            ...(event.termEnd ? { termEnd: event.termEnd.toISOString() } : {}),
          });
          return [];
        },
        onTransition: () => {},
      },
      jobs: { enqueue: async (j) => void jobs.push(j), register: () => {} },
      usage: new Meter(t.store, randomBytes(32)),
    },
  });
  return { clock, recorded, jobs, service, store: t.store };
}

for (const kind of availableStoreKinds()) {
  describe(`commerce money on ${kind}`, () => {
    let t: TestStore;
    let h: ReturnType<typeof harness>;
    before(async () => {
      t = await freshStore(kind);
      h = harness(t);
    });
    after(async () => t?.dispose());

    const account = async (name: string) =>
      (await h.service.createAccount({ name, at: h.clock.now() })).account.id;
    const ledgerCount = async (accountId: string) =>
      (await h.store.repos.ledger.list(accountId, {})).length;

    test('hourly settlement: packages first (earliest expiry), forfeiture, overflow; twice bills once', async () => {
      h.clock.set(T0);
      const acc = await account('Settle Co');
      await h.service.recordPayment({
        accountId: acc,
        amountFen: 100000,
        provider: 'bank-transfer',
        reference: 'TX-SETTLE-1',
      });
      const order = await h.service.createOrder({
        accountId: acc,
        plan: 'idaas-postpaid',
        instanceSlug: 'pp-one',
      });
      assert.equal(order.status, 'paid');
      assert.equal(order.amountFen, 0);
      const inst = order.instanceId!;
      assert.ok(h.recorded.some((r) => r.instanceId === inst && r.type === 'activate'));
      assert.ok(
        h.jobs.some((j) => j.kind === 'commerce.settle'),
        'the hourly settlement chain is queued',
      );

      const pkg = (id: string, remaining: number, expiresAt: string) =>
        h.store.repos.packages.insert({
          id,
          accountId: acc,
          instanceId: id === 'pkg-a' ? null : inst, // A is account-wide
          planId: order.planId,
          unit: 'mau',
          quantity: remaining,
          remaining,
          startsAt: new Date(T0),
          expiresAt: new Date(expiresAt),
          createdAt: new Date(T0),
        });
      await pkg('pkg-a', 100, '2026-03-12T00:00:00.000Z');
      await pkg('pkg-b', 30, '2026-03-11T00:00:00.000Z'); // expires first: drawn first
      await pkg('pkg-c', 50, '2026-03-10T02:00:00.000Z'); // expired when the hour starts: forfeited

      // usage in [02:00, 03:00) UTC = [10:00, 11:00) Shanghai: 150 new MAU, 1234 authentications
      const hour = new Date('2026-03-10T02:00:00.000Z');
      await h.store.repos.metering.addAuthentications(inst, hour, 1234);
      await h.store.repos.metering.addActiveUsers(
        inst,
        monthKey(hour),
        Array.from({ length: 150 }, (_, i) => ({
          userRef: `u${i}`,
          firstSeenAt: new Date(hour.getTime() + i * 1000),
        })),
      );
      // a usage outside the window does not count
      await h.store.repos.metering.addAuthentications(
        inst,
        new Date('2026-03-10T03:00:00.000Z'),
        999,
      );

      const at = new Date('2026-03-10T03:00:05.000Z');
      const before = await h.service.balance(acc);
      assert.equal(before.cashFen, 100000);
      const r1 = await h.store.transaction((tx) => h.service.settleClock(tx, null, at));
      assert.equal(r1, 1);
      // overflow 150 − 30 − 100 = 20 MAU × 0.05 = 1.00; 1234 × 0.001 = 1.234; total 2.234 → 2.23
      const s = await h.store.repos.settlements.get(inst, hour);
      assert.equal(s?.amountFen, 223);
      assert.deepEqual((s!.detail.mau as { overflow: number }).overflow, 20);
      assert.deepEqual((s!.detail.mau as { forfeited: unknown[] }).forfeited, [
        { id: 'pkg-c', quantity: 50 },
      ]);
      const pkgs = Object.fromEntries(
        (await h.store.repos.packages.listByAccount(acc)).map((p) => [p.id, p.remaining]),
      );
      assert.deepEqual(pkgs, { 'pkg-a': 0, 'pkg-b': 0, 'pkg-c': 0 });
      assert.equal((await h.service.balance(acc)).cashFen, 100000 - 223);
      const n = await ledgerCount(acc);

      // running it again (same hour, later instant in that hour too) changes nothing
      await h.store.transaction((tx) => h.service.settleClock(tx, null, at));
      await h.store.transaction((tx) =>
        h.service.settleClock(tx, null, new Date('2026-03-10T03:59:59.999Z')),
      );
      assert.equal((await h.service.balance(acc)).cashFen, 100000 - 223);
      assert.equal(await ledgerCount(acc), n);
      assert.equal((await h.store.repos.settlements.listByInstance(inst)).length, 1);
      assert.ok(!h.recorded.some((r) => r.instanceId === inst && r.type === 'arrears'));
      // fees of the instance (SLA2/G10.6 base) include the settlement
      assert.equal(
        await h.service.feesFor(
          inst,
          new Date('2026-03-01T00:00:00Z'),
          new Date('2026-04-01T00:00:00Z'),
        ),
        223,
      );
    });

    test('settlement not covered by the balance: arrears recorded, overdue starts', async () => {
      h.clock.set(T0);
      const acc = await account('Broke Co');
      const order = await h.service.createOrder({
        accountId: acc,
        plan: 'idaas-postpaid',
        instanceSlug: 'pp-broke',
      });
      const inst = order.instanceId!;
      await h.store.repos.metering.addAuthentications(
        inst,
        new Date('2026-03-10T05:00:00.000Z'),
        10,
      );
      const at = new Date('2026-03-10T06:00:00.000Z');
      await h.store.transaction((tx) => h.service.settleClock(tx, null, at));
      assert.equal((await h.service.balance(acc)).cashFen, -1); // 10 × 0.001 = 0.01
      assert.ok(
        h.recorded.some(
          (r) => r.instanceId === inst && r.type === 'arrears' && r.at === at.toISOString(),
        ),
      );
      const a = await h.service.account(acc);
      assert.equal(a.overdueSince?.toISOString(), at.toISOString());
      const job = h.jobs.find((j) => j.kind === 'commerce.late-fee' && j.payload.accountId === acc);
      assert.equal(job?.runAt.toISOString(), '2026-03-11T06:00:00.000Z');

      // paying what is owed brings the postpaid instance back (payment event) and ends the overdue
      h.clock.set('2026-03-10T07:00:00.000Z');
      await h.service.recordPayment({
        accountId: acc,
        amountFen: 100,
        provider: 'bank-transfer',
        reference: 'TX-BROKE',
      });
      assert.ok(h.recorded.some((r) => r.instanceId === inst && r.type === 'payment'));
      assert.equal((await h.service.account(acc)).overdueSince, null);
      assert.equal((await h.service.balance(acc)).cashFen, 99);
    });

    test('late fee: 0.05 % of the overdue principal per full day, simple; stops when paid', async () => {
      const at0 = new Date(T0);
      h.clock.set(at0);
      const acc = await account('Late Co');
      const c = await h.service.charge({
        accountId: acc,
        instanceId: null,
        amountFen: 123456,
        reason: 'settlement',
        idempotencyKey: 'late-test-1',
        at: at0,
      });
      assert.equal(c.covered, false);
      assert.equal(c.cashBalanceFen, -123456);
      const since = at0.toISOString();
      const day = (k: number) => new Date(at0.getTime() + k * 86_400_000);
      const accrue = (k: number) =>
        h.store.transaction((tx) =>
          h.service.accrueLateFee(tx, { accountId: acc, since, day: k }, day(k)),
        );
      // 1234.56 × 0.0005 = 0.61728 → 0.62 per day, on the principal only (not on earlier fees)
      assert.equal(await accrue(1), 62);
      assert.equal(await accrue(2), 62);
      assert.equal((await h.service.balance(acc)).cashFen, -123456 - 124);
      // re-running a day is idempotent by key
      assert.equal(await accrue(2), 0);
      assert.equal((await h.service.balance(acc)).cashFen, -123456 - 124);
      // a payment of 1000.00 leaves 234.56 principal: 0.11728 → 0.12
      h.clock.set(day(2));
      await h.service.recordPayment({
        accountId: acc,
        amountFen: 100000,
        provider: 'bank-transfer',
        reference: 'TX-LATE-1',
      });
      assert.equal(await accrue(3), 12);
      // 300.00 covers principal and fees: 3000.00 − … = 64.08 left; no more fees
      await h.service.recordPayment({
        accountId: acc,
        amountFen: 30000,
        provider: 'bank-transfer',
        reference: 'TX-LATE-2',
      });
      assert.equal((await h.service.balance(acc)).cashFen, -123456 - 62 - 62 + 100000 - 12 + 30000);
      assert.equal((await h.service.balance(acc)).cashFen, 6408);
      assert.equal(await accrue(4), 0);
      const fees = (await h.store.repos.ledger.list(acc, {})).filter(
        (e) => e.reason === 'late-fee',
      );
      assert.deepEqual(
        fees.map((e) => e.amountFen),
        [-62, -62, -12],
      );
    });

    test('refund on early termination: charge + refund = paid; the voucher part is forfeited, not cash', async () => {
      h.clock.set(T0);
      const acc = await account('Refund Co');
      await h.service.issueVoucher({
        accountId: acc,
        amountFen: 8000,
        reason: 'promotion',
        idempotencyKey: 'promo-refund-co',
        at: new Date(T0),
        expiresAt: null,
      });
      await h.service.recordPayment({
        accountId: acc,
        amountFen: 1900,
        provider: 'bank-transfer',
        reference: 'TX-REFUND',
      });
      const order = await h.service.createOrder({
        accountId: acc,
        plan: 'idaas-monthly',
        instanceSlug: 'sub-refund',
      });
      // 99.00 paid: vouchers first (80.00), then cash (19.00)
      assert.equal(order.status, 'paid');
      assert.equal(order.termStart?.toISOString(), T0);
      assert.equal(order.termEnd?.toISOString(), '2026-04-10T01:30:00.000Z'); // one calendar month
      assert.deepEqual(await h.service.balance(acc), { cashFen: 0, voucherFen: 0 });
      const paid = h.recorded.find(
        (r) => r.instanceId === order.instanceId && r.type === 'order-paid',
      );
      assert.equal(paid?.termEnd, '2026-04-10T01:30:00.000Z');

      // 15 days later: 15 × 99.00 / 31 = 47.903… → 47.90 charged, 51.10 refunded
      h.clock.set('2026-03-25T01:30:00.000Z');
      const r = await h.service.refundOrder(acc, order.id);
      assert.equal(r.chargeFen, 4790);
      assert.equal(r.refundFen, 5110);
      assert.equal(r.chargeFen + r.refundFen, 9900);
      assert.equal(r.cashRefundFen, 1900); // never more cash than was paid in cash
      assert.equal(r.voucherForfeitedFen, 3210);
      assert.deepEqual(await h.service.balance(acc), { cashFen: 1900, voucherFen: 0 });
      assert.equal(r.order.status, 'refunded');
      await assert.rejects(h.service.refundOrder(acc, order.id), /only a paid subscription/);
    });

    test('resource package order: paid from the balance, package with its quantity and expiry', async () => {
      h.clock.set(T0);
      const acc = await account('Pkg Co');
      const o1 = await h.service.createOrder({
        accountId: acc,
        plan: 'idaas-postpaid',
        instanceSlug: 'pp-pkg',
      });
      const o2 = await h.service.createOrder({
        accountId: acc,
        plan: 'mau-10k',
        instanceSlug: 'pp-pkg',
      });
      assert.equal(o2.kind, 'package');
      assert.equal(o2.status, 'pending'); // 400.00 not covered yet
      await h.service.recordPayment({
        accountId: acc,
        amountFen: 50000,
        provider: 'bank-transfer',
        reference: 'TX-PKG',
      });
      const paid = await h.service.order(acc, o2.id);
      assert.equal(paid.status, 'paid');
      const [p] = await h.store.repos.packages.listByAccount(acc);
      assert.equal(p?.instanceId, o1.instanceId);
      assert.equal(p?.remaining, 10000);
      assert.equal(p?.expiresAt.toISOString(), '2026-04-09T01:30:00.000Z'); // 30 days
      assert.equal((await h.service.balance(acc)).cashFen, 10000);
    });

    test('bad input writes nothing: unknown plan, amounts, released instance, test provider off a test clock', async () => {
      h.clock.set(T0);
      const acc = await account('Bad Co');
      const field = (e: unknown) =>
        e instanceof AppError ? `${e.status} ${e.issues[0]?.field}` : String(e);
      const n = async () =>
        (await h.store.repos.orders.listByAccount(acc, { limit: 100, cursor: null })).items.length;
      await assert.rejects(
        h.service.createOrder({ accountId: acc, plan: 'no-such-plan', instanceSlug: 'bad-one' }),
        (e) => field(e) === '400 plan',
      );
      assert.equal(await h.store.repos.instances.getBySlug('bad-one'), null);
      await assert.rejects(
        h.service.recordPayment({
          accountId: acc,
          amountFen: -100,
          provider: 'bank-transfer',
          reference: 'X',
        }),
        (e) => field(e) === '400 amount',
      );
      await assert.rejects(
        h.service.recordPayment({ accountId: acc, amountFen: 100, provider: 'test' }),
        (e) => field(e) === '403 provider',
      );
      // an instance that is released (its row kept in that state) takes no orders
      const o = await h.service.createOrder({
        accountId: acc,
        plan: 'idaas-monthly',
        instanceSlug: 'bad-gone',
      });
      await h.store.repos.instances.setState(o.instanceId!, 'released', new Date(T0));
      await assert.rejects(
        h.service.createOrder({
          accountId: acc,
          plan: 'idaas-monthly',
          instanceSlug: 'bad-gone',
          kind: 'renew',
        }),
        (e) => field(e) === '409 instance_slug',
      );
      await assert.rejects(
        h.service.createOrder({ accountId: acc, plan: 'idaas-monthly', instanceSlug: 'bad-gone' }),
        (e) => field(e) === '409 instance_slug',
      );
      assert.equal(await n(), 1);
      assert.equal((await h.store.repos.payments.listByAccount(acc)).length, 0);
      assert.deepEqual(await h.service.balance(acc), { cashFen: 0, voucherFen: 0 });
    });
  });
}
