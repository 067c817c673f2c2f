// Admin API round trips on every store kind: instances, users, groups, org units,
// applications, keys, and cursor pagination. Every response is also checked against
// the served OpenAPI document (see fixtures.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { collectAll, startApi, type ApiHarness } from './fixtures.ts';

type Rec = Record<string, unknown>;

for (const kind of availableStoreKinds()) {
  describe(`admin API on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => {
      await h?.close();
    });

    test('instances: create, get, list, and the issuer of each', async () => {
      const created = await h.api('POST', '/instances', {
        slug: 'acme-corp',
        display_name: 'Acme Corp',
        region: 'cn-beijing',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.json.slug, 'acme-corp');
      assert.equal(created.json.display_name, 'Acme Corp');
      assert.equal(created.json.region, 'cn-beijing');
      assert.equal(created.json.state, 'active');
      assert.equal(created.json.platform, false);
      assert.equal(created.json.issuer, `${h.server.url}/i/acme-corp`);
      assert.equal(
        created.headers.get('location'),
        `${h.server.url}/api/v1/instances/${created.json.id}`,
      );
      assert.ok(!('data_key_wrapped' in created.json) && !('dataKeyWrapped' in created.json));

      const got = await h.api('GET', '/instances/acme-corp');
      assert.equal(got.status, 200);
      assert.deepEqual(got.json, created.json);

      const platform = await h.api('GET', '/instances/platform');
      assert.equal(platform.json.platform, true);

      const all = await collectAll(h, '/instances', 2);
      const slugs = all.items.map((i) => i.slug);
      assert.deepEqual([...slugs].sort(), ['acme-corp', 'default', 'platform']);
      assert.equal(all.pages, 2);

      const search = await h.api('GET', '/instances?q=ACME');
      assert.deepEqual(
        (search.json.items as Rec[]).map((i) => i.slug),
        ['acme-corp'],
      );
    });

    test('users: create, get, update, search, delete', async () => {
      const created = await h.api('POST', '/instances/default/users', {
        username: 'alice',
        password: 'correct horse battery',
        email: 'alice@example.com',
        display_name: 'Alice Liddell',
        phone: '+8613800138000',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const alice = created.json;
      assert.equal(alice.username, 'alice');
      assert.equal(alice.email, 'alice@example.com');
      assert.equal(alice.email_verified, false);
      assert.equal(alice.phone, '+8613800138000');
      assert.equal(alice.status, 'enabled');
      assert.equal(alice.has_password, true);
      for (const k of ['password', 'password_hash', 'passwordHash'])
        assert.ok(!(k in alice), `${k} must never be returned`);

      const got = await h.api('GET', `/instances/default/users/${alice.id}`);
      assert.deepEqual(got.json, alice);

      const patched = await h.api('PATCH', `/instances/default/users/${alice.id}`, {
        display_name: null,
        email_verified: true,
        status: 'disabled',
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.json.display_name, null);
      assert.equal(patched.json.email_verified, true);
      assert.equal(patched.json.status, 'disabled');
      assert.equal(patched.json.email, 'alice@example.com', 'absent fields are left alone');

      const noPassword = await h.api('POST', '/instances/default/users', { username: 'bob' });
      assert.equal(noPassword.status, 201);
      assert.equal(noPassword.json.has_password, false);
      const withPassword = await h.api('PATCH', `/instances/default/users/${noPassword.json.id}`, {
        password: 'a fresh password',
      });
      assert.equal(withPassword.json.has_password, true);
      const instance = await h.server.sctx.core.instances.get('default');
      const login = await h.server.sctx.core.directory.authenticate(
        instance,
        'bob',
        'a fresh password',
      );
      assert.equal(login.ok, true, 'the password set through the API works');

      const search = await h.api('GET', '/instances/default/users?q=LIDDELL');
      assert.deepEqual(search.json.items, []); // the display name was cleared
      const byEmail = await h.api('GET', '/instances/default/users?q=alice%40example');
      assert.deepEqual(
        (byEmail.json.items as Rec[]).map((u) => u.username),
        ['alice'],
      );

      const del = await h.api('DELETE', `/instances/default/users/${alice.id}`);
      assert.equal(del.status, 204);
      assert.equal((await h.api('GET', `/instances/default/users/${alice.id}`)).status, 404);
      assert.equal((await h.api('DELETE', `/instances/default/users/${alice.id}`)).status, 404);
      assert.equal(await h.server.sctx.store.repos.users.get(instance.id, String(alice.id)), null);
    });

    test('pagination visits every row exactly once, with a Link header', async () => {
      await h.api('POST', '/instances', { slug: 'paging' });
      const inst = await h.server.sctx.core.instances.get('paging');
      for (let i = 0; i < 23; i++)
        await h.server.sctx.core.directory.createUser(inst, {
          username: `user${String(i).padStart(2, '0')}`,
        });
      const { items, pages } = await collectAll(h, '/instances/paging/users', 5);
      assert.equal(pages, 5);
      assert.equal(items.length, 23);
      assert.equal(new Set(items.map((u) => u.id)).size, 23);
      const all = await h.api('GET', '/instances/paging/users?limit=200');
      assert.equal((all.json.items as Rec[]).length, 23);
      assert.equal(all.json.next_cursor, null);
      const dflt = await h.api('GET', '/instances/paging/users');
      assert.equal((dflt.json.items as Rec[]).length, 23, 'default limit 50');

      // the search term survives in the next link
      const first = await h.api('GET', '/instances/paging/users?q=user1&limit=5');
      assert.equal((first.json.items as Rec[]).length, 5);
      const link = first.headers.get('link')!;
      const url = /<([^>]+)>/.exec(link)![1]!;
      assert.equal(new URL(url).searchParams.get('q'), 'user1');
      const res = await fetch(url, { headers: { authorization: `Bearer ${h.token}` } });
      const second = (await res.json()) as Rec;
      assert.deepEqual(
        [...(first.json.items as Rec[]), ...(second.items as Rec[])].map((u) => u.username).sort(),
        [
          'user10',
          'user11',
          'user12',
          'user13',
          'user14',
          'user15',
          'user16',
          'user17',
          'user18',
          'user19',
        ],
      );
      assert.equal(second.next_cursor, null);
    });

    test('groups: create, get, list, members, delete', async () => {
      const g = await h.api('POST', '/instances/default/groups', {
        name: 'engineering',
        description: 'Builders',
      });
      assert.equal(g.status, 201, JSON.stringify(g.body));
      assert.equal(g.json.description, 'Builders');
      const gid = String(g.json.id);
      assert.deepEqual((await h.api('GET', `/instances/default/groups/${gid}`)).json, g.json);
      const list = await h.api('GET', '/instances/default/groups?q=ENGIN');
      assert.deepEqual(
        (list.json.items as Rec[]).map((x) => x.id),
        [gid],
      );

      const users: string[] = [];
      for (const name of ['carol', 'dave', 'erin']) {
        const u = await h.api('POST', '/instances/default/users', { username: name });
        users.push(String(u.json.id));
        const put = await h.api('PUT', `/instances/default/groups/${gid}/members/${u.json.id}`);
        assert.equal(put.status, 204);
      }
      // idempotent
      assert.equal(
        (await h.api('PUT', `/instances/default/groups/${gid}/members/${users[0]}`)).status,
        204,
      );
      const members = await collectAll(h, `/instances/default/groups/${gid}/members`, 2);
      assert.deepEqual(members.items.map((u) => u.username).sort(), ['carol', 'dave', 'erin']);
      const one = await h.api('GET', `/instances/default/groups/${gid}/members/${users[1]}`);
      assert.equal(one.status, 200);
      assert.equal(one.json.username, 'dave');

      assert.equal(
        (await h.api('DELETE', `/instances/default/groups/${gid}/members/${users[1]}`)).status,
        204,
      );
      assert.equal(
        (await h.api('GET', `/instances/default/groups/${gid}/members/${users[1]}`)).status,
        404,
      );
      assert.equal(
        (await h.api('DELETE', `/instances/default/groups/${gid}/members/${users[1]}`)).status,
        404,
      );
      const inst = await h.server.sctx.core.instances.get('default');
      assert.deepEqual(await h.server.sctx.store.repos.users.groupNames(inst.id, users[0]!), [
        'engineering',
      ]);

      const unknownUser = await h.api('PUT', `/instances/default/groups/${gid}/members/nobody`);
      assert.equal(unknownUser.status, 404);

      assert.equal((await h.api('DELETE', `/instances/default/groups/${gid}`)).status, 204);
      assert.equal((await h.api('GET', `/instances/default/groups/${gid}`)).status, 404);
      assert.equal((await h.api('GET', `/instances/default/users/${users[0]}`)).status, 200);
    });

    test('org units: tree, rename, move, cycle refused, members, delete', async () => {
      const root = await h.api('POST', '/instances/default/org-units', { name: 'HQ' });
      assert.equal(root.status, 201, JSON.stringify(root.body));
      assert.equal(root.json.parent_id, null);
      const child = await h.api('POST', '/instances/default/org-units', {
        name: 'Sales',
        parent_id: root.json.id,
      });
      assert.equal(child.json.parent_id, root.json.id);
      const leaf = await h.api('POST', '/instances/default/org-units', {
        name: 'Sales East',
        parent_id: child.json.id,
      });

      const kids = await h.api('GET', `/instances/default/org-units/${root.json.id}/children`);
      assert.deepEqual(
        (kids.json.items as Rec[]).map((o) => o.name),
        ['Sales'],
      );

      const renamed = await h.api('PATCH', `/instances/default/org-units/${child.json.id}`, {
        name: 'Sales & Marketing',
      });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.equal(renamed.json.name, 'Sales & Marketing');
      assert.equal(renamed.json.parent_id, root.json.id);

      const cycle = await h.api('PATCH', `/instances/default/org-units/${root.json.id}`, {
        parent_id: leaf.json.id,
        name: 'Not applied',
      });
      assert.equal(cycle.status, 400);
      assert.equal((cycle.json.errors as Rec[])[0]!.field, 'parent_id');
      const rootNow = await h.api('GET', `/instances/default/org-units/${root.json.id}`);
      assert.equal(rootNow.json.name, 'HQ', 'nothing written on error');
      assert.equal(rootNow.json.parent_id, null);

      const moved = await h.api('PATCH', `/instances/default/org-units/${leaf.json.id}`, {
        parent_id: null,
        name: 'East',
      });
      assert.equal(moved.json.parent_id, null);
      assert.equal(moved.json.name, 'East');

      const u = await h.api('POST', '/instances/default/users', { username: 'frank' });
      const uid = String(u.json.id);
      assert.equal(
        (await h.api('PUT', `/instances/default/org-units/${child.json.id}/members/${uid}`)).status,
        204,
      );
      assert.equal(
        (await h.api('PUT', `/instances/default/org-units/${leaf.json.id}/members/${uid}`)).status,
        204,
      );
      const units = await h.api('GET', `/instances/default/users/${uid}/org-units`);
      assert.deepEqual((units.json.items as Rec[]).map((o) => o.name).sort(), [
        'East',
        'Sales & Marketing',
      ]);
      assert.equal(
        (await h.api('GET', `/instances/default/org-units/${leaf.json.id}/members/${uid}`)).json
          .username,
        'frank',
      );
      assert.equal(
        (await h.api('DELETE', `/instances/default/org-units/${leaf.json.id}/members/${uid}`))
          .status,
        204,
      );
      assert.equal(
        (await h.api('GET', `/instances/default/org-units/${leaf.json.id}/members/${uid}`)).status,
        404,
      );

      const busy = await h.api('DELETE', `/instances/default/org-units/${root.json.id}`);
      assert.equal(busy.status, 409);
      assert.equal(
        (await h.api('DELETE', `/instances/default/org-units/${child.json.id}`)).status,
        204,
      );
      assert.equal(
        (await h.api('DELETE', `/instances/default/org-units/${root.json.id}`)).status,
        204,
      );
      const list = await collectAll(h, '/instances/default/org-units', 50);
      assert.deepEqual(
        list.items.map((o) => o.name),
        ['East'],
      );
    });

    test('applications: secret shown once, get/patch/rotate/delete', async () => {
      const created = await h.api('POST', '/instances/default/applications', {
        name: 'Web shop',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://shop.example.com/callback', 'http://localhost:8080/cb'],
        scopes: ['openid', 'profile', 'offline_access'],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const app = created.json;
      assert.equal(app.client_type, 'confidential');
      assert.equal(typeof app.client_secret, 'string');
      assert.ok((app.client_secret as string).length >= 32);
      assert.equal(typeof app.client_id, 'string');
      assert.ok(!('secret_encrypted' in app) && !('secretEncrypted' in app));
      const inst = await h.server.sctx.core.instances.get('default');
      const stored = await h.server.sctx.store.repos.applications.get(inst.id, String(app.id));
      assert.ok(
        stored?.secretEncrypted && !stored.secretEncrypted.includes(String(app.client_secret)),
      );
      assert.equal(h.server.sctx.core.applications.secretOf(inst, stored), app.client_secret);

      const got = await h.api('GET', `/instances/default/applications/${app.id}`);
      assert.equal(got.status, 200);
      assert.ok(!('client_secret' in got.json), 'the secret is never shown again');
      const { client_secret: _s, ...withoutSecret } = app;
      assert.deepEqual(got.json, withoutSecret);

      const patched = await h.api('PATCH', `/instances/default/applications/${app.id}`, {
        redirect_uris: ['https://shop.example.com/cb2'],
        access_token_format: 'jwt',
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.deepEqual(patched.json.redirect_uris, ['https://shop.example.com/cb2']);
      assert.equal(patched.json.access_token_format, 'jwt');
      assert.equal(patched.json.name, 'Web shop');

      const rotated = await h.api('POST', `/instances/default/applications/${app.id}/secret`);
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.equal(typeof rotated.json.client_secret, 'string');
      assert.notEqual(rotated.json.client_secret, app.client_secret);
      const after = await h.server.sctx.store.repos.applications.get(inst.id, String(app.id));
      assert.equal(
        h.server.sctx.core.applications.secretOf(inst, after!),
        rotated.json.client_secret,
      );

      const pub = await h.api('POST', '/instances/default/applications', {
        name: 'TV app',
        client_type: 'public',
        client_id: 'tv-app',
        grant_types: ['device_code', 'refresh_token'],
      });
      assert.equal(pub.status, 201, JSON.stringify(pub.body));
      assert.equal(pub.json.client_secret, null);
      assert.equal(pub.json.client_id, 'tv-app');
      assert.deepEqual(pub.json.grant_types, [
        'urn:ietf:params:oauth:grant-type:device_code',
        'refresh_token',
      ]);
      const noSecret = await h.api('POST', `/instances/default/applications/${pub.json.id}/secret`);
      assert.equal(noSecret.status, 400);

      const list = await collectAll(h, '/instances/default/applications', 1);
      assert.deepEqual(list.items.map((a) => a.name).sort(), ['TV app', 'Web shop']);
      for (const a of list.items) assert.ok(!('client_secret' in a));

      assert.equal(
        (await h.api('DELETE', `/instances/default/applications/${pub.json.id}`)).status,
        204,
      );
      assert.equal(
        (await h.api('GET', `/instances/default/applications/${pub.json.id}`)).status,
        404,
      );
      assert.equal(await h.server.sctx.core.applications.findByClientId(inst, 'tv-app'), null);
    });

    test('keys: public JWKs only; rotation keeps the old keys published as retiring', async () => {
      await h.api('POST', '/instances', { slug: 'keyed' });
      const before = await h.api('GET', '/instances/keyed/keys');
      assert.equal(before.status, 200);
      const keys = before.json.keys as Rec[];
      assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      for (const k of keys) {
        assert.equal(k.status, 'active');
        assert.equal(k.retire_after, null);
        const jwk = k.public_jwk as Rec;
        assert.equal(jwk.kid, k.kid);
        for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
          assert.ok(!(m in jwk), `no private member ${m}`);
        assert.ok(!('private_jwk_encrypted' in k));
      }
      const rotated = await h.api('POST', '/instances/keyed/keys/rotate');
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      const after = rotated.json.keys as Rec[];
      assert.equal(after.length, 4);
      const active = after.filter((k) => k.status === 'active');
      const retiring = after.filter((k) => k.status === 'retiring');
      assert.deepEqual(retiring.map((k) => k.kid).sort(), keys.map((k) => k.kid).sort());
      assert.equal(active.length, 2);
      for (const k of active) assert.ok(!keys.some((o) => o.kid === k.kid));
      for (const k of retiring) assert.equal(typeof k.retire_after, 'string');
      const listed = await h.api('GET', '/instances/keyed/keys');
      assert.equal((listed.json.keys as Rec[]).length, 4);
    });

    test('openapi.json needs no token; everything else does', async () => {
      const doc = await fetch(`${h.server.url}/api/v1/openapi.json`);
      assert.equal(doc.status, 200);
      assert.match(doc.headers.get('content-type') ?? '', /application\/json/);
      const r = await h.api('GET', '/instances', undefined, { token: null });
      assert.equal(r.status, 401);
    });
  });
}
