// Lifecycle enforcement through the real server, both stores: an ID2 instance on a test
// clock goes arrears → grace (serves normally) → suspended (24 h later): the admin API
// refuses directory writes with 403 naming the state and clause, reads stay allowed,
// the OIDC token endpoint refuses (access_denied); a payment restores everything.
// Then the export offered before release, and the lifecycle view.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startApi, type ApiHarness } from '../packages/server/src/api/fixtures.ts';

const T0 = '2026-04-01T00:00:00.000Z';
const H = 3_600_000;

async function token(h: ApiHarness, slug: string, id: string, secret: string) {
  const res = await fetch(`${h.server.url}/i/${slug}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const kind of availableStoreKinds()) {
  describe(`lifecycle enforcement on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => h?.close());

    test('grace serves; suspended is read-only (403 naming state and clause); payment restores', async () => {
      const { service } = h.server.sctx.business.lifecycle;
      const inst = (await h.api('POST', '/instances', { slug: 'metered' })).json;
      const app = (
        await h.api('POST', '/instances/metered/applications', {
          name: 'svc',
          grant_types: ['client_credentials'],
        })
      ).json;
      const clock = (await h.api('POST', '/clocks', { at: T0 })).json;
      const row = (await h.server.sctx.store.repos.instances.get(String(inst.id)))!;
      await service.ensure(
        { instanceId: row.id, accountId: row.accountId, policy: 'ID2', clockId: String(clock.id) },
        new Date(T0),
      );
      await service.record(row.id, { type: 'activate' }, new Date(T0));
      await service.record(row.id, { type: 'arrears' }, new Date(T0));

      // grace: normal service, the admin view shows the state, clause and next transition
      let lc = (await h.api('GET', '/instances/metered/lifecycle')).json;
      assert.equal(lc.state, 'grace');
      assert.equal(lc.clause, 'ID2');
      assert.equal(lc.next_transition_at, new Date(Date.parse(T0) + 24 * H).toISOString());
      assert.equal((await h.api('POST', '/instances/metered/groups', { name: 'g1' })).status, 201);
      const secret = String(app.client_secret);
      assert.equal((await token(h, 'metered', String(app.client_id), secret)).status, 200);

      const adv = await h.api('POST', `/clocks/${clock.id}/advance`, { by: '24h' });
      assert.equal(adv.json.transitions, 1);
      lc = (await h.api('GET', '/instances/metered/lifecycle')).json;
      assert.equal(lc.state, 'suspended');
      assert.deepEqual(
        (lc.timeline as { state: string }[]).map((e) => e.state),
        ['active', 'grace', 'suspended'],
      );

      const refused = await h.api('POST', '/instances/metered/users', {
        username: 'zoe',
        password: 'violet-harbor-lamp-1',
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('content-type'), 'application/problem+json');
      assert.equal(refused.json.code, 'instance_unavailable');
      assert.equal(refused.json.state, 'suspended');
      assert.equal(refused.json.clause, 'ID2');
      assert.match(String(refused.json.detail), /suspended.*ID2/);
      for (const [method, path] of [
        ['PATCH', `/instances/metered/applications/${app.id}`],
        ['DELETE', `/instances/metered/applications/${app.id}`],
        ['POST', '/instances/metered/keys/rotate'],
      ] as const)
        assert.equal(
          (await h.api(method, path, method === 'PATCH' ? { name: 'x' } : undefined)).status,
          403,
          `${method} ${path}`,
        );
      assert.equal((await h.api('GET', '/instances/metered/users')).status, 200, 'reads allowed');
      assert.equal((await h.api('GET', '/instances/metered/groups')).status, 200);
      assert.equal((await h.api('GET', '/instances/metered')).json.state, 'suspended');
      // other instances are untouched
      assert.equal((await h.api('POST', '/instances/default/groups', { name: 'x' })).status, 201);

      // end users: the OIDC module refuses on instance.state (it revalidates within seconds)
      let denied: { status: number; body: Record<string, unknown> } | null = null;
      for (let i = 0; i < 100 && denied?.status !== 400; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        denied = await token(h, 'metered', String(app.client_id), secret);
      }
      assert.equal(denied!.status, 400);
      assert.equal(denied!.body.error, 'access_denied');
      assert.match(String(denied!.body.error_description), /suspended/);

      // payment restores service at once (the mirror on instances.state is in the same transaction)
      const restored = await service.record(
        row.id,
        { type: 'payment' },
        new Date(Date.parse(T0) + 30 * H),
      );
      assert.deepEqual(
        restored.map((t) => t.to),
        ['active'],
      );
      assert.equal((await h.api('POST', '/instances/metered/groups', { name: 'g2' })).status, 201);
      let ok: { status: number } | null = null;
      for (let i = 0; i < 100 && ok?.status !== 200; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        ok = await token(h, 'metered', String(app.client_id), secret);
      }
      assert.equal(ok!.status, 200);
      lc = (await h.api('GET', '/instances/metered/lifecycle')).json;
      assert.equal(lc.state, 'active');
      assert.equal(lc.next_transition_at, null);
    });

    test('export: users without password hashes, groups, org units and applications without secrets', async () => {
      await h.api('POST', '/instances', { slug: 'exported' });
      const u = (
        await h.api('POST', '/instances/exported/users', {
          username: 'ann',
          email: 'ann@example.com',
          password: 'violet-harbor-lamp-1',
        })
      ).json;
      const g = (await h.api('POST', '/instances/exported/groups', { name: 'staff' })).json;
      await h.api('PUT', `/instances/exported/groups/${g.id}/members/${u.id}`);
      const o = (await h.api('POST', '/instances/exported/org-units', { name: 'HQ' })).json;
      await h.api('PUT', `/instances/exported/org-units/${o.id}/members/${u.id}`);
      await h.api('POST', '/instances/exported/applications', {
        name: 'svc',
        grant_types: ['client_credentials'],
      });
      const r = await h.api('GET', '/instances/exported/export');
      assert.equal(r.status, 200);
      const body = r.json as Record<string, Record<string, unknown>[]>;
      assert.equal(r.json.format, 'idaas-export/1');
      assert.deepEqual(
        body.users!.map((x) => x.username),
        ['ann'],
      );
      assert.equal(body.users![0]!.email, 'ann@example.com');
      assert.deepEqual(body.groups![0]!.member_ids, [u.id]);
      assert.deepEqual(body.org_units![0]!.member_ids, [u.id]);
      assert.equal(body.applications!.length, 1);
      const text = JSON.stringify(r.json);
      // (keys, not words: `token_endpoint_auth_method: client_secret_basic` is no secret)
      assert.ok(
        !/password_hash|\$argon2|"client_secret"|secret_encrypted/.test(text),
        'no secrets',
      );
    });
  });
}
