// The business end to end on a test clock, both stores, through the admin API and a
// real relying party (openid-client): account → postpaid order → instance active → a
// sign-in works → its usage is settled hourly, the balance does not cover it → arrears
// → grace (sign-in still works) → 24 h later suspended (the same sign-in is refused,
// naming the clause) → payment → sign-in works again at once (ID2, G3.3, G3.4, G9.2).
// Then a subscription instance left unrenewed: expiry → suspended → 360 h → released,
// its users, clients and keys gone and a deletion receipt kept (ID1, ID3, G6.4).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import { startApi, type ApiHarness } from '../packages/server/src/api/fixtures.ts';
import { Browser } from './support/browser.ts';
import { codeFlow, PASSWORD } from './support/oidc.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
type Rec = Record<string, unknown>;

for (const kind of availableStoreKinds()) {
  describe(`the business end to end on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => h?.close());

    const ok = async (method: string, path: string, body?: unknown): Promise<Rec> => {
      const r = await h.api(method, path, body);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.json;
    };
    const advance = (clockId: string, by: string) =>
      ok('POST', `/clocks/${clockId}/advance`, { by });
    const lifecycle = async (slug: string) => ok('GET', `/instances/${slug}/lifecycle`);

    /** A relying party of `slug` and a function that signs alice in through the hosted pages. */
    async function relyingParty(slug: string) {
      await ok('POST', `/instances/${slug}/users`, {
        username: 'alice',
        password: PASSWORD,
        email: 'alice@shop.test',
      });
      const app = await ok('POST', `/instances/${slug}/applications`, {
        name: 'shop web',
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT],
      });
      const config = await client.discovery(
        new URL(`${h.server.url}/i/${slug}`),
        String(app.client_id),
        undefined,
        client.ClientSecretBasic(String(app.client_secret)),
        { execute: [client.allowInsecureRequests] },
      );
      return {
        signIn: () =>
          codeFlow(h.server, config, REDIRECT, 'alice', {
            scope: 'openid profile',
            browser: new Browser(),
          }),
      };
    }

    test('postpaid: usage → arrears → grace → suspended (sign-in refused with the clause) → payment → sign-in again', async () => {
      const acc = await ok('POST', '/accounts', {
        name: 'Shop Ltd',
        email: 'billing@shop.test',
        test_clock: true,
      });
      const clockId = String(acc.clock_id);
      const A = `/accounts/${acc.id}`;
      const order = await ok('POST', `${A}/orders`, {
        plan: 'idaas-postpaid',
        instance_slug: 'shop',
      });
      assert.equal(order.status, 'paid', 'nothing to prepay on a postpaid plan (G3.3)');
      assert.equal((await lifecycle('shop')).state, 'active');

      const rp = await relyingParty('shop');
      const first = await rp.signIn();
      assert.ok(first.tokens.id_token, 'an active instance signs its users in');

      // the sign-in is usage (1 MAU + 1 authentication); the hourly settlement bills it,
      // the balance (0) does not cover it: arrears, and the instance keeps serving (grace)
      await h.server.sctx.business.operations.flush();
      await advance(clockId, '2h');
      const usage = (await ok('GET', `${A}/ledger`)).items as Rec[];
      assert.ok(
        usage.some((e) => e.reason === 'settlement'),
        `settled: ${JSON.stringify(usage)}`,
      );
      let lc = await lifecycle('shop');
      assert.equal(lc.state, 'grace');
      assert.equal(lc.clause, 'ID2');
      assert.ok((await rp.signIn()).tokens.id_token, 'grace serves normally');

      // 24 h after the arrears: suspended; end users are refused, naming the clause
      await advance(clockId, '25h');
      lc = await lifecycle('shop');
      assert.equal(lc.state, 'suspended');
      await assert.rejects(rp.signIn(), (e: Error) => {
        assert.match(e.message, /→ 403/);
        assert.match(e.message, /ID2/);
        return true;
      });

      // paying what is owed restores service at once
      const paid = await ok('POST', `${A}/payments`, {
        amount: '10.00',
        provider: 'test',
        reference: 'pay-1',
      });
      assert.ok(paid.balance);
      assert.equal((await lifecycle('shop')).state, 'active');
      assert.ok((await rp.signIn()).tokens.id_token, 'signs in again right after the payment');
    });

    test('subscription left unrenewed: expiry → suspended → 360 h → released; data gone, receipt kept', async () => {
      const acc = await ok('POST', '/accounts', {
        name: 'Gone Co',
        email: 'billing@gone.test',
        test_clock: true,
      });
      const clockId = String(acc.clock_id);
      const A = `/accounts/${acc.id}`;
      await ok('POST', `${A}/payments`, { amount: '99.00', provider: 'test', reference: 'prepay' });
      const order = await ok('POST', `${A}/orders`, {
        plan: 'idaas-monthly',
        instance_slug: 'gone',
      });
      assert.equal(order.status, 'paid', 'the balance paid the order (G9.1.1)');
      assert.equal((await lifecycle('gone')).state, 'active');
      const rp = await relyingParty('gone');
      assert.ok((await rp.signIn()).tokens.id_token);
      const instanceId = String(order.instance_id);
      const repos = h.server.sctx.store.repos;
      assert.equal((await repos.applications.list(instanceId, { limit: 10 })).items.length, 1);

      // one calendar month later the term ends: suspended (ID1), data kept
      await advance(clockId, '32d');
      assert.equal((await lifecycle('gone')).state, 'suspended');
      assert.ok(
        await repos.users.getByUsername(instanceId, 'alice'),
        'suspension keeps the data (ID3)',
      );

      // not renewed within 360 h: released, every row and the data key gone
      await advance(clockId, '16d');
      assert.equal((await h.api('GET', '/instances/gone')).status, 404);
      assert.equal(await repos.instances.get(instanceId), null);
      assert.equal(
        await h.server.sctx.store.vault.get(instanceId),
        null,
        'the data key is destroyed',
      );
      assert.deepEqual((await repos.applications.list(instanceId, { limit: 10 })).items, []);
      assert.deepEqual(await repos.keys.list(instanceId), []);
      const receipts = (await ok('GET', `${A}/deletion-receipts`)).items as Rec[];
      assert.equal(receipts.length, 1);
      assert.equal(receipts[0]!.instance_slug, 'gone');
    });
  });
}
