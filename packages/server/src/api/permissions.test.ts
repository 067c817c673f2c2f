// Delegated administration (issue 6, G5.6) through the admin API on a real server, both
// stores. The first test is generated from the route table: every route refuses a member
// whose roles grant every instance permission except the route's own, naming it, and
// audits the refusal; a route without a permission fails it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { INSTANCE_PERMISSIONS, ROUTE_PERMISSIONS, type AuditInput } from '@idaas/core';
import { createUser, instance } from '../../../../e2e/support/oidc.ts';
import { API_PREFIX, routes } from './index.ts';
import { ACCOUNT_ROUTES, commerceRoutes } from './routes-commerce.ts';
import {
  memberTokens,
  startApi,
  type ApiHarness,
  type OpenApiDoc,
  type Schema,
} from './fixtures.ts';
import type { AnyRoute } from './route.ts';

type Rec = Record<string, unknown>;

// ---- syntactically valid requests for any route, from the served OpenAPI document

function resolve(doc: OpenApiDoc, s: Schema): Schema {
  let out = s;
  while (typeof out.$ref === 'string')
    out = doc.components.schemas[out.$ref.replace('#/components/schemas/', '')]!;
  return out;
}

function sample(doc: OpenApiDoc, raw: Schema, depth = 0): unknown {
  const s = resolve(doc, raw);
  if (depth > 6) return null;
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alts) {
    const alt = alts.find((a) => resolve(doc, a).type !== 'null') ?? alts[0]!;
    return sample(doc, alt, depth + 1);
  }
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('const' in s) return s.const;
  const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'string':
      if (s.format === 'date-time') return '2026-03-01T00:00:00.000Z';
      if (s.format === 'email') return 'someone@example.test';
      if (s.format === 'uri') return 'https://app.example.test/cb';
      return 'x'.repeat(Math.max(1, Number(s.minLength ?? 1), 3));
    case 'integer':
    case 'number':
      return Number(s.minimum ?? 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: Number(s.minItems ?? 0) }, () =>
        sample(doc, (s.items ?? {}) as Schema, depth + 1),
      );
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const out: Rec = {};
      for (const k of (s.required ?? []) as string[])
        out[k] = sample(doc, props[k] ?? {}, depth + 1);
      return out;
    }
    default:
      return null;
  }
}

function requestFor(
  doc: OpenApiDoc,
  r: AnyRoute,
  values: Record<string, string>,
): { path: string; body: unknown } {
  const path = r.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(values[name] ?? `no-such-${name}`),
  );
  const op = doc.paths[API_PREFIX + r.path]?.[r.method] as Rec | undefined;
  assert.ok(op, `${r.operationId} is documented`);
  const query = new URLSearchParams();
  for (const p of (op.parameters ?? []) as Rec[])
    if (p.in === 'query' && p.required)
      query.set(String(p.name), String(sample(doc, p.schema as Schema)));
  const content = ((op.requestBody as Rec | undefined)?.content as Rec | undefined)?.[
    'application/json'
  ] as { schema: Schema } | undefined;
  return {
    path: query.size ? `${path}?${query.toString()}` : path,
    body: content ? sample(doc, content.schema) : undefined,
  };
}

