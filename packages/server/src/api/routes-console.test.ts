// What the console may show (issue 6, G5.6): `GET /instances/{slug}/permissions` and the
// `instances` of `GET /me` give the caller's own roles and effective permissions, on a
// real server and both stores: the operator (everything), an account owner (implicit
// owner), a sub-account through its roles (union, in catalog order, no more), and refused
// (403, audited) without a role, on another customer's instance or one that does not exist.
// The answers follow role changes at once, and agree with what the dispatcher allows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { BUILTIN_ROLE_PERMISSIONS, INSTANCE_PERMISSIONS, type AuditInput } from '@idaas/core';
import { createUser, instance } from '../../../../e2e/support/oidc.ts';
import { memberTokens, startApi, type ApiHarness } from './fixtures.ts';

type Rec = Record<string, unknown>;

for (const kind of availableStoreKinds()) {
  describe(`the caller's permissions for the console on ${kind}`, () => {
    let h: ApiHarness;
    const audits: AuditInput[] = [];
    const tokens: Record<string, string> = {};
    const ids: Record<string, string> = {};
    const as = (who: string, path: string) =>
      h.api('GET', path, undefined, { token: tokens[who]! });
    const assign = async (userId: string, roles: string[]) => {
      const r = await h.api('PUT', `/instances/perm-co/role-assignments/${userId}`, { roles });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };

    before(async () => {
      h = await startApi(kind);
      const sink = h.server.sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        audits.push(e);
        await record(e);
      };
      const server = h.server;
      const platform = await instance(server, 'platform');
      const tokenOf = await memberTokens(server);
      for (const name of ['pc-owner', 'pc-sub', 'pc-outsider']) {
        ids[name] = (await createUser(server, platform, name)).id;
        tokens[name] = await tokenOf(name);
      }
      const acc = (
        await h.api('POST', '/accounts', { name: 'Perm Co', owner_user_id: ids['pc-owner'] })
      ).json as Rec;
      const other = (
        await h.api('POST', '/accounts', { name: 'Other Co', owner_user_id: ids['pc-outsider'] })
      ).json as Rec;
      const put = await h.api('PUT', `/accounts/${acc.id as string}/members/${ids['pc-sub']}`, {
        role: 'sub',
        permissions: [{ instance: '*', actions: ['orders:read'] }],
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      await server.sctx.core.instances.create({ slug: 'perm-co', accountId: acc.id as string });
      await server.sctx.core.instances.create({
        slug: 'perm-other',
        accountId: other.id as string,
      });
    });
    after(async () => {
      await h?.close();
    });

    test('the operator holds every permission; an unknown instance is 404 for it', async () => {
      const r = await h.api('GET', '/instances/perm-co/permissions');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.json, {
        instance: 'perm-co',
        operator: true,
        roles: ['owner'],
        permissions: [...INSTANCE_PERMISSIONS],
      });
      assert.equal((await h.api('GET', '/instances/no-such-co/permissions')).status, 404);
      const me = await h.api('GET', '/me');
      assert.equal(me.json.operator, true);
      assert.equal(me.json.instances, null, 'the operator: everything everywhere');
    });

    test("the account owner is owner of its instances, and only of its account's", async () => {
      const r = await as('pc-owner', '/instances/perm-co/permissions');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.json, {
        instance: 'perm-co',
        operator: false,
        roles: ['owner'],
        permissions: [...INSTANCE_PERMISSIONS],
      });
      const me = await as('pc-owner', '/me');
      assert.deepEqual(
        (me.json.instances as Rec[]).map((i) => [i.slug, i.roles]),
        [['perm-co', ['owner']]],
      );
      const theirs = await as('pc-owner', '/instances/perm-other/permissions');
      assert.equal(theirs.status, 403);
      assert.equal(
        theirs.json.detail,
        'forbidden: requires instance:member on instance perm-other (any role there)',
      );
    });

    test('a sub-account sees the union of its roles, in catalog order, and follows changes at once', async () => {
      const path = '/instances/perm-co/permissions';
      // no role: refused and audited, like an instance that does not exist
      for (const p of [path, '/instances/no-such-co/permissions']) {
        const n = audits.length;
        const r = await as('pc-sub', p);
        assert.equal(r.status, 403, JSON.stringify(r.body));
        assert.match(String(r.json.detail), /^forbidden: requires instance:member on instance /);
        const rec = audits.slice(n).find((a) => a.action === 'api.getInstancePermissions');
        assert.equal(rec?.result, 'denied');
        assert.equal(rec?.actor.id, ids['pc-sub']);
      }
      assert.deepEqual((await as('pc-sub', '/me')).json.instances, []);

      // one built-in role: exactly its permissions
      await assign(ids['pc-sub']!, ['auditor']);
      let r = await as('pc-sub', path);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.json, {
        instance: 'perm-co',
        operator: false,
        roles: ['auditor'],
        permissions: [...BUILTIN_ROLE_PERMISSIONS.auditor],
      });

      // a custom role without instance:read, with a built-in one: the union, once each
      const role = await h.api('POST', '/instances/perm-co/roles', {
        name: 'key-keeper',
        permissions: ['keys:write', 'audit:read'],
      });
      assert.equal(role.status, 201, JSON.stringify(role.body));
      await assign(ids['pc-sub']!, ['key-keeper', 'user-admin']);
      r = await as('pc-sub', path);
      const union = new Set([
        ...BUILTIN_ROLE_PERMISSIONS['user-admin'],
        'keys:write',
        'audit:read',
      ]);
      assert.deepEqual(r.json.permissions, [...INSTANCE_PERMISSIONS.filter((p) => union.has(p))]);
      assert.deepEqual([...(r.json.roles as string[])].sort(), ['key-keeper', 'user-admin']);
      const me = await as('pc-sub', '/me');
      assert.deepEqual(me.json.instances, [
        {
          slug: 'perm-co',
          display_name: (me.json.instances as Rec[])[0]!.display_name,
          roles: r.json.roles,
          permissions: r.json.permissions,
        },
      ]);

      // what it says agrees with the dispatcher: held → allowed, not held → refused
      assert.equal((await as('pc-sub', '/instances/perm-co/users')).status, 200); // users:read
      assert.equal((await as('pc-sub', '/instances/perm-co/applications')).status, 403); // apps:read
      assert.ok(!(r.json.permissions as string[]).includes('apps:read'));

      // the only role a custom one lacking instance:read: still answered
      await assign(ids['pc-sub']!, ['key-keeper']);
      r = await as('pc-sub', path);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.json.permissions, ['keys:write', 'audit:read']);
      assert.equal((await as('pc-sub', '/instances/perm-co')).status, 403, 'no instance:read');

      // revoked: refused at once (nothing cached)
      await assign(ids['pc-sub']!, []);
      assert.equal((await as('pc-sub', path)).status, 403);
      assert.deepEqual((await as('pc-sub', '/me')).json.instances, []);
    });
  });
}
