// Admin API of conditional access policies on every store: CRUD, reorder, default
// decision, dry-run, bad input naming the field and changing nothing, audit records.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditInput } from '@idaas/core';
import { availableStoreKinds } from '@idaas/storage';
import { startApi, type ApiHarness } from './fixtures.ts';

type Rec = Record<string, unknown>;
const S = '/instances/acp';
const P = `${S}/access-policies`;

for (const kind of availableStoreKinds()) {
  describe(`access policies API on ${kind}`, () => {
    let h: ApiHarness;
    let userId: string;
    let groupId: string;
    let clientId: string;
    const audited: AuditInput[] = [];
    before(async () => {
      h = await startApi(kind);
      // every record still goes to the real sink; the test also keeps a copy
      const sink = h.server.sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        audited.push(e);
        await record(e);
      };
      assert.equal((await h.api('POST', '/instances', { slug: 'acp' })).status, 201);
      const u = await h.api('POST', `${S}/users`, {
        username: 'ann',
        password: 'correct horse battery staple 9',
      });
      assert.equal(u.status, 201, JSON.stringify(u.body));
      userId = String(u.json.id);
      const g = await h.api('POST', `${S}/groups`, { name: 'contractors' });
      groupId = String(g.json.id);
      await h.api('PUT', `${S}/groups/${groupId}/members/${userId}`);
      const a = await h.api('POST', `${S}/applications`, {
        name: 'web',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://app.example/cb'],
      });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      clientId = String(a.json.client_id);
    });
    after(async () => {
      await h?.close();
    });

    const list = async () => {
      const r = await h.api('GET', P);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.json as { items: Rec[]; default_decision: string };
    };

    test('create, get, list, update, reorder, delete — audited', async () => {
      const empty = await list();
      assert.deepEqual(empty, { items: [], default_decision: 'allow' });
      const office = await h.api('POST', P, {
        name: 'office',
        decision: 'allow',
        conditions: { networks: ['10.0.0.0/8', '2001:db8::/32'] },
      });
      assert.equal(office.status, 201, JSON.stringify(office.body));
      assert.equal(office.json.priority, 10);
      assert.equal(office.json.enabled, true);
      assert.deepEqual((office.json.conditions as Rec).exclude, {
        applications: [],
        users: [],
        groups: [],
        networks: [],
      });
      const contractors = await h.api('POST', P, {
        name: 'contractors on web need MFA',
        decision: 'mfa',
        conditions: {
          applications: [{ kind: 'oidc', id: clientId }],
          groups: [groupId],
          device: 'new',
        },
      });
      assert.equal(contractors.status, 201, JSON.stringify(contractors.body));
      assert.equal(contractors.json.priority, 20);
      const got = await h.api('GET', `${P}/${contractors.json.id}`);
      assert.deepEqual(got.json, contractors.json);

      const patched = await h.api('PATCH', `${P}/${office.json.id}`, {
        enabled: false,
        priority: 5,
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.json.enabled, false);
      assert.equal(patched.json.priority, 5);
      assert.deepEqual(patched.json.conditions, office.json.conditions);

      const reordered = await h.api('POST', `${P}/reorder`, {
        ids: [contractors.json.id, office.json.id],
      });
      assert.equal(reordered.status, 200, JSON.stringify(reordered.body));
      assert.deepEqual(
        (reordered.json.items as Rec[]).map((p) => [p.name, p.priority]),
        [
          ['contractors on web need MFA', 10],
          ['office', 20],
        ],
      );

      assert.equal((await h.api('DELETE', `${P}/${office.json.id}`)).status, 204);
      assert.equal((await h.api('GET', `${P}/${office.json.id}`)).status, 404);
      assert.equal((await h.api('DELETE', `${P}/${office.json.id}`)).status, 404);
      assert.deepEqual(
        (await list()).items.map((p) => p.name),
        ['contractors on web need MFA'],
      );
      assert.deepEqual(
        audited.filter((e) => e.action.startsWith('access_policy.')).map((e) => e.action),
        [
          'access_policy.create',
          'access_policy.create',
          'access_policy.update',
          'access_policy.reorder',
          'access_policy.delete',
        ],
      );
      const upd = audited.find((e) => e.action === 'access_policy.update')!;
      assert.deepEqual(upd.details?.changed, ['priority', 'enabled']);
      assert.equal(upd.result, 'success');
      assert.notEqual(upd.actor.type, 'anonymous');
      await h.api('DELETE', `${P}/${contractors.json.id}`);
    });

    test('default decision: allow until set; set and read back; audited', async () => {
      const d = await h.api('GET', `${P}/default`);
      assert.deepEqual(d.json, { decision: 'allow', updated_at: null });
      const put = await h.api('PUT', `${P}/default`, { decision: 'mfa' });
      assert.equal(put.status, 200);
      assert.equal(put.json.decision, 'mfa');
      assert.equal((await h.api('GET', `${P}/default`)).json.decision, 'mfa');
      assert.equal((await list()).default_decision, 'mfa');
      const bad = await h.api('PUT', `${P}/default`, { decision: 'maybe' });
      assert.equal(bad.status, 400);
      assert.equal((await h.api('GET', `${P}/default`)).json.decision, 'mfa');
      const rec = audited.find((e) => e.action === 'access_policy.default.set')!;
      assert.deepEqual(rec.details, { decision: 'mfa', previous: 'allow' });
      await h.api('PUT', `${P}/default`, { decision: 'allow' });
    });

    test('dry-run: the deciding policy and why, by user id or username', async () => {
      const deny = await h.api('POST', P, {
        name: 'block outside',
        decision: 'deny',
        conditions: { exclude: { networks: ['10.0.0.0/8'] } },
      });
      const mfa = await h.api('POST', P, {
        name: 'new devices of contractors',
        decision: 'mfa',
        conditions: { groups: [groupId], device: 'new' },
      });
      const outside = await h.api('POST', `${P}/dry-run`, {
        user: 'ann',
        application: clientId,
        ip: '198.51.100.7',
      });
      assert.equal(outside.status, 200, JSON.stringify(outside.body));
      assert.equal(outside.json.decision, 'deny');
      assert.deepEqual(outside.json.policy, {
        id: deny.json.id,
        name: 'block outside',
        priority: deny.json.priority,
      });
      assert.deepEqual(outside.json.facts, {
        user_id: userId,
        group_ids: [groupId],
        application: { kind: 'oidc', id: clientId },
        ip: '198.51.100.7',
        device: 'known',
      });
      const inside = await h.api('POST', `${P}/dry-run`, {
        user: userId,
        ip: '10.2.3.4',
        new_device: true,
      });
      assert.equal(inside.json.decision, 'mfa');
      const explanation = inside.json.explanation as string[];
      assert.match(
        explanation[0]!,
        /"block outside" \(deny\): not matched — IP 10\.2\.3\.4 is in excluded network 10\.0\.0\.0\/8/,
      );
      assert.match(explanation[1]!, /"new devices of contractors" \(mfa\): matched/);
      const known = await h.api('POST', `${P}/dry-run`, { user: userId, ip: '10.2.3.4' });
      assert.equal(known.json.decision, 'allow');
      assert.equal(known.json.policy, null);
      assert.match(
        (known.json.explanation as string[]).at(-1)!,
        /instance default applies \(allow\)/,
      );
      await h.api('DELETE', `${P}/${deny.json.id}`);
      await h.api('DELETE', `${P}/${mfa.json.id}`);
    });

    test('bad input names the field and writes nothing', async () => {
      const kept = await h.api('POST', P, { name: 'kept', decision: 'allow', priority: 100 });
      const before = await list();
      const auditedBefore = audited.length;
      const cases: [string, string, unknown, number, string][] = [
        [
          'POST',
          P,
          { name: 'x', decision: 'deny', conditions: { networks: ['10.0.0.0/8', '10.0.0.0/33'] } },
          400,
          'conditions.networks[1]',
        ],
        [
          'POST',
          P,
          { name: 'x', decision: 'deny', conditions: { exclude: { networks: ['fe80::/200'] } } },
          400,
          'conditions.exclude.networks[0]',
        ],
        [
          'POST',
          P,
          { name: 'x', decision: 'deny', conditions: { groups: ['nope'] } },
          400,
          'conditions.groups[0]',
        ],
        [
          'POST',
          P,
          {
            name: 'x',
            decision: 'deny',
            conditions: { applications: [{ kind: 'saml', id: clientId }] },
          },
          400,
          'conditions.applications[0]',
        ],
        ['POST', P, { name: 'x', decision: 'deny', priority: 100 }, 409, 'priority'],
        ['POST', P, { name: 'x', decision: 'block' }, 400, 'decision'],
        ['POST', P, { name: '', decision: 'deny' }, 400, 'name'],
        ['POST', P, { name: 'x', decision: 'deny', colour: 'red' }, 400, 'colour'],
        [
          'PATCH',
          `${P}/${kept.json.id}`,
          { conditions: { users: ['ghost'] } },
          400,
          'conditions.users[0]',
        ],
        ['PATCH', `${P}/${kept.json.id}`, { priority: -1 }, 400, 'priority'],
        ['POST', `${P}/reorder`, { ids: [] }, 400, 'ids'],
        ['POST', `${P}/reorder`, { ids: [kept.json.id, kept.json.id] }, 400, 'ids[1]'],
        ['POST', `${P}/reorder`, { ids: ['nope'] }, 400, 'ids[0]'],
        ['POST', `${P}/dry-run`, { user: 'nobody', ip: '10.0.0.1' }, 400, 'user'],
        ['POST', `${P}/dry-run`, { user: 'ann', ip: '10.0.0.300' }, 400, 'ip'],
        [
          'POST',
          `${P}/dry-run`,
          { user: 'ann', ip: '10.0.0.1', application: 'nope' },
          400,
          'application',
        ],
      ];
      for (const [method, path, body, status, field] of cases) {
        const r = await h.api(method, path, body);
        assert.equal(
          r.status,
          status,
          `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`,
        );
        const fields = ((r.json.errors as { field: string }[] | undefined) ?? []).map(
          (e) => e.field,
        );
        assert.ok(
          fields.includes(field) || String(r.json.detail).startsWith(`${field}:`),
          `${JSON.stringify(body)} → ${JSON.stringify(r.body)} names ${field}`,
        );
      }
      assert.deepEqual(await list(), before);
      assert.equal(
        audited.slice(auditedBefore).filter((e) => e.action.startsWith('access_policy.')).length,
        0,
      );
      assert.equal((await h.api('GET', `${S}/access-policies/nope`)).status, 404);
      await h.api('DELETE', `${P}/${kept.json.id}`);
    });
  });
}
