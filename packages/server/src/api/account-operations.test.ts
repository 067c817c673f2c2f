// Customers' operations routes (notices inbox, tickets, agreement versions) through the
// admin API with account members' tokens (G5.6), on a real server and both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { createUser, instance } from '../../../../e2e/support/oidc.ts';
import { memberTokens, startApi, type ApiHarness } from './fixtures.ts';

type Rec = Record<string, unknown>;

for (const kind of availableStoreKinds()) {
  describe(`customers' operations routes on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => {
      await h?.close();
    });

    test('members read their notices, open and follow their tickets, accept agreement versions; nothing of other accounts', async () => {
      const server = h.server;
      const platform = await instance(server, 'platform');
      const owner = await createUser(server, platform, 'ops-owner');
      const sub = await createUser(server, platform, 'ops-sub');
      const stranger = await createUser(server, platform, 'ops-stranger');
      const tokenOf = await memberTokens(server);
      const ok = async (r: Promise<{ status: number; json: Rec; body: unknown }>, status = 200) => {
        const res = await r;
        assert.equal(res.status, status, JSON.stringify(res.body));
        return res.json;
      };
      const acc = (await h.api('POST', '/accounts', { name: 'Ops Co', owner_user_id: owner.id }))
        .json;
      const other = (
        await h.api('POST', '/accounts', { name: 'Other Co', owner_user_id: stranger.id })
      ).json;
      const A = `/accounts/${acc.id}`;
      await ok(
        h.api('PUT', `${A}/members/${sub.id}`, {
          role: 'sub',
          permissions: [{ instance: '*', actions: ['billing:read'] }],
        }),
      );
      const [ownerTok, subTok, strangerTok] = [
        await tokenOf('ops-owner'),
        await tokenOf('ops-sub'),
        await tokenOf('ops-stranger'),
      ];
      const as = (token: string, method: string, path: string, body?: unknown) =>
        h.api(method, path, body, { token });

      // tickets: the owner opens one, reads it, replies as the customer
      const t = await ok(
        as(ownerTok, 'POST', `${A}/tickets`, {
          kind: 'fault',
          severity: 2,
          subject: 'sign-in is slow',
          body: 'since noon',
        }),
        201,
      );
      assert.equal(t.account_id, acc.id);
      assert.equal(t.opened_by, owner.id);
      const listed = await ok(as(ownerTok, 'GET', `${A}/tickets`));
      assert.deepEqual(
        (listed.items as Rec[]).map((x) => x.id),
        [t.id],
      );
      const replied = await ok(
        as(ownerTok, 'POST', `${A}/tickets/${t.id}/messages`, { body: 'still slow' }),
        201,
      );
      assert.deepEqual(
        (replied.messages as Rec[]).map((m) => m.author_kind),
        ['customer', 'customer'],
      );
      // an instance of another account cannot be named: 400 naming the field, nothing written
      const foreign = await as(ownerTok, 'POST', `${A}/tickets`, {
        instance: 'no-such-instance',
        kind: 'consultation',
        severity: 4,
        subject: 'x',
        body: 'y',
      });
      assert.equal(foreign.status, 400);
      assert.match(JSON.stringify(foreign.body), /instance/);
      assert.equal(((await ok(as(ownerTok, 'GET', `${A}/tickets`))).items as Rec[]).length, 1);

      // a sub-account without tickets:write may not; a stranger may not; the stranger's own
      // account path does not reach this ticket (404, not 403: no existence oracle)
      assert.equal((await as(subTok, 'GET', `${A}/tickets`)).status, 403);
      assert.equal((await as(strangerTok, 'GET', `${A}/tickets/${t.id}`)).status, 403);
      assert.equal(
        (await as(strangerTok, 'GET', `/accounts/${other.id}/tickets/${t.id}`)).status,
        404,
      );
      assert.equal(
        (
          await as(strangerTok, 'POST', `/accounts/${other.id}/tickets/${t.id}/messages`, {
            body: 'x',
          })
        ).status,
        404,
      );

      // notices: owner and sub (billing:read) read the inbox; the stranger may not
      assert.equal((await as(ownerTok, 'GET', `${A}/notices`)).status, 200);
      assert.equal((await as(subTok, 'GET', `${A}/notices?channel=in-site`)).status, 200);
      assert.equal((await as(strangerTok, 'GET', `${A}/notices`)).status, 403);

      // agreement versions: the owner accepts; the sub sees but may not accept
      const v = await ok(
        h.api('POST', '/agreement-versions', {
          version: 'ops-1',
          summary: 'new terms',
          effective_at: new Date(Date.now() + 40 * 86_400_000).toISOString(),
        }),
        201,
      );
      assert.equal(
        (await as(subTok, 'POST', `${A}/agreement-versions/${v.id}/accept`)).status,
        403,
      );
      const seen = await ok(as(subTok, 'GET', `${A}/agreement-versions`));
      assert.equal((seen.items as Rec[]).find((x) => x.id === v.id)?.acceptance, null);
      await ok(as(ownerTok, 'POST', `${A}/agreement-versions/${v.id}/accept`), 201);
      const after = await ok(as(ownerTok, 'GET', `${A}/agreement-versions`));
      const mine = (after.items as Rec[]).find((x) => x.id === v.id)?.acceptance as Rec;
      assert.equal(mine.account_id, acc.id);
      assert.equal(mine.how, 'explicit');
    });
  });
}