for (const kind of availableStoreKinds()) {
  describe(`delegated administration on ${kind}`, () => {
    let h: ApiHarness;
    const audits: AuditInput[] = [];
    let acct: Rec; // the customer account owning instance acme
    let otherAcct: Rec;
    let acmeId: string;
    const users: Record<'owner' | 'sub' | 'outsider', { id: string; token: string }> = {} as never;

    const ok = async (method: string, path: string, body?: unknown, token?: string) => {
      const r = await h.api(method, path, body, token ? { token } : {});
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.json;
    };
    const as = (who: keyof typeof users, method: string, path: string, body?: unknown) =>
      h.api(method, path, body, { token: users[who].token });
    const assign = (userId: string, roles: string[]) =>
      ok('PUT', `/instances/acme/role-assignments/${userId}`, { roles });

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
      for (const name of ['owner', 'sub', 'outsider'] as const) {
        const u = await createUser(server, platform, `roles-${name}`);
        users[name] = { id: u.id, token: await tokenOf(`roles-${name}`) };
      }
      acct = await ok('POST', '/accounts', { name: 'Acme Ltd', owner_user_id: users.owner.id });
      otherAcct = await ok('POST', '/accounts', { name: 'Other Ltd' });
      await ok('PUT', `/accounts/${acct.id}/members/${users.sub.id}`, {
        role: 'sub',
        permissions: [{ instance: 'acme', actions: ['orders:read'] }],
      });
      await ok('PUT', `/accounts/${otherAcct.id}/members/${users.outsider.id}`, { role: 'owner' });
      acmeId = (await server.sctx.core.instances.create({ slug: 'acme', accountId: acct.id })).id;
      await server.sctx.core.instances.create({ slug: 'other-co', accountId: otherAcct.id });
    });
    after(async () => {
      await h?.close();
    });

    test('every route declares a permission of the catalog', () => {
      for (const r of routes)
        assert.ok(
          (ROUTE_PERMISSIONS as readonly string[]).includes(r.permission),
          `${r.operationId} declares no known permission (${String(r.permission)})`,
        );
      // the commerce module's list of member routes is exactly its account:member ones
      assert.deepEqual(
        commerceRoutes
          .filter((r) => r.permission === 'account:member')
          .map((r) => r.operationId)
          .sort(),
        [...ACCOUNT_ROUTES].sort(),
      );
    });

    test('generated from the route table: each route refuses a member lacking exactly its permission', async () => {
      // what an operator sees before: nothing a refused call may change
      const snapshot = async () => {
        const paths = [
          '/instances/acme/export',
          '/instances/acme/roles',
          '/instances?limit=200',
          '/accounts?limit=200',
          '/plans',
          `/accounts/${acct.id}/members`,
          `/accounts/${acct.id}/orders`,
          `/accounts/${acct.id}/payments`,
          `/accounts/${acct.id}/contacts`,
          '/tickets',
          '/maintenance-windows',
          '/agreement-versions',
        ];
        const out: Rec = {};
        for (const p of paths) {
          const j = { ...(await ok('GET', p)) };
          delete j.exported_at;
          // the export's audit-trail head moves on purpose: every refusal is audited
          delete j.audit_trail;
          out[p] = j;
        }
        return JSON.stringify(out);
      };
      // one custom role per permission: every instance permission but that one
      for (const p of INSTANCE_PERMISSIONS)
        await ok('POST', '/instances/acme/roles', {
          name: `all-but-${p.replace(':', '-')}`,
          permissions: INSTANCE_PERMISSIONS.filter((q) => q !== p),
        });
      const before = await snapshot();
      const values = {
        slug: 'acme',
        account_id: String(acct.id),
        user_id: users.sub.id,
        month: '2026-01',
        name: 'auditor',
      };
      const byPermission = new Map<string, AnyRoute[]>();
      for (const r of routes)
        byPermission.set(r.permission, [...(byPermission.get(r.permission) ?? []), r]);
      let checked = 0;
      for (const p of INSTANCE_PERMISSIONS) {
        const list = byPermission.get(p) ?? [];
        if (list.length === 0) continue;
        await assign(users.sub.id, [`all-but-${p.replace(':', '-')}`]);
        // the role works for everything else
        if (p !== 'instance:read')
          assert.equal((await as('sub', 'GET', '/instances/acme')).status, 200);
        for (const r of list) {
          if (r.ownInstancesOnly) continue; // listing: filtered, checked below
          const { path, body } = requestFor(h.doc, r, values);
          const n = audits.length;
          const res = await as('sub', r.method.toUpperCase(), path, body);
          assert.equal(
            res.status,
            403,
            `${r.operationId} as all-but-${p}: ${JSON.stringify(res.body)}`,
          );
          assert.match(
            String(res.json.detail),
            new RegExp(`requires ${p}\\b`),
            `${r.operationId}: names ${p}`,
          );
          const rec = audits.slice(n).find((a) => a.action === `api.${r.operationId}`);
          assert.ok(rec, `${r.operationId}: refusal audited`);
          assert.equal(rec.result, 'denied');
          assert.equal(rec.actor.id, users.sub.id);
          checked++;
        }
      }
      await assign(users.sub.id, []);
      // platform:operate: refused for any member, even an account owner
      for (const r of byPermission.get('platform:operate') ?? []) {
        const { path, body } = requestFor(h.doc, r, values);
        for (const who of ['owner', 'sub'] as const) {
          const res = await as(who, r.method.toUpperCase(), path, body);
          assert.equal(res.status, 403, `${r.operationId} as ${who}: ${JSON.stringify(res.body)}`);
          assert.match(String(res.json.detail), /requires platform:operate/);
        }
        checked++;
      }
      // account:member: refused for a member of another account
      for (const r of byPermission.get('account:member') ?? []) {
        if (!r.path.includes('{account_id}')) continue;
        const { path, body } = requestFor(h.doc, r, values);
        const res = await as('outsider', r.method.toUpperCase(), path, body);
        assert.equal(res.status, 403, `${r.operationId} as outsider: ${JSON.stringify(res.body)}`);
        assert.match(String(res.json.detail), /requires account:member/);
        checked++;
      }
      // instance:member (the caller's own standing): refused without any role on the
      // instance (the sub-account, its roles revoked above; an owner of another account),
      // and on an instance that does not exist; answered with the narrowest single role
      for (const r of byPermission.get('instance:member') ?? []) {
        for (const [who, slug] of [
          ['sub', 'acme'],
          ['outsider', 'acme'],
          ['sub', 'no-such-instance'],
        ] as const) {
          const { path, body } = requestFor(h.doc, r, { ...values, slug });
          const n = audits.length;
          const res = await as(who, r.method.toUpperCase(), path, body);
          assert.equal(res.status, 403, `${r.operationId} as ${who} on ${slug}`);
          assert.match(String(res.json.detail), /requires instance:member on instance /);
          const rec = audits.slice(n).find((a) => a.action === `api.${r.operationId}`);
          assert.equal(rec?.result, 'denied', `${r.operationId}: refusal audited`);
        }
        await assign(users.sub.id, ['all-but-instance-read']);
        const { path, body } = requestFor(h.doc, r, values);
        const res = await as('sub', r.method.toUpperCase(), path, body);
        assert.equal(res.status, 200, `${r.operationId} with a role: ${JSON.stringify(res.body)}`);
        await assign(users.sub.id, []);
        checked++;
      }
      // all but the filtered listing and account routes naming no account
      const expected = routes.filter(
        (r) =>
          !r.ownInstancesOnly &&
          !(r.permission === 'account:member' && !r.path.includes('{account_id}')),
      );
      assert.equal(checked, expected.length, 'every route was checked');
      assert.equal(await snapshot(), before, 'refused calls changed nothing');
    });

    test('helpdesk, auditor, app-admin and custom roles grant what they say, no more', async () => {
      const denied = async (method: string, path: string, body: unknown, perm: string) => {
        const r = await as('sub', method, path, body);
        assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.json.detail, `forbidden: requires ${perm} on instance acme`);
      };
      // user-admin (helpdesk): users yes, applications no
      await assign(users.sub.id, ['user-admin']);
      const u = await as('sub', 'POST', '/instances/acme/users', {
        username: 'helped',
        password: 'a long enough password 1',
      });
      assert.equal(u.status, 201, JSON.stringify(u.body));
      await denied(
        'POST',
        '/instances/acme/applications',
        { name: 'nope', grant_types: ['client_credentials'] },
        'apps:write',
      );
      // auditor: reads everything, writes nothing
      await assign(users.sub.id, ['auditor']);
      assert.equal((await as('sub', 'GET', '/instances/acme/users')).status, 200);
      assert.equal((await as('sub', 'GET', '/instances/acme/applications')).status, 200);
      assert.equal((await as('sub', 'GET', '/instances/acme/role-assignments')).status, 200);
      await denied('PATCH', `/instances/acme/users/${u.json.id}`, { email: null }, 'users:write');
      await denied('POST', '/instances/acme/keys/rotate', undefined, 'keys:write');
      // app-admin: applications yes, users no
      await assign(users.sub.id, ['app-admin']);
      const app = await as('sub', 'POST', '/instances/acme/applications', {
        name: 'delegated app',
        grant_types: ['client_credentials'],
      });
      assert.equal(app.status, 201, JSON.stringify(app.body));
      await denied('DELETE', `/instances/acme/users/${u.json.id}`, undefined, 'users:write');
      // a custom role: exactly its permissions
      await ok('POST', '/instances/acme/roles', {
        name: 'user-reader',
        description: 'reads users',
        permissions: ['users:read'],
      });
      await assign(users.sub.id, ['user-reader']);
      assert.equal((await as('sub', 'GET', `/instances/acme/users/${u.json.id}`)).status, 200);
      await denied('GET', '/instances/acme/groups', undefined, 'groups:read');
      // roles are per instance: nothing on another customer's instance, existing or not
      for (const slug of ['other-co', 'no-such-instance']) {
        const r = await as('sub', 'GET', `/instances/${slug}/users`);
        assert.equal(r.status, 403);
        assert.equal(r.json.detail, `forbidden: requires users:read on instance ${slug}`);
      }
      // listing instances: only those the member holds a role on
      const mine = await as('sub', 'GET', '/instances');
      assert.equal(mine.status, 200);
      assert.deepEqual(
        (mine.json.items as Rec[]).map((i) => i.slug),
        ['acme'],
      );
      const theirs = await as('outsider', 'GET', '/instances');
      assert.deepEqual(
        (theirs.json.items as Rec[]).map((i) => i.slug),
        ['other-co'],
      );
      // bad role definitions: a clear 400 naming the field, nothing written
      const bad = await h.api('POST', '/instances/acme/roles', {
        name: 'Bad Name',
        permissions: ['users:read'],
      });
      assert.equal(bad.status, 400);
      const badPerm = await h.api('POST', '/instances/acme/roles', {
        name: 'flyer',
        permissions: ['users:fly'],
      });
      assert.equal(badPerm.status, 400);
      assert.match(String(badPerm.json.detail), /^permissions\[0\]:/);
      assert.equal(
        (
          await h.api('POST', '/instances/acme/roles', {
            name: 'admin',
            permissions: ['users:read'],
          })
        ).status,
        409,
      );
      assert.equal((await h.api('GET', '/instances/acme/roles/flyer')).status, 404);
      // a role still held cannot be deleted
      assert.equal((await h.api('DELETE', '/instances/acme/roles/user-reader')).status, 409);
      await assign(users.sub.id, []);
      assert.equal((await h.api('DELETE', '/instances/acme/roles/user-reader')).status, 204);
    });

    test('the owner hands out roles, an admin cannot, nobody beyond what they hold', async () => {
      // the account owner is implicitly owner of the account's instances
      const listed = await as('owner', 'GET', '/instances/acme/role-assignments');
      assert.equal(listed.status, 200);
      assert.deepEqual(
        (listed.json.items as Rec[]).find((a) => a.user_id === users.owner.id),
        { user_id: users.owner.id, roles: ['owner'], implicit: true },
      );
      const put = await as('owner', 'PUT', `/instances/acme/role-assignments/${users.sub.id}`, {
        roles: ['admin'],
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.deepEqual(put.json, { user_id: users.sub.id, roles: ['admin'], implicit: false });
      // an admin does everything but hand out roles
      const self = await as('sub', 'PUT', `/instances/acme/role-assignments/${users.sub.id}`, {
        roles: ['owner'],
      });
      assert.equal(self.status, 403);
      assert.equal(self.json.detail, 'forbidden: requires roles:write on instance acme');
      // a custom role with roles:write still cannot grant beyond its holder
      const res = await as('owner', 'POST', '/instances/acme/roles', {
        name: 'delegator',
        permissions: ['roles:read', 'roles:write', 'users:read'],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await assign(users.sub.id, ['delegator']);
      const escalate = await as('sub', 'PUT', `/instances/acme/role-assignments/${users.sub.id}`, {
        roles: ['owner'],
      });
      assert.equal(escalate.status, 403);
      assert.match(String(escalate.json.detail), /^roles: you cannot grant/);
      assert.deepEqual(
        (await ok('GET', `/instances/acme/role-assignments/${users.sub.id}`)).roles,
        ['delegator'],
      );
      // only members of the owning account can hold roles (G5.6)
      const stranger = await h.api('PUT', `/instances/acme/role-assignments/${users.outsider.id}`, {
        roles: ['auditor'],
      });
      assert.equal(stranger.status, 409);
      assert.match(String(stranger.json.detail), /^user_id: not a member/);
      assert.equal(
        (await h.api('PUT', '/instances/acme/role-assignments/nobody', { roles: [] })).status,
        404,
      );
      const unknownRole = await h.api('PUT', `/instances/acme/role-assignments/${users.sub.id}`, {
        roles: ['auditor', 'wizard'],
      });
      assert.equal(unknownRole.status, 400);
      assert.match(String(unknownRole.json.detail), /^roles\[1\]:/);
      // the owner revokes
      const del = await as('owner', 'DELETE', `/instances/acme/role-assignments/${users.sub.id}`);
      assert.equal(del.status, 204);
      assert.equal((await as('sub', 'GET', '/instances/acme/users')).status, 403);
    });

    test("a sub-account acts through its roles, audited on the account's behalf (G5.6)", async () => {
      await assign(users.sub.id, ['user-admin']);
      const n = audits.length;
      const created = await as('sub', 'POST', '/instances/acme/users', {
        username: 'made-by-sub',
        password: 'a long enough password 2',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const rec = audits.slice(n).find((a) => a.action === 'api.createUser');
      assert.ok(rec, 'the write is audited');
      assert.equal(rec.result, 'success');
      assert.equal(rec.instanceId, acmeId);
      assert.deepEqual(rec.actor, {
        type: 'subaccount',
        id: users.sub.id,
        onBehalfOf: acct.id,
      });
      assert.equal((rec.details as Rec).instance, 'acme');
      assert.ok(!JSON.stringify(rec).includes('a long enough password 2'), 'no secrets audited');
      // a failing write is audited as a failure
      const m = audits.length;
      const dup = await as('sub', 'POST', '/instances/acme/users', {
        username: 'made-by-sub',
        password: 'a long enough password 2',
      });
      assert.equal(dup.status, 409);
      const failed = audits.slice(m).find((a) => a.action === 'api.createUser');
      assert.equal(failed?.result, 'failure');
      // operator writes are audited too (client credentials: the client)
      const k = audits.length;
      await ok('POST', '/instances/acme/groups', { name: 'ops' });
      const op = audits.slice(k).find((a) => a.action === 'api.createGroup');
      assert.equal(op?.actor.type, 'client');
      // leaving the account revokes every role at once
      await ok('DELETE', `/accounts/${acct.id}/members/${users.sub.id}`);
      const gone = await as('sub', 'GET', '/instances/acme/users');
      assert.equal(gone.status, 403);
      assert.deepEqual(
        ((await as('sub', 'GET', '/instances')).json.items as Rec[]).map((i) => i.slug),
        [],
      );
      await ok('PUT', `/accounts/${acct.id}/members/${users.sub.id}`, {
        role: 'sub',
        permissions: [{ instance: 'acme', actions: ['orders:read'] }],
      });
    });
  });
}
