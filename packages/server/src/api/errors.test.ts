// Bad input to the admin API: the right 4xx as RFC 9457 problem+json naming the field
// as the client sent it, and nothing written (the store is checked after each).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import type { Instance } from '@idaas/core';
import { startApi, type ApiHarness, type ApiResponse } from './fixtures.ts';

type Rec = Record<string, unknown>;

function problem(r: ApiResponse, status: number, field?: string): Rec {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const p = r.json;
  assert.equal(p.status, status);
  assert.equal(typeof p.type, 'string');
  assert.equal(typeof p.title, 'string');
  assert.equal(typeof p.detail, 'string');
  if (field) {
    const errors = p.errors as { field: string; message: string }[];
    assert.ok(Array.isArray(errors), `errors[] in ${JSON.stringify(p)}`);
    assert.equal(errors[0]!.field, field, JSON.stringify(p));
    assert.ok(errors[0]!.message.length > 0);
    assert.ok((p.detail as string).includes(field), `detail names ${field}: ${String(p.detail)}`);
  }
  return p;
}

for (const kind of availableStoreKinds()) {
  describe(`admin API bad input on ${kind}`, () => {
    let h: ApiHarness;
    let inst: Instance;
    const counts = async () => {
      const repos = h.server.sctx.store.repos;
      return {
        users: (await repos.users.list(inst.id, { limit: 1000 })).items.length,
        apps: (await repos.applications.list(inst.id, { limit: 1000 })).items.length,
        groups: (await repos.groups.list(inst.id, { limit: 1000 })).items.length,
        units: (await repos.orgUnits.list(inst.id, { limit: 1000 })).items.length,
        instances: (await repos.instances.list({ limit: 1000 })).items.length,
      };
    };
    /** Runs `fn` and asserts that no row was added or removed. */
    const nothingWritten = async (fn: () => Promise<void>) => {
      const before = await counts();
      await fn();
      assert.deepEqual(await counts(), before, 'nothing written');
    };

    before(async () => {
      h = await startApi(kind);
      inst = await h.server.sctx.core.instances.get('default');
      await h.api('POST', '/instances/default/users', {
        username: 'taken',
        email: 'taken@example.com',
      });
    });
    after(async () => {
      await h?.close();
    });

    test('missing credentials → 401 with WWW-Authenticate: Bearer', async () => {
      await nothingWritten(async () => {
        const r = await h.api(
          'POST',
          '/instances/default/users',
          { username: 'x1' },
          { token: null },
        );
        problem(r, 401, 'authorization');
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="idaas"/);
      });
    });

    test('wrong credentials → 401 invalid_token', async () => {
      await nothingWritten(async () => {
        for (const token of ['not-a-real-token', `${h.token}x`]) {
          const r = await h.api('POST', '/instances/default/users', { username: 'x2' }, { token });
          problem(r, 401, 'authorization');
          assert.match(r.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
        }
        const basic = await h.api('GET', '/instances', undefined, {
          token: null,
          headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
        });
        problem(basic, 401, 'authorization');
      });
    });

    test('a token of another instance is useless here', async () => {
      const { application, clientSecret } = await h.server.sctx.core.applications.create(inst, {
        name: 'tenant client',
        grantTypes: ['client_credentials'],
        scopes: ['openid'],
      });
      const res = await fetch(`${h.server.url}/i/default/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${application.clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const body = (await res.json()) as { access_token?: string };
      assert.ok(body.access_token, `instance default issued no token: ${JSON.stringify(body)}`);
      await nothingWritten(async () => {
        const r = await h.api(
          'POST',
          '/instances',
          { slug: 'x-tenant' },
          { token: body.access_token! },
        );
        problem(r, 401, 'authorization');
      });
    });

    test('malformed JSON → 400 naming body', async () => {
      await nothingWritten(async () => {
        const r = await h.api('POST', '/instances/default/users', undefined, {
          raw: '{"username": "x3",',
        });
        const p = problem(r, 400, 'body');
        assert.match(String(p.detail), /malformed JSON/);
      });
    });

    test('a body that is not an object → 400 naming body', async () => {
      await nothingWritten(async () => {
        problem(await h.api('POST', '/instances/default/users', ['x4']), 400, 'body');
      });
    });

    test('body over the limit → 413', async () => {
      await nothingWritten(async () => {
        const limit = h.server.sctx.config.bodyLimitBytes;
        const r = await h.api('POST', '/instances/default/users', {
          username: 'x5',
          display_name: 'x'.repeat(limit),
        });
        problem(r, 413, 'body');
      });
    });

    test('wrong content type → 415', async () => {
      await nothingWritten(async () => {
        const r = await h.api('POST', '/instances/default/users', undefined, {
          raw: 'username=x6',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        problem(r, 415, 'body');
      });
    });

    test('unknown instance → 404', async () => {
      await nothingWritten(async () => {
        for (const [method, path, body] of [
          ['GET', '/instances/no-such-instance', undefined],
          ['GET', '/instances/no-such-instance/users', undefined],
          ['POST', '/instances/no-such-instance/users', { username: 'x7' }],
          [
            'POST',
            '/instances/no-such-instance/applications',
            { name: 'a', grant_types: ['client_credentials'] },
          ],
          ['POST', '/instances/no-such-instance/keys/rotate', undefined],
        ] as const) {
          const p = problem(await h.api(method, path, body), 404);
          assert.match(String(p.detail), /instance "no-such-instance" not found/);
        }
      });
    });

    test('unknown resource ids → 404', async () => {
      await nothingWritten(async () => {
        problem(await h.api('GET', '/instances/default/users/nope'), 404);
        problem(await h.api('PATCH', '/instances/default/users/nope', { status: 'locked' }), 404);
        problem(await h.api('DELETE', '/instances/default/applications/nope'), 404);
        problem(await h.api('GET', '/instances/default/org-units/nope'), 404);
        problem(await h.api('DELETE', '/instances/default/groups/nope'), 404);
      });
    });

    test('invalid redirect URIs → 400 naming redirect_uris[i]', async () => {
      await nothingWritten(async () => {
        const cases: [string[], string, RegExp][] = [
          [['http://evil.example.com/cb'], 'redirect_uris[0]', /https/],
          [['not a uri'], 'redirect_uris[0]', /absolute URI/],
          [
            ['https://ok.example.com/cb', 'https://ok.example.com/cb#frag'],
            'redirect_uris[1]',
            /fragment/,
          ],
          [['https://ok.example.com/cb', 'javascript:alert(1)'], 'redirect_uris[1]', /javascript/],
        ];
        for (const [uris, field, message] of cases) {
          const r = await h.api('POST', '/instances/default/applications', {
            name: 'bad',
            grant_types: ['authorization_code'],
            redirect_uris: uris,
          });
          const p = problem(r, 400, field);
          assert.match((p.errors as Rec[])[0]!.message as string, message);
        }
        const app = await h.server.sctx.core.applications.create(inst, {
          name: 'patch target',
          grantTypes: ['authorization_code'],
          redirectUris: ['https://ok.example.com/cb'],
        });
        const patch = await h.api(
          'PATCH',
          `/instances/default/applications/${app.application.id}`,
          {
            redirect_uris: ['https://ok.example.com/new', 'http://evil.example.com/cb'],
          },
        );
        problem(patch, 400, 'redirect_uris[1]');
        const stored = await h.server.sctx.core.applications.get(inst, app.application.id);
        assert.deepEqual(stored.redirectUris, ['https://ok.example.com/cb'], 'patch not applied');
        await h.server.sctx.core.applications.delete(inst, app.application.id);
      });
    });

    test('rules checked by the core still name the wire field', async () => {
      await nothingWritten(async () => {
        const noUris = await h.api('POST', '/instances/default/applications', {
          name: 'code without uris',
          grant_types: ['authorization_code'],
        });
        problem(noUris, 400, 'redirect_uris');
        const publicCc = await h.api('POST', '/instances/default/applications', {
          name: 'public cc',
          client_type: 'public',
          grant_types: ['client_credentials'],
        });
        problem(publicCc, 400, 'grant_types');
        const badGrant = await h.api('POST', '/instances/default/applications', {
          name: 'bad grant',
          grant_types: ['password'],
        });
        problem(badGrant, 400, 'grant_types[0]');
        const badParent = await h.api('POST', '/instances/default/org-units', {
          name: 'orphan',
          parent_id: 'nope',
        });
        problem(badParent, 400, 'parent_id');
      });
    });

    test('duplicate usernames (any case) and emails → 409 naming the field', async () => {
      await nothingWritten(async () => {
        problem(
          await h.api('POST', '/instances/default/users', { username: 'taken' }),
          409,
          'username',
        );
        problem(
          await h.api('POST', '/instances/default/users', { username: 'TAKEN' }),
          409,
          'username',
        );
        problem(
          await h.api('POST', '/instances/default/users', {
            username: 'other',
            email: 'Taken@example.com',
          }),
          409,
          'email',
        );
      });
    });

    test('other duplicates → 409: slug, group name, client_id', async () => {
      await h.api('POST', '/instances/default/groups', { name: 'ops' });
      await h.api('POST', '/instances/default/applications', {
        name: 'svc',
        client_id: 'svc-client',
        grant_types: ['client_credentials'],
      });
      await nothingWritten(async () => {
        problem(await h.api('POST', '/instances', { slug: 'default' }), 409, 'slug');
        problem(await h.api('POST', '/instances/default/groups', { name: 'OPS' }), 409, 'name');
        problem(
          await h.api('POST', '/instances/default/applications', {
            name: 'svc again',
            client_id: 'svc-client',
            grant_types: ['client_credentials'],
          }),
          409,
          'client_id',
        );
      });
    });

    test('field validation names the field as sent', async () => {
      await nothingWritten(async () => {
        const missing = problem(
          await h.api('POST', '/instances/default/users', {}),
          400,
          'username',
        );
        assert.match(String(missing.detail), /username: is required/);
        problem(
          await h.api('POST', '/instances/default/users', { username: 'x8', email: 'nope' }),
          400,
          'email',
        );
        problem(
          await h.api('POST', '/instances/default/users', { username: 'x9', password: 'short' }),
          400,
          'password',
        );
        problem(
          await h.api('POST', '/instances/default/users', {
            username: 'x10',
            displayName: 'camel',
          }),
          400,
          'displayName',
        );
        problem(
          await h.api('POST', '/instances/default/users', {
            username: 'x11',
            password_hash: '$argon2id$',
          }),
          400,
          'password_hash',
        );
        problem(await h.api('POST', '/instances', { slug: 'Bad Slug' }), 400, 'slug');
        const taken = await h.api('GET', '/instances/default/users?q=taken');
        const id = ((taken.json.items as Rec[])[0] as Rec).id;
        problem(
          await h.api('PATCH', `/instances/default/users/${id}`, { status: 'gone' }),
          400,
          'status',
        );
        problem(
          await h.api('PATCH', `/instances/default/users/${id}`, { email: 'x@' }),
          400,
          'email',
        );
      });
    });

    test('bad list parameters → 400 naming the parameter', async () => {
      for (const [qs, field] of [
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=ten', 'limit'],
        ['limit=1.5', 'limit'],
        ['cursor=%00%00', 'cursor'],
      ] as const)
        problem(await h.api('GET', `/instances/default/users?${qs}`), 400, field);
    });

    test('unknown routes → 404; wrong method → 405 with Allow', async () => {
      problem(await h.api('GET', '/nothing-here'), 404);
      const r = await h.api('PUT', '/instances/default/users');
      problem(r, 405);
      assert.equal(r.headers.get('allow'), 'GET, POST');
    });

    test('a token without the idaas:admin scope → 403', async () => {
      // a verified token whose scopes lack idaas:admin; obtaining one needs a platform
      // client allowed another scope
      const platform = await h.server.sctx.core.instances.get('platform');
      const { application, clientSecret } = await h.server.sctx.core.applications.create(platform, {
        name: 'no admin',
        grantTypes: ['client_credentials'],
        scopes: ['openid'],
      });
      const res = await fetch(`${h.server.url}/i/platform/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${application.clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const body = (await res.json()) as { access_token?: string };
      assert.ok(body.access_token, JSON.stringify(body));
      await nothingWritten(async () => {
        const r = await h.api(
          'POST',
          '/instances/default/users',
          { username: 'x12' },
          { token: body.access_token! },
        );
        problem(r, 403);
        assert.match(r.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
      });
    });
  });
}
