// Commerce through the admin API on a real server (both stores): an account on a test
// clock orders an instance, pays with the test provider, the order is paid and the
// instance active (lifecycle), the balance right; bad input gets a clear 4xx and writes
// nothing; sub-accounts act within their permissions only (G5.6).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { createUser, instance } from '../../../../e2e/support/oidc.ts';
import { memberTokens, startApi, type ApiHarness } from './fixtures.ts';

type Rec = Record<string, unknown>;

for (const kind of availableStoreKinds()) {
  describe(`commerce API on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => {
      await h?.close();
    });

    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await h.api(method, path, body);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.json;
    };
    const problem = async (
      method: string,
      path: string,
      body: unknown,
      status: number,
      field?: string,
    ) => {
      const r = await h.api(method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
      if (field) {
        const issues = (r.json.errors ?? r.json.issues ?? []) as { field: string }[];
        const text = JSON.stringify(r.body);
        assert.ok(
          issues.some((i) => i.field === field) || text.includes(`${field}:`),
          `names ${field}: ${text}`,
        );
      }
      return r.json;
    };

    test('account on a test clock → order → test payment → order paid, instance active, balance right', async () => {
      const acc = await ok('POST', '/accounts', {
        name: 'Shop Ltd',
        email: 'billing@shop.test',
        test_clock: true,
      });
      assert.equal(typeof acc.clock_id, 'string');
      const A = `/accounts/${acc.id}`;
      const plans = (await ok('GET', '/plans')).items as Rec[];
      assert.deepEqual(plans.map((p) => p.code).sort(), [
        'idaas-monthly',
        'idaas-postpaid',
        'idaas-yearly',
        'mau-10k',
        'trial',
      ]);
      const order = await ok('POST', `${A}/orders`, {
        plan: 'idaas-monthly',
        instance_slug: 'shop',
      });
      assert.equal(order.status, 'pending');
      assert.equal(order.amount, '99.00');
      assert.equal(order.kind, 'new');
      const created = Date.parse(String(order.created_at));
      assert.equal(Date.parse(String(order.hold_until)) - created, 7 * 86_400_000); // G3.2.1
      assert.equal((await ok('GET', '/instances/shop')).state, 'pending-payment');

      // paying the order directly without money: 402, nothing changes
      const unpaid = await h.api('POST', `${A}/orders/${order.id}/pay`);
      assert.equal(unpaid.status, 402);

      const pay = await ok('POST', `${A}/payments`, { amount: '99.00', provider: 'test' });
      assert.deepEqual(pay.paid_orders, [order.id]);
      assert.deepEqual(pay.balance, { cash: '0.00', vouchers: '0.00' });
      const paid = await ok('GET', `${A}/orders/${order.id}`);
      assert.equal(paid.status, 'paid');
      assert.equal(paid.term_start, paid.paid_at); // G9.1.1: the term counts from activation
      assert.equal((await ok('GET', '/instances/shop')).state, 'active');
      assert.deepEqual(await ok('GET', `${A}/balance`), { cash: '0.00', vouchers: '0.00' });
      const ledger = (await ok('GET', `${A}/ledger`)).items as Rec[];
      assert.deepEqual(
        ledger.map((e) => [e.kind, e.reason, e.amount]),
        [
          ['cash', 'payment', '99.00'],
          ['cash', 'order', '-99.00'],
        ],
      );
      // a second payment with the same reference is recorded once
      const p1 = await ok('POST', `${A}/payments`, {
        amount: '10.00',
        provider: 'test',
        reference: 'R-1',
      });
      const p2 = await ok('POST', `${A}/payments`, {
        amount: '10.00',
        provider: 'test',
        reference: 'R-1',
      });
      assert.equal(p2.duplicate, true);
      assert.equal((p1.payment as Rec).id, (p2.payment as Rec).id);
      assert.deepEqual(await ok('GET', `${A}/balance`), { cash: '10.00', vouchers: '0.00' });
      assert.equal(((await ok('GET', `${A}/payments`)).items as Rec[]).length, 2);
      const orders = (await ok('GET', `${A}/orders`)).items as Rec[];
      assert.deepEqual(
        orders.map((o) => o.id),
        [order.id],
      );
    });

    test('bad input: clear 4xx naming the field, nothing written', async () => {
      const wall = await ok('POST', '/accounts', { name: 'Wall Clock Co' });
      const A = `/accounts/${wall.id}`;
      await problem(
        'POST',
        `${A}/orders`,
        { plan: 'gold-plated', instance_slug: 'wall-one' },
        400,
        'plan',
      );
      assert.equal((await h.api('GET', '/instances/wall-one')).status, 404);
      for (const amount of ['-1.00', '0', '1.234', 'ten', '1e3'])
        await problem(
          'POST',
          `${A}/payments`,
          { amount, reference: `BT-${amount}` },
          400,
          'amount',
        );
      // the test provider is for test clocks only
      await problem('POST', `${A}/payments`, { amount: '5.00', provider: 'test' }, 403, 'provider');
      // a bank transfer needs its reference
      await problem('POST', `${A}/payments`, { amount: '5.00' }, 400, 'reference');
      assert.deepEqual((await ok('GET', `${A}/payments`)).items, []);
      assert.deepEqual(await ok('GET', `${A}/balance`), { cash: '0.00', vouchers: '0.00' });
      // orders for a released instance: 409
      const o = await ok('POST', `${A}/orders`, {
        plan: 'idaas-monthly',
        instance_slug: 'wall-gone',
      });
      await h.server.sctx.store.repos.instances.setState(
        String(o.instance_id),
        'released',
        new Date(),
      );
      await problem(
        'POST',
        `${A}/orders`,
        { plan: 'idaas-monthly', instance_slug: 'wall-gone', kind: 'renew' },
        409,
        'instance_slug',
      );
      await problem(
        'POST',
        `${A}/orders`,
        { plan: 'idaas-monthly', instance_slug: 'wall-gone' },
        409,
        'instance_slug',
      );
      assert.equal(((await ok('GET', `${A}/orders`)).items as Rec[]).length, 1);
      // unknown account
      await problem(
        'POST',
        '/accounts/nope/orders',
        { plan: 'idaas-monthly', instance_slug: 'x-y-z' },
        404,
      );
    });

    test('operator: contacts, members, plans, invoices, bank transfer, refund', async () => {
      const acc = await ok('POST', '/accounts', { name: 'Ops Co', email: 'ops@ops.test' });
      const A = `/accounts/${acc.id}`;
      assert.equal(
        ((await ok('GET', '/accounts?limit=200')).items as Rec[]).some((a) => a.id === acc.id),
        true,
      );
      assert.equal((await ok('GET', A)).name, 'Ops Co');
      const c = await ok('PUT', `${A}/contacts`, {
        phone: '+86 138 0000 0000',
        postal_address: '1 Road, Shanghai',
        locale: 'en',
      });
      assert.equal(c.email, 'ops@ops.test');
      assert.equal(c.locale, 'en');
      assert.equal((await ok('GET', `${A}/contacts`)).phone, '+86 138 0000 0000');
      const plan = await ok('POST', '/plans', {
        code: 'mau-50k',
        name: '50,000 MAU',
        billing: 'package',
        price: '1500.00',
        package_quantity: { mau: '50000' },
        package_days: 90,
      });
      assert.equal(plan.price, '1500.00');
      await problem(
        'POST',
        '/plans',
        {
          code: 'mau-50k',
          name: 'dup',
          billing: 'package',
          price: '1.00',
          package_quantity: { mau: '1' },
          package_days: 1,
        },
        409,
      );
      await problem(
        'POST',
        '/plans',
        { code: 'neg', name: 'neg', billing: 'subscription', period: 'month', price: '-1.00' },
        400,
        'price',
      );
      assert.equal(
        (await ok('PATCH', '/plans/mau-50k', { active: false, price: '1400.00' })).active,
        false,
      );
      await ok('POST', `${A}/payments`, { amount: '200.00', reference: 'BT-OPS-1' });
      const o = await ok('POST', `${A}/orders`, {
        plan: 'idaas-monthly',
        instance_slug: 'ops-one',
      });
      assert.equal(o.status, 'paid'); // covered by the balance at once
      const r = await ok('POST', `${A}/orders/${o.id}/refund`);
      assert.equal(Number(r.charge) * 100 + Number(r.refund) * 100, 9900);
      const inv = await ok('POST', `${A}/invoices`, { month: String(o.created_at).slice(0, 7) });
      assert.match(String(inv.number), /^INV-\d{6}-[0-9A-F]{12}$/);
      assert.equal(((await ok('GET', `${A}/invoices`)).items as Rec[]).length, 1);
      // members: a platform user as owner
      const platform = await h.server.sctx.core.instances.get('platform');
      const u = await h.server.sctx.core.directory.createUser(platform, {
        username: 'ops-owner',
        password: 'violet-harbor-lamp-1',
      });
      const m = await ok('PUT', `${A}/members/${u.id}`, {
        role: 'sub',
        permissions: [{ instance: 'ops-one', actions: ['orders:read'] }],
      });
      assert.equal(m.role, 'sub');
      await problem(
        'PUT',
        `${A}/members/${u.id}`,
        { role: 'sub', permissions: [{ instance: '*', actions: ['fly'] }] },
        400,
        'permissions[0].actions[0]',
      );
      assert.equal(((await ok('GET', `${A}/members`)).items as Rec[]).length, 1);
      await ok('DELETE', `${A}/members/${u.id}`);
    });

    test("sub-accounts act within their permissions only, on the owner's behalf (G5.6)", async () => {
      const server = h.server;
      const platform = await instance(server, 'platform');
      const owner = await createUser(server, platform, 'acct-owner');
      const sub = await createUser(server, platform, 'acct-sub');
      const tokenOf = await memberTokens(server);
      const acc = await ok('POST', '/accounts', {
        name: 'Delegating Co',
        test_clock: true,
        owner_user_id: owner.id,
      });
      const other = await ok('POST', '/accounts', { name: 'Someone Else' });
      const A = `/accounts/${acc.id}`;
      await ok('PUT', `${A}/members/${sub.id}`, {
        role: 'sub',
        permissions: [{ instance: 'sub-shop', actions: ['orders:create', 'orders:read'] }],
      });
      const subTok = await tokenOf('acct-sub');
      const ownerTok = await tokenOf('acct-owner');
      const as = (token: string, method: string, path: string, body?: unknown) =>
        h.api(method, path, body, { token });

      // within scope: recorded as done by the sub-account, for the owner's account
      const o = await as(subTok, 'POST', `${A}/orders`, {
        plan: 'idaas-monthly',
        instance_slug: 'sub-shop',
      });
      assert.equal(o.status, 201, JSON.stringify(o.body));
      assert.equal(o.json.actor_user_id, sub.id);
      assert.equal(o.json.account_id, acc.id);
      assert.equal((await as(subTok, 'GET', `${A}/orders/${o.json.id}`)).status, 200);
      // outside scope: 403 and nothing written
      const denied = [
        await as(subTok, 'POST', `${A}/orders`, {
          plan: 'idaas-monthly',
          instance_slug: 'sub-other',
        }),
        await as(subTok, 'POST', `${A}/payments`, { amount: '99.00', provider: 'test' }),
        await as(subTok, 'GET', `${A}/balance`),
        await as(subTok, 'GET', `${A}/orders`), // account-wide reading needs "*"
        await as(subTok, 'PUT', `${A}/members/${sub.id}`, { role: 'owner' }),
        await as(subTok, 'GET', `/accounts/${other.id}/balance`),
        await as(subTok, 'POST', `/accounts/${other.id}/orders`, {
          plan: 'idaas-monthly',
          instance_slug: 'sub-x',
        }),
        await as(subTok, 'POST', '/plans', {
          code: 'x',
          name: 'x',
          billing: 'trial',
          period: 'month',
          price: '0',
        }),
      ];
      assert.deepEqual(
        denied.map((r) => r.status),
        denied.map(() => 403),
      );
      // instances: a member lists only those it holds a role on (none here: no role assigned)
      const listed = await as(subTok, 'GET', '/instances');
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.json.items, []);
      assert.equal((await h.api('GET', '/instances/sub-other')).status, 404);
      assert.equal((await h.api('GET', '/instances/sub-x')).status, 404);
      assert.deepEqual(((await ok('GET', `${A}/payments`)).items as Rec[]).length, 0);
      assert.equal((await ok('GET', `${A}/members`)).items instanceof Array, true);
      assert.equal(
        ((await ok('GET', `${A}/members`)).items as Rec[]).find((m) => m.user_id === sub.id)!.role,
        'sub',
      );
      // the owner holds every right of the account, but records no bank transfers
      const pay = await as(ownerTok, 'POST', `${A}/payments`, {
        amount: '99.00',
        provider: 'test',
      });
      assert.equal(pay.status, 201, JSON.stringify(pay.body));
      assert.equal((pay.json.payment as Rec).actor_user_id, owner.id);
      assert.deepEqual(pay.json.paid_orders, [o.json.id]);
      assert.equal(
        (
          await as(ownerTok, 'POST', `${A}/payments`, {
            amount: '1.00',
            provider: 'bank-transfer',
            reference: 'BT-OWN',
          })
        ).status,
        403,
      );
      assert.deepEqual((await as(ownerTok, 'GET', `${A}/balance`)).json, {
        cash: '0.00',
        vouchers: '0.00',
      });
    });
  });
}
