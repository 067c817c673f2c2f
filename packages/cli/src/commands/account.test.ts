// `idaas account|plan|order|payment` through the real launcher on a fresh store of each kind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds, freshDatabaseUrl } from '@idaas/storage';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas account/plan/order/payment on ${kind}`, () => {
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    before(async () => {
      const fresh = await freshDatabaseUrl(kind);
      drop = fresh.drop;
      env = { DATABASE_URL: fresh.url, IDAAS_KEK: randomBytes(32).toString('base64') };
    });
    after(async () => {
      await drop?.();
    });
    const json = async (args: string[]) => {
      const r = await idaas([...args, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };

    test('plan list --json: the default catalog with CNY prices', async () => {
      const plans = (await json(['plan', 'list'])) as unknown as Record<string, unknown>[];
      const byCode = Object.fromEntries(plans.map((p) => [p.code, p]));
      assert.deepEqual(Object.keys(byCode).sort(), [
        'idaas-monthly',
        'idaas-postpaid',
        'idaas-yearly',
        'mau-10k',
        'trial',
      ]);
      assert.equal(byCode['idaas-monthly']!.price, '99.00');
      assert.equal(byCode['idaas-monthly']!.policy, 'ID1');
      assert.equal(byCode['idaas-postpaid']!.policy, 'ID2');
      assert.equal(byCode.trial!.sla, false);
      const human = await idaas(['plan', 'list'], env);
      assert.match(human.stdout, /idaas-yearly/);
    });

    test('account create → order create → payment record, --json keys as named', async () => {
      const plain = await json([
        'account',
        'create',
        '--name',
        'Plain Co',
        '--email',
        'a@plain.test',
      ]);
      assert.equal(typeof plain.account_id, 'string');
      assert.equal(plain.clock_id, null);
      const acc = await json(['account', 'create', '--name', 'Clocked Co', '--test-clock']);
      assert.equal(typeof acc.account_id, 'string');
      assert.equal(typeof acc.clock_id, 'string');
      const A = String(acc.account_id);
      const order = await json([
        'order',
        'create',
        '--account',
        A,
        '--plan',
        'idaas-monthly',
        '--instance-slug',
        'cli-shop',
      ]);
      assert.equal(typeof order.order_id, 'string');
      assert.equal(order.amount, '99.00');
      assert.equal(order.status, 'pending');
      const pay = await json(['payment', 'record', '--account', A, '--amount', '99.00']);
      assert.equal(typeof pay.payment_id, 'string');
      assert.equal(pay.amount, '99.00');
      assert.deepEqual(pay.paid_orders, [order.order_id]);
      assert.deepEqual(pay.balance, { cash: '0.00', vouchers: '0.00' });
      const orders = (await json(['order', 'list', '--account', A])) as unknown as Record<
        string,
        unknown
      >[];
      assert.equal(orders[0]?.status, 'paid');
      const show = await json(['account', 'show', '--account', A]);
      assert.equal(show.account_id, A);
      // a bank transfer on the wall-clock account, with its reference: idempotent
      const P = String(plain.account_id);
      const t1 = await json([
        'payment',
        'record',
        '--account',
        P,
        '--amount',
        '12.5',
        '--reference',
        'BT-9',
      ]);
      const t2 = await json([
        'payment',
        'record',
        '--account',
        P,
        '--amount',
        '12.50',
        '--reference',
        'BT-9',
      ]);
      assert.equal(t1.payment_id, t2.payment_id);
      assert.equal(t2.duplicate, true);
      assert.deepEqual(t2.balance, { cash: '12.50', vouchers: '0.00' });
      const ledger = (await json(['payment', 'ledger', '--account', P])) as unknown as unknown[];
      assert.equal(ledger.length, 1);
    });

    test('bad input: exit 2, one line naming the flag, nothing written', async () => {
      const acc = await json(['account', 'create', '--name', 'Bad Input Co']);
      const A = String(acc.account_id);
      for (const amount of ['-5', '-5.00', 'abc', '1.234', '0', ''])
        badInput(
          await idaas(['payment', 'record', '--account', A, '--amount', amount], env),
          '--amount',
        );
      badInput(await idaas(['payment', 'record', '--account', A], env), '--amount');
      badInput(
        await idaas(
          ['payment', 'record', '--account', A, '--amount', '5.00', '--provider', 'test'],
          env,
        ),
        '--provider',
      );
      badInput(
        await idaas(
          ['order', 'create', '--account', A, '--plan', 'nope', '--instance-slug', 'bad-cli'],
          env,
        ),
        '--plan',
      );
      badInput(
        await idaas(['order', 'create', '--account', A, '--plan', 'idaas-monthly'], env),
        '--instance-slug',
      );
      badInput(await idaas(['account', 'create'], env), '--name');
      const list = (await json(['payment', 'list', '--account', A])) as unknown as unknown[];
      assert.deepEqual(list, []);
      const orders = (await json(['order', 'list', '--account', A])) as unknown as unknown[];
      assert.deepEqual(orders, []);
    });
  });
}
