// SCIM 2.0 conformance-style suite on every store: discovery, auth, Users and Groups
// (POST, GET, list with every filter operator, sorting, pagination, projections, PUT,
// PATCH in every form, DELETE), ETags with If-Match, /Bulk, and bad input answered with
// SCIM errors (the right scimType) and nothing written. Real client-credentials tokens.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { availableStoreKinds } from '@idaas/storage';
import {
  clientCredentialsToken,
  provisioningApp,
  scimClient,
  type ScimBody,
  type ScimClient,
} from './testing.ts';

const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
const G = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERR = 'urn:ietf:params:scim:api:messages:2.0:Error';

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [U, E],
  userName,
  name: { givenName: userName, familyName: 'Tester', formatted: `${userName} Tester` },
  displayName: `${userName} T`,
  emails: [
    { value: `${userName}@work.test`, type: 'work', primary: true },
    { value: `${userName}@home.test`, type: 'home' },
  ],
  phoneNumbers: [{ value: '+8613800138000', type: 'mobile' }],
  title: 'Engineer',
  [E]: { employeeNumber: '1', department: 'R&D' },
  ...extra,
});
const patch = (...Operations: unknown[]) => ({ schemas: [P], Operations });

for (const kind of availableStoreKinds()) {
  describe(`SCIM 2.0 (${kind})`, () => {
    let c: ScimClient;
    const ids: Record<string, string> = {};
    const filter = async (f: string, extra = '') => {
      const r = await c.req('GET', `/Users?filter=${encodeURIComponent(f)}${extra}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body.Resources as { userName: string }[]).map((x) => x.userName).sort();
    };
    const expectError = async (
      p: Promise<{ status: number; body: ScimBody }>,
      status: number,
      scimType?: string,
    ) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.deepEqual(r.body.schemas, [ERR]);
      assert.equal(r.body.status, String(status));
      if (scimType) assert.equal(r.body.scimType, scimType);
      return r.body;
    };
    const count = async () => (await c.req('GET', '/Users?count=0')).body.totalResults as number;

    before(async () => {
      c = await scimClient(kind);
      for (const [n, extra] of [
        ['alice', { externalId: 'EXT-alice', active: true }],
        ['bob', { title: 'Manager', [E]: { employeeNumber: '2', department: 'Sales' } }],
        ['carol', { active: false, title: undefined }],
        ['dave', { emails: [{ value: 'dave@other.test', type: 'other' }] }],
      ] as const) {
        const r = await c.req('POST', '/Users', user(n, extra));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids[n] = r.body.id;
      }
    });
    after(() => c?.server.close());

    it('discovery: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
      const spc = await c.req('GET', '/ServiceProviderConfig');
      assert.equal(spc.status, 200);
      assert.match(spc.headers.get('content-type')!, /application\/scim\+json/);
      assert.equal(spc.body.patch.supported, true);
      assert.equal(spc.body.bulk.supported, true);
      assert.equal(spc.body.filter.supported, true);
      assert.equal(spc.body.etag.supported, true);
      const rt = await c.req('GET', '/ResourceTypes');
      assert.equal(rt.body.totalResults, 2);
      assert.deepEqual(
        rt.body.Resources.map((r: { id: string }) => r.id),
        ['User', 'Group'],
      );
      assert.equal((await c.req('GET', '/ResourceTypes/User')).body.schemaExtensions[0].schema, E);
      const sc = await c.req('GET', '/Schemas');
      assert.deepEqual(
        sc.body.Resources.map((r: { id: string }) => r.id),
        [U, E, G],
      );
      const us = await c.req('GET', `/Schemas/${U}`);
      assert.ok(us.body.attributes.some((a: { name: string }) => a.name === 'userName'));
      await expectError(c.req('GET', '/Schemas/urn:nope'), 404);
      await expectError(c.req('GET', '/Me'), 501);
      await expectError(c.req('GET', '/Nope'), 404);
    });

    it('auth: bearer token of THIS instance with scope scim', async () => {
      const res = await fetch(`${c.base}/Users`);
      assert.equal(res.status, 401);
      assert.deepEqual(((await res.json()) as { schemas: string[] }).schemas, [ERR]);
      const bad = await fetch(`${c.base}/Users`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(bad.status, 401);
      // a token without the scim scope → 403
      const other = await provisioningApp(c.server, c.instance, ['reports:read']);
      const t = await clientCredentialsToken(
        c.server,
        'default',
        other.clientId,
        other.secret,
        'reports:read',
      );
      const r = await fetch(`${c.base}/Users`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal(r.status, 403);
      // a token of another instance → 401 here
      const c2 = await scimClient(kind, 'other', c.server);
      const x = await fetch(`${c.base}/Users`, {
        headers: { authorization: `Bearer ${c2.token}` },
      });
      assert.equal(x.status, 401);
      // and the other instance sees none of this one's users
      assert.equal((await c2.req('GET', '/Users')).body.totalResults, 0);
    });

    it('POST → 201 with Location, ETag; GET by id maps to the directory', async () => {
      const r = await c.req('GET', `/Users/${ids.alice}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('etag'), 'W/"1"');
      assert.equal(r.body.userName, 'alice');
      assert.equal(r.body.externalId, 'EXT-alice');
      assert.equal(r.body.name.givenName, 'alice');
      assert.equal(r.body[E].department, 'R&D');
      assert.deepEqual(r.body.schemas, [U, E]);
      assert.equal(r.body.meta.resourceType, 'User');
      assert.equal(r.body.meta.location, `${c.base}/Users/${ids.alice}`);
      assert.equal(r.body.password, undefined);
      const u = await c.server.sctx.core.directory.getUser(c.instance, ids.alice!);
      assert.equal(u.username, 'alice');
      assert.equal(u.email, 'alice@work.test');
      assert.equal(u.phone, '+8613800138000');
      assert.equal(u.displayName, 'alice T');
      assert.equal(u.status, 'enabled');
      const carol = await c.server.sctx.core.directory.getUser(c.instance, ids.carol!);
      assert.equal(carol.status, 'disabled');
      // personal data of the SCIM blob is sealed at rest
      const rec = await c.server.sctx.store.repos.scim.get(c.instance.id, 'User', ids.alice!);
      assert.ok(rec && !rec.data.includes('Tester') && !rec.data.includes('EXT-alice'));
      await expectError(c.req('GET', '/Users/nope'), 404);
    });

    it('filters: every operator, logic, grouping, value paths, extension attributes', async () => {
      assert.deepEqual(await filter('userName eq "ALICE"'), ['alice']);
      assert.deepEqual(await filter('userName ne "alice"'), ['bob', 'carol', 'dave']);
      assert.deepEqual(await filter('userName co "a"'), ['alice', 'carol', 'dave']);
      assert.deepEqual(await filter('userName sw "ca"'), ['carol']);
      assert.deepEqual(await filter('userName ew "e"'), ['alice', 'dave']);
      assert.deepEqual(await filter('externalId pr'), ['alice']);
      assert.deepEqual(await filter('userName gt "bob"'), ['carol', 'dave']);
      assert.deepEqual(await filter('userName ge "bob"'), ['bob', 'carol', 'dave']);
      assert.deepEqual(await filter('userName lt "bob"'), ['alice']);
      assert.deepEqual(await filter('userName le "bob"'), ['alice', 'bob']);
      assert.deepEqual(await filter('meta.created gt "2000-01-01T00:00:00Z"'), [
        'alice',
        'bob',
        'carol',
        'dave',
      ]);
      assert.deepEqual(await filter('active eq false'), ['carol']);
      assert.deepEqual(await filter('emails.value eq "bob@work.test"'), ['bob']);
      assert.deepEqual(await filter('emails co "home.test"'), ['alice', 'bob', 'carol']);
      assert.deepEqual(await filter('emails[type eq "other"]'), ['dave']);
      assert.deepEqual(await filter('emails[type eq "work" and value sw "b"]'), ['bob']);
      assert.deepEqual(await filter('emails[type eq "home"].value co "car"'), ['carol']);
      assert.deepEqual(await filter('title eq "manager" or active eq false'), ['bob', 'carol']);
      assert.deepEqual(await filter('not (title pr) and userName pr'), ['carol']);
      assert.deepEqual(
        await filter('(userName eq "alice" or userName eq "bob") and not (title eq "Manager")'),
        ['alice'],
      );
      assert.deepEqual(await filter(`${E}:department eq "sales"`), ['bob']);
      assert.deepEqual(await filter('externalId eq "EXT-alice"'), ['alice']);
      assert.deepEqual(await filter('externalId eq "ext-alice"'), []); // caseExact
      assert.deepEqual(await filter(`id eq "${ids.dave}"`), ['dave']);
      assert.deepEqual(await filter('name.familyName eq "tester" and userName eq "bob"'), ['bob']);
      // POST /.search
      const s = await c.req('POST', '/Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'userName sw "d"',
        attributes: ['userName'],
      });
      assert.equal(s.status, 200);
      assert.deepEqual(
        s.body.Resources.map((r: { userName: string }) => r.userName),
        ['dave'],
      );
      await expectError(
        c.req('GET', `/Users?filter=${encodeURIComponent('userName eq')}`),
        400,
        'invalidFilter',
      );
      await expectError(
        c.req('GET', `/Users?filter=${encodeURIComponent('userName zz "a"')}`),
        400,
        'invalidFilter',
      );
      await expectError(
        c.req('GET', `/Users?filter=${encodeURIComponent('(userName eq "a"')}`),
        400,
        'invalidFilter',
      );
    });

    it('sorting, pagination, attributes / excludedAttributes', async () => {
      const p = await c.req(
        'GET',
        '/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2',
      );
      assert.equal(p.body.totalResults, 4);
      assert.equal(p.body.itemsPerPage, 2);
      assert.equal(p.body.startIndex, 2);
      assert.deepEqual(
        p.body.Resources.map((r: { userName: string }) => r.userName),
        ['carol', 'bob'],
      );
      const e = await c.req('GET', '/Users?sortBy=emails&startIndex=4&count=10');
      assert.deepEqual(
        e.body.Resources.map((r: { userName: string }) => r.userName),
        ['dave'],
      );
      const z = await c.req('GET', '/Users?count=0');
      assert.equal(z.body.totalResults, 4);
      assert.deepEqual(z.body.Resources, []);
      const a = await c.req(
        'GET',
        `/Users?filter=${encodeURIComponent('userName eq "bob"')}&attributes=userName,name.givenName,emails.value,${E}:department`,
      );
      const b = a.body.Resources[0];
      assert.deepEqual(
        Object.keys(b).sort(),
        ['emails', 'id', 'meta', 'name', 'schemas', 'userName', E].sort(),
      );
      assert.deepEqual(b.name, { givenName: 'bob' });
      assert.deepEqual(b.emails, [{ value: 'bob@work.test' }, { value: 'bob@home.test' }]);
      assert.deepEqual(b[E], { department: 'Sales' });
      const x = await c.req('GET', `/Users/${ids.bob}?excludedAttributes=emails,name,id,${E}`);
      assert.equal(x.body.emails, undefined);
      assert.equal(x.body.name, undefined);
      assert.equal(x.body[E], undefined);
      assert.equal(x.body.id, ids.bob); // always returned
      await expectError(c.req('GET', '/Users?sortOrder=sideways'), 400, 'invalidValue');
      await expectError(c.req('GET', '/Users?count=x'), 400, 'invalidValue');
    });

    it('PUT replaces; ETags with If-Match (412 on mismatch)', async () => {
      const before = await c.req('GET', `/Users/${ids.dave}`);
      const body = { ...user('dave'), title: 'CTO', nickName: 'D' };
      await expectError(c.req('PUT', `/Users/${ids.dave}`, body, { 'if-match': 'W/"7"' }), 412);
      const r = await c.req('PUT', `/Users/${ids.dave}`, body, {
        'if-match': before.headers.get('etag')!,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.title, 'CTO');
      assert.equal(r.body.nickName, 'D');
      assert.equal(r.headers.get('etag'), 'W/"2"');
      assert.equal(r.body.meta.version, 'W/"2"');
      assert.equal(
        (await c.server.sctx.core.directory.getUser(c.instance, ids.dave!)).email,
        'dave@work.test',
      );
      await expectError(
        c.req('PUT', `/Users/${ids.dave}`, { ...body, userName: 'david' }),
        400,
        'mutability',
      );
      await expectError(
        c.req('PUT', `/Users/${ids.dave}`, { ...body, id: 'other' }),
        400,
        'mutability',
      );
      await expectError(c.req('PUT', '/Users/nope', body), 404);
    });

    it('PATCH: add / replace / remove with paths, sub-attributes, value filters, extensions', async () => {
      const id = ids.bob!;
      const r = await c.req(
        'PATCH',
        `/Users/${id}`,
        patch(
          { op: 'Add', path: 'nickName', value: 'Bobby' },
          { op: 'add', path: 'emails', value: [{ value: 'bob@extra.test', type: 'other' }] },
          { op: 'replace', path: 'emails[type eq "home"].value', value: 'bob@newhome.test' },
          { op: 'replace', path: 'name.givenName', value: 'Robert' },
          { op: 'REPLACE', path: `${E}:department`, value: 'Marketing' },
          { op: 'add', path: `${E}:manager`, value: { value: ids.alice } },
          { op: 'remove', path: 'title' },
          { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
          { op: 'replace', value: { displayName: 'Robert T', active: false } },
        ),
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const b = r.body;
      assert.equal(b.nickName, 'Bobby');
      assert.deepEqual(
        b.emails.map((e: { value: string }) => e.value),
        ['bob@work.test', 'bob@newhome.test', 'bob@extra.test'],
      );
      assert.equal(b.name.givenName, 'Robert');
      assert.equal(b.name.familyName, 'Tester');
      assert.equal(b[E].department, 'Marketing');
      assert.equal(b[E].manager.value, ids.alice);
      assert.equal(b.title, undefined);
      assert.equal(b.phoneNumbers, undefined);
      assert.equal(b.active, false);
      const u = await c.server.sctx.core.directory.getUser(c.instance, id);
      assert.equal(u.status, 'disabled');
      assert.equal(u.displayName, 'Robert T');
      assert.equal(u.phone, null);
      // primary email moves: the directory email follows
      const m = await c.req(
        'PATCH',
        `/Users/${id}`,
        patch(
          { op: 'replace', path: 'emails[value eq "bob@extra.test"].primary', value: true },
          { op: 'remove', path: 'emails[type eq "work"]' },
        ),
      );
      assert.equal(m.status, 200, JSON.stringify(m.body));
      assert.equal(
        (await c.server.sctx.core.directory.getUser(c.instance, id)).email,
        'bob@extra.test',
      );
      assert.equal(m.body.emails.filter((e: { primary?: boolean }) => e.primary).length, 1);
      // remove a sub-attribute of a filtered value; remove all values
      const s = await c.req(
        'PATCH',
        `/Users/${id}`,
        patch(
          { op: 'remove', path: 'emails[type eq "home"].type' },
          { op: 'add', path: 'active', value: true },
        ),
      );
      assert.equal(s.status, 200);
      assert.equal(s.body.active, true);
      // Azure AD sends booleans as strings
      const az = await c.req(
        'PATCH',
        `/Users/${id}`,
        patch({ op: 'Replace', path: 'active', value: 'False' }),
      );
      assert.equal(az.body.active, false);
      await c.req('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'True' }));
      // If-Match on PATCH
      await expectError(
        c.req('PATCH', `/Users/${id}`, patch({ op: 'add', path: 'title', value: 'x' }), {
          'if-match': 'W/"1"',
        }),
        412,
      );
    });

    it('PATCH errors: invalidPath, noTarget, mutability, invalidValue, invalidSyntax — nothing written', async () => {
      const id = ids.alice!;
      const before = await c.req('GET', `/Users/${id}`);
      const ok = { op: 'replace', path: 'title', value: 'CHANGED' };
      const cases: [unknown, string][] = [
        [patch(ok, { op: 'replace', path: 'emails[type eq', value: 'x' }), 'invalidPath'],
        [patch(ok, { op: 'replace', path: 'a.b.c', value: 'x' }), 'invalidPath'],
        [patch(ok, { op: 'replace', path: 'title[value eq "x"]', value: 'x' }), 'invalidPath'],
        [patch(ok, { op: 'replace', path: 'urn:nope:x', value: 'x' }), 'invalidPath'],
        [patch(ok, { op: 'replace', path: 'emails[type eq "fax"].value', value: 'x' }), 'noTarget'],
        [patch(ok, { op: 'remove' }), 'noTarget'],
        [patch(ok, { op: 'replace', path: 'id', value: 'x' }), 'mutability'],
        [patch(ok, { op: 'add', path: 'groups', value: [{ value: 'g' }] }), 'mutability'],
        [patch(ok, { op: 'replace', path: 'userName', value: 'alicia' }), 'mutability'],
        [patch(ok, { op: 'replace', path: 'active', value: 'yes' }), 'invalidValue'],
        [
          patch(ok, {
            op: 'replace',
            path: 'emails',
            value: [{ value: 'not-an-email', primary: true }],
          }),
          'invalidValue',
        ],
        [
          patch(ok, {
            op: 'add',
            path: 'emails',
            value: [
              { value: 'a@b.test', primary: true },
              { value: 'c@d.test', primary: true },
            ],
          }),
          'invalidValue',
        ],
        [patch(ok, { op: 'move', path: 'title', value: 'x' }), 'invalidSyntax'],
        [{ schemas: ['wrong'], Operations: [ok] }, 'invalidSyntax'],
        [{ schemas: [P], Operations: [] }, 'invalidSyntax'],
        [patch(ok, { op: 'add', path: 'title' }), 'invalidValue'],
      ];
      for (const [body, scimType] of cases)
        await expectError(c.req('PATCH', `/Users/${id}`, body), 400, scimType);
      await expectError(c.req('PATCH', `/Users/${id}`, '{not json'), 400, 'invalidSyntax');
      const afterwards = await c.req('GET', `/Users/${id}`);
      assert.deepEqual(afterwards.body, before.body);
      assert.equal(afterwards.headers.get('etag'), before.headers.get('etag'));
    });

    it('POST errors: uniqueness, invalidValue, invalidSyntax — nothing written', async () => {
      const n = await count();
      await expectError(c.req('POST', '/Users', user('alice')), 409, 'uniqueness');
      await expectError(
        c.req(
          'POST',
          '/Users',
          user('alice2', { emails: [{ value: 'alice@work.test', primary: true }] }),
        ),
        409,
        'uniqueness',
      );
      await expectError(
        c.req('POST', '/Users', user('alice3', { externalId: 'EXT-alice' })),
        409,
        'uniqueness',
      );
      await expectError(c.req('POST', '/Users', { schemas: [U] }), 400, 'invalidValue');
      await expectError(
        c.req('POST', '/Users', user('x1', { active: 'yes' })),
        400,
        'invalidValue',
      );
      await expectError(
        c.req('POST', '/Users', user('x2', { emails: 'x@y.z' })),
        400,
        'invalidValue',
      );
      await expectError(c.req('POST', '/Users', user('x3', { name: 'str' })), 400, 'invalidValue');
      await expectError(c.req('POST', '/Users', user('bad name!')), 400, 'invalidValue');
      await expectError(c.req('POST', '/Users', { userName: 'noschemas' }), 400, 'invalidSyntax');
      await expectError(
        c.req('POST', '/Users', { ...user('x4'), schemas: [U, 'urn:x:y'] }),
        400,
        'invalidValue',
      );
      await expectError(c.req('POST', '/Users', '[1,2'), 400, 'invalidSyntax');
      assert.equal(await count(), n);
    });

    it('Groups: POST, GET, members ↔ directory, PATCH members, filter, PUT, DELETE', async () => {
      const g = await c.req('POST', '/Groups', {
        schemas: [G],
        displayName: 'Engineering',
        externalId: 'G-ENG',
        members: [{ value: ids.alice }, { value: ids.bob }],
      });
      assert.equal(g.status, 201, JSON.stringify(g.body));
      const gid = g.body.id as string;
      assert.deepEqual(
        g.body.members.map((m: { value: string }) => m.value).sort(),
        [ids.alice, ids.bob].sort(),
      );
      const alice = await c.req('GET', `/Users/${ids.alice}`);
      assert.deepEqual(
        alice.body.groups.map((x: { display: string }) => x.display),
        ['Engineering'],
      );
      assert.deepEqual(await filter(`groups.value eq "${gid}"`), ['alice', 'bob']);
      await expectError(
        c.req('POST', '/Groups', { schemas: [G], displayName: 'engineering' }),
        409,
        'uniqueness',
      );
      await expectError(
        c.req('POST', '/Groups', { schemas: [G], displayName: 'X', members: [{ value: 'nope' }] }),
        400,
        'invalidValue',
      );
      const p = await c.req(
        'PATCH',
        `/Groups/${gid}`,
        patch(
          { op: 'add', path: 'members', value: [{ value: ids.carol }] },
          { op: 'remove', path: `members[value eq "${ids.alice}"]` },
          { op: 'replace', path: 'displayName', value: 'Eng' },
        ),
      );
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assert.equal(p.body.displayName, 'Eng');
      assert.deepEqual(
        p.body.members.map((m: { value: string }) => m.value).sort(),
        [ids.bob, ids.carol].sort(),
      );
      assert.equal(p.headers.get('etag'), 'W/"2"');
      const dir = await c.server.sctx.core.directory.groupMembers(c.instance, gid, { limit: 10 });
      assert.deepEqual(dir.items.map((u) => u.username).sort(), ['bob', 'carol']);
      const l = await c.req(
        'GET',
        `/Groups?filter=${encodeURIComponent('displayName sw "en" and externalId eq "G-ENG"')}&excludedAttributes=members`,
      );
      assert.equal(l.body.totalResults, 1);
      assert.equal(l.body.Resources[0].members, undefined);
      const m = await c.req(
        'GET',
        `/Groups?filter=${encodeURIComponent(`members[value eq "${ids.carol}"]`)}`,
      );
      assert.equal(m.body.totalResults, 1);
      const put = await c.req(
        'PUT',
        `/Groups/${gid}`,
        { schemas: [G], displayName: 'Eng', members: [] },
        { 'if-match': 'W/"2"' },
      );
      assert.equal(put.status, 200);
      assert.equal(put.body.members, undefined);
      await expectError(
        c.req(
          'PATCH',
          `/Groups/${gid}`,
          patch({ op: 'remove', path: 'members[value eq "nobody"]' }),
        ),
        400,
        'noTarget',
      );
      await expectError(c.req('DELETE', `/Groups/${gid}`, undefined, { 'if-match': 'W/"1"' }), 412);
      assert.equal((await c.req('DELETE', `/Groups/${gid}`)).status, 204);
      await expectError(c.req('GET', `/Groups/${gid}`), 404);
    });

    it('DELETE a user', async () => {
      const r = await c.req('POST', '/Users', user('erin'));
      assert.equal((await c.req('DELETE', `/Users/${r.body.id}`)).status, 204);
      await expectError(c.req('GET', `/Users/${r.body.id}`), 404);
      await expectError(c.req('DELETE', `/Users/${r.body.id}`), 404);
      assert.equal(
        await c.server.sctx.store.repos.scim.get(c.instance.id, 'User', r.body.id),
        null,
      );
      // deleted outside SCIM (directory): its externalId is free again
      const x = await c.req('POST', '/Users', user('fred', { externalId: 'EXT-fred' }));
      await c.server.sctx.core.directory.deleteUser(c.instance, x.body.id);
      assert.equal(
        (await c.req('POST', '/Users', user('fred2', { externalId: 'EXT-fred' }))).status,
        201,
      );
      assert.deepEqual(await filter('externalId eq "EXT-fred"'), ['fred2']);
    });

    it('Bulk: bulkId references, failOnErrors', async () => {
      const r = await c.req('POST', '/Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'u1', data: user('frank') },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g1',
            data: { schemas: [G], displayName: 'Bulk', members: [{ value: 'bulkId:u1' }] },
          },
          {
            method: 'PATCH',
            path: '/Users/bulkId:u1',
            data: patch({ op: 'add', path: 'title', value: 'Bulk' }),
          },
          { method: 'POST', path: '/Users', bulkId: 'dup', data: user('frank') },
          { method: 'DELETE', path: '/Users/nope' },
          { method: 'POST', path: '/Users', bulkId: 'late', data: user('gina') },
        ],
        failOnErrors: 2,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const ops = r.body.Operations as {
        status: string;
        bulkId?: string;
        location?: string;
        response?: { scimType?: string };
      }[];
      assert.deepEqual(
        ops.map((o) => o.status),
        ['201', '201', '200', '409', '404'],
      );
      assert.equal(ops[3]!.response!.scimType, 'uniqueness');
      assert.ok(ops[0]!.location!.endsWith('/Users/' + ops[0]!.location!.split('/').pop()));
      assert.deepEqual(await filter('userName eq "gina"'), []); // stopped after 2 errors
      const gid = ops[1]!.location!.split('/').pop()!;
      const g = await c.req('GET', `/Groups/${gid}`);
      assert.equal(g.body.members.length, 1);
      assert.equal((await c.req('GET', `/Users/${g.body.members[0].value}`)).body.title, 'Bulk');
      await expectError(
        c.req('POST', '/Bulk', { schemas: ['x'], Operations: [] }),
        400,
        'invalidSyntax',
      );
    });

    it('audit: inbound writes by the provisioning client, failures after the rollback, no attribute values', async () => {
      const sctx = c.server.sctx;
      const created = await c.req('POST', '/Users', user('audit-hank', { title: 'Secretive' }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const hid = created.body.id as string;
      await expectError(c.req('POST', '/Users', user('audit-hank')), 409, 'uniqueness');
      assert.equal(
        (await c.req('PATCH', `/Users/${hid}`, patch({ op: 'replace', path: 'title', value: 'X' })))
          .status,
        200,
      );
      await expectError(
        c.req('DELETE', `/Users/${hid}`, undefined, { 'if-match': 'W/"999"' }),
        412,
      );
      assert.equal((await c.req('DELETE', `/Users/${hid}`)).status, 204);
      const bulk = await c.req('POST', '/Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g',
            data: { schemas: [G], displayName: 'audit-g' },
          },
        ],
      });
      assert.equal(bulk.status, 200, JSON.stringify(bulk.body));
      await sctx.audit.flush?.();
      const rows = await sctx.store.repos.audit.query(
        c.instance.id,
        { action: 'scim.*' },
        { order: 'asc', limit: 500 },
      );
      const mine = rows.filter(
        (r) =>
          r.target?.id === hid ||
          (r.target === null && r.action === 'scim.user.create') ||
          r.action.startsWith('scim.group') ||
          r.action === 'scim.bulk',
      );
      const seen = mine.map((r) => `${r.action}:${r.result}`);
      for (const want of [
        'scim.user.create:success',
        'scim.user.patch:success',
        'scim.user.delete:failure',
        'scim.user.delete:success',
        'scim.group.create:success',
        'scim.bulk:success',
      ])
        assert.ok(seen.includes(want), `${want} in ${seen.join(', ')}`);
      // the refused duplicate: recorded although its transaction rolled back
      const dup = rows.find((r) => r.action === 'scim.user.create' && r.result === 'failure');
      assert.ok(dup, 'failed create recorded');
      assert.equal(dup.actor.type, 'client');
      assert.ok(dup.actor.id);
      const text = JSON.stringify(rows);
      for (const value of ['audit-hank', 'Secretive', 'audit-g'])
        assert.ok(!text.includes(value), `no attribute value ${value} in the audit trail`);
    });
  });
}
