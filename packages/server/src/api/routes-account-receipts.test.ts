// An account's deletion receipts through the admin API with account members' tokens
// (G5.6): the owner and a sub-account with instances:read on * see them; a sub-account
// without it, and members of other accounts, are refused; on a real server and both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '@idaas/core';
import { availableStoreKinds } from '@idaas/storage';
import { createUser, instance } from '../../../../e2e/support/oidc.ts';
import { memberTokens, startApi, type ApiHarness } from './fixtures.ts';

type Rec = Record<string, unknown>;

for (const kind of availableStoreKinds()) {
  describe(`deletion receipts for account members on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => {
      await h?.close();
    });

    test('owner and entitled sub-accounts read them; others are refused', async () => {
      const server = h.server;
      const platform = await instance(server, 'platform');
      const owner = await createUser(server, platform, 'rc-owner');
      const reader = await createUser(server, platform, 'rc-reader');
      const payer = await createUser(server, platform, 'rc-payer');
      const stranger = await createUser(server, platform, 'rc-stranger');
      const tokenOf = await memberTokens(server);
      const acc = (await h.api('POST', '/accounts', { name: 'Rc Co', owner_user_id: owner.id }))
        .json;
      await h.api('POST', '/accounts', { name: 'Rc Other', owner_user_id: stranger.id });
      const A = `/accounts/${acc.id as string}`;
      for (const [u, actions] of [
        [reader, ['instances:read']],
        [payer, ['billing:read']],
      ] as const) {
        const r = await h.api('PUT', `${A}/members/${u.id}`, {
          role: 'sub',
          permissions: [{ instance: '*', actions }],
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      // a receipt as a release writes it (the release itself is covered by the business flow)
      const at = server.sctx.clock.now();
      await server.sctx.store.repos.receipts.insert({
        id: newId(server.sctx.clock),
        accountId: acc.id as string,
        instanceId: newId(server.sctx.clock),
        instanceSlug: 'gone-shop',
        at,
        clause: 'ID3',
        what: { users: 3, data_key: 1 },
        createdAt: at,
      });

      const as = async (username: string) =>
        h.api('GET', `${A}/deletion-receipts`, undefined, { token: await tokenOf(username) });
      for (const who of ['rc-owner', 'rc-reader']) {
        const r = await as(who);
        assert.equal(r.status, 200, `${who}: ${JSON.stringify(r.body)}`);
        const items = r.json.items as Rec[];
        assert.equal(items.length, 1);
        assert.equal(items[0]!.instance_slug, 'gone-shop');
        assert.equal(items[0]!.clause, 'ID3');
        assert.deepEqual(items[0]!.what, { users: 3, data_key: 1 });
      }
      const payerRes = await as('rc-payer');
      assert.equal(payerRes.status, 403, JSON.stringify(payerRes.body));
      assert.match(JSON.stringify(payerRes.body), /instances:read/);
      const strangerRes = await as('rc-stranger');
      assert.equal(strangerRes.status, 403);
      // the operator reads them too; an unknown account is absent
      assert.equal(((await h.api('GET', `${A}/deletion-receipts`)).json.items as Rec[]).length, 1);
      assert.equal((await h.api('GET', `/accounts/${newId(h.server.sctx.clock)}/deletion-receipts`)).status, 404);
    });
  });
}
