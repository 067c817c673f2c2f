// The OpenAPI 3.1 document: well-formed, covers every route, and every route's
// successful response validates against it (and against the route's zod schema).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import type { z } from 'zod';
import { API_PREFIX, routes } from './index.ts';
import { startApi, validateSchema, type ApiHarness, type Schema } from './fixtures.ts';

type Rec = Record<string, unknown>;

function walk(v: unknown, visit: (o: Rec) => void): void {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v && typeof v === 'object') {
    visit(v as Rec);
    for (const x of Object.values(v)) walk(x, visit);
  }
}

for (const kind of availableStoreKinds()) {
  describe(`OpenAPI document on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => {
      await h?.close();
    });

    test('is an OpenAPI 3.1 document with components and security', () => {
      const doc = h.doc;
      assert.equal(doc.openapi, '3.1.0');
      const info = doc.info as Rec;
      assert.equal(typeof info.title, 'string');
      assert.equal(typeof info.version, 'string');
      for (const name of [
        'Problem',
        'Instance',
        'User',
        'Group',
        'OrgUnit',
        'Application',
        'ApplicationWithSecret',
        'SigningKey',
        'UserPage',
      ])
        assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
      const scheme = doc.components.securitySchemes?.platformOAuth as Rec;
      assert.equal(scheme.type, 'oauth2');
      const flows = scheme.flows as Rec;
      assert.equal((flows.clientCredentials as Rec).tokenUrl, `${h.server.url}/i/platform/token`);
      // every $ref resolves
      walk(doc, (o) => {
        if (typeof o.$ref === 'string') {
          const name = o.$ref.replace('#/components/schemas/', '');
          assert.ok(doc.components.schemas[name], `unresolved ${o.$ref}`);
        }
      });
      // no secret-bearing members in any response schema except the once-shown client_secret
      walk(doc.components.schemas, (o) => {
        const props = Object.keys((o.properties as Rec) ?? {});
        for (const p of props) assert.ok(!/hash|encrypted|private/i.test(p), `schema member ${p}`);
      });
    });

    test('has an operation for every route, with parameters, bodies and responses', () => {
      const ids = new Set<string>();
      for (const r of routes) {
        const op = h.doc.paths[API_PREFIX + r.path]?.[r.method] as Rec | undefined;
        assert.ok(op, `${r.method.toUpperCase()} ${r.path} is documented`);
        assert.equal(op.operationId, r.operationId);
        assert.ok(!ids.has(r.operationId), `operationId ${r.operationId} is unique`);
        ids.add(r.operationId);
        const params = (op.parameters ?? []) as Rec[];
        for (const [, name] of r.path.matchAll(/\{(\w+)\}/g))
          assert.ok(
            params.some((p) => p.in === 'path' && p.name === name && p.required === true),
            `${r.operationId}: path parameter ${name}`,
          );
        if (r.query)
          for (const name of ['limit', 'cursor'])
            assert.ok(
              params.some((p) => p.in === 'query' && p.name === name),
              `${r.operationId}: ${name}`,
            );
        if (r.body) assert.ok(((op.requestBody as Rec).content as Rec)['application/json']);
        const responses = op.responses as Record<string, Rec>;
        const ok = String(r.status ?? 200);
        assert.ok(responses[ok], `${r.operationId}: ${ok} response`);
        if (r.response) assert.ok((responses[ok]!.content as Rec)['application/json']);
        for (const status of ['401', '403']) {
          const content = responses[status]?.content as Rec;
          assert.deepEqual((content['application/problem+json'] as Rec).schema, {
            $ref: '#/components/schemas/Problem',
          });
        }
      }
      assert.ok(h.doc.paths[`${API_PREFIX}/openapi.json`]?.get);
    });

    test('every route answers, and each response validates against the document and its schema', async () => {
      const zodOf = new Map(routes.map((r) => [`${r.method} ${API_PREFIX}${r.path}`, r.response]));
      const call = async (method: string, path: string, body?: unknown) => {
        const r = await h.api(method, path, body); // validated against the document in fixtures
        assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
        const template = Object.keys(h.doc.paths).find((t) =>
          new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`).test(
            `${API_PREFIX}${path.split('?')[0]}`,
          ),
        )!;
        const schema = zodOf.get(`${method.toLowerCase()} ${template}`) as z.ZodType | undefined;
        if (schema) assert.ok(schema.safeParse(r.body).success, `${method} ${path}: zod schema`);
        return r.json;
      };
      const S = '/instances/tour';
      await call('POST', '/instances', { slug: 'tour' });
      await call('GET', '/instances');
      await call('GET', S);
      const u = await call('POST', `${S}/users`, {
        username: 'ann',
        password: 'quiet-river-stone-1',
      });
      await call('GET', `${S}/users?q=ann`);
      await call('GET', `${S}/users/${u.id}`);
      await call('PATCH', `${S}/users/${u.id}`, { email: 'ann@example.com' });
      // passwords (issue 6)
      const pol = await call('GET', `${S}/policies/password`);
      const { custom: _custom, ...polIn } = pol as Record<string, unknown>;
      await call('PUT', `${S}/policies/password`, { ...polIn, min_length: 10 });
      await call('POST', `${S}/users/${u.id}/require-password-change`, {});
      const g = await call('POST', `${S}/groups`, { name: 'staff' });
      await call('GET', `${S}/groups`);
      await call('GET', `${S}/groups/${g.id}`);
      await call('PUT', `${S}/groups/${g.id}/members/${u.id}`);
      await call('GET', `${S}/groups/${g.id}/members`);
      await call('GET', `${S}/groups/${g.id}/members/${u.id}`);
      await call('PATCH', `${S}/groups/${g.id}`, { description: 'everyone' });
      await call('DELETE', `${S}/groups/${g.id}/members/${u.id}`);
      await call('DELETE', `${S}/groups/${g.id}`);
      const o = await call('POST', `${S}/org-units`, { name: 'Root' });
      const c = await call('POST', `${S}/org-units`, { name: 'Child', parent_id: o.id });
      await call('GET', `${S}/org-units`);
      await call('GET', `${S}/org-units/${o.id}`);
      await call('GET', `${S}/org-units/${o.id}/children`);
      await call('PATCH', `${S}/org-units/${c.id}`, { name: 'Moved', parent_id: null });
      await call('PUT', `${S}/org-units/${o.id}/members/${u.id}`);
      await call('GET', `${S}/org-units/${o.id}/members/${u.id}`);
      const members = await call('GET', `${S}/org-units/${o.id}/members`);
      assert.deepEqual(
        (members as { items: { id: string }[] }).items.map((m) => m.id),
        [u.id],
      );
      await call('GET', `${S}/users/${u.id}/org-units`);
      await call('DELETE', `${S}/org-units/${o.id}/members/${u.id}`);
      await call('DELETE', `${S}/org-units/${c.id}`);
      await call('DELETE', `${S}/org-units/${o.id}`);
      const a = await call('POST', `${S}/applications`, {
        name: 'svc',
        grant_types: ['client_credentials'],
      });
      await call('GET', `${S}/applications`);
      await call('GET', `${S}/applications/${a.id}`);
      await call('PATCH', `${S}/applications/${a.id}`, { name: 'svc 2' });
      await call('POST', `${S}/applications/${a.id}/secret`);
      await call('DELETE', `${S}/applications/${a.id}`);
      await call('GET', `${S}/keys`);
      await call('POST', `${S}/keys/rotate`);
      // ---- operations (tickets, notices, agreement versions, usage, SLA, maintenance)
      const opsAcct = (await h.server.sctx.core.instances.get('tour')).accountId;
      const tk = await call('POST', '/tickets', {
        account_id: opsAcct,
        instance: 'tour',
        kind: 'consultation',
        severity: 3,
        subject: 'how to rotate keys',
        body: 'how?',
      });
      await call('GET', '/tickets');
      await call('GET', `/tickets/${tk.id}`);
      await call('POST', `/tickets/${tk.id}/messages`, { body: 'POST /keys/rotate' });
      await call('POST', `/tickets/${tk.id}/status`, { status: 'resolved' });
      await call('GET', '/ticket-breaches');
      const inbox = await call('GET', `/accounts/${opsAcct}/notices?channel=in-site`);
      const notice = (inbox.items as { id: string }[])[0]!;
      await call('POST', `/accounts/${opsAcct}/notices/${notice.id}/read`);
      const ver = await call('POST', '/agreement-versions', {
        version: 'tour',
        summary: 'tour terms',
        effective_at: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      });
      await call('GET', '/agreement-versions');
      await call('POST', `/agreement-versions/${ver.id}/acceptances`, { account_id: opsAcct });
      await call('GET', `/agreement-versions/${ver.id}/acceptances`);
      // the same, as the customer's routes (account members and the operator)
      const atk = await call('POST', `/accounts/${opsAcct}/tickets`, {
        instance: 'tour',
        kind: 'fault',
        severity: 2,
        subject: 'sign-in is slow',
        body: 'since noon',
      });
      await call('GET', `/accounts/${opsAcct}/tickets`);
      await call('GET', `/accounts/${opsAcct}/tickets/${atk.id}`);
      await call('POST', `/accounts/${opsAcct}/tickets/${atk.id}/messages`, { body: 'still' });
      const ver2 = await call('POST', '/agreement-versions', {
        version: 'tour-2',
        summary: 'tour terms, second edition',
        effective_at: new Date(Date.now() + 41 * 86_400_000).toISOString(),
      });
      await call('POST', `/accounts/${opsAcct}/agreement-versions/${ver2.id}/accept`);
      await call('GET', `/accounts/${opsAcct}/agreement-versions`);
      const hr = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
      await call(
        'GET',
        `${S}/usage/hours?from=${hr.toISOString()}&to=${new Date(hr.getTime() + 3_600_000).toISOString()}`,
      );
      const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 7);
      await call('GET', `${S}/usage/months/${shanghai(Date.now())}`);
      await call('GET', `${S}/sla/${shanghai(Date.now())}`);
      // 45 days back is always in a month whose claim window is open (SLA3)
      await call('POST', `${S}/sla/claims`, { month: shanghai(Date.now() - 45 * 86_400_000) });
      const mw = await call('POST', '/maintenance-windows', {
        instance: 'tour',
        starts_at: new Date(Date.now() + 86_400_000).toISOString(),
        ends_at: new Date(Date.now() + 90_000_000).toISOString(),
        description: 'upgrade',
      });
      await call('GET', '/maintenance-windows');
      await call('GET', `/maintenance-windows/${mw.id}`);
      await call('PATCH', `/maintenance-windows/${mw.id}`, { description: 'db upgrade' });
      await call('DELETE', `/maintenance-windows/${mw.id}`);
      await call('DELETE', `${S}/users/${u.id}`);

      // ---- lifecycle (test clocks, an instance's lifecycle, export, deletion receipts)
      const clk = await call('POST', '/clocks', { name: 'tour', at: '2026-01-01T00:00:00Z' });
      await call('GET', `/clocks/${clk.id}`);
      await call('POST', `/clocks/${clk.id}/advance`, { by: '36h' });
      await call('GET', `${S}/lifecycle`);
      await call('GET', `${S}/export`);
      const operator = await h.server.sctx.store.repos.accounts.findOperator();
      await call('GET', `/accounts/${operator!.id}/deletion-receipts`);

      // ---- commerce (accounts, plans, orders, payments, ledger, invoices)
      const acct = await call('POST', '/accounts', { name: 'Tour Co', test_clock: true });
      const AC = `/accounts/${acct.id}`;
      await call('GET', '/accounts');
      await call('GET', AC);
      await call('PUT', `${AC}/contacts`, { email: 'tour@example.com', locale: 'en' });
      await call('GET', `${AC}/contacts`);
      const pu = await call('POST', '/instances/platform/users', {
        username: 'tour-member',
        password: 'violet-harbor-lamp-1',
      });
      await call('PUT', `${AC}/members/${pu.id}`, {
        role: 'sub',
        permissions: [{ instance: '*', actions: ['orders:read'] }],
      });
      await call('GET', `${AC}/members`);
      await call('DELETE', `${AC}/members/${pu.id}`);
      await call('GET', '/me'); // the console's who-am-I
      await call('GET', `${S}/permissions`); // and what it may do on an instance
      await call('GET', '/plans');
      await call('POST', '/plans', {
        code: 'tour-plan',
        name: 'Tour',
        billing: 'subscription',
        period: 'month',
        price: '1.00',
      });
      await call('PATCH', '/plans/tour-plan', { price: '2.00' });
      const ord = await call('POST', `${AC}/orders`, {
        plan: 'idaas-monthly',
        instance_slug: 'tour-shop',
      });
      await h.server.sctx.business.ports.ledger.issueVoucher({
        accountId: String(acct.id),
        amountFen: 9900,
        reason: 'promotion',
        idempotencyKey: 'tour-voucher',
        at: await h.server.sctx.business.ports.clocks
          .clockFor(String(acct.id))
          .then((c) => c.now()),
        expiresAt: null,
      });
      await call('POST', `${AC}/orders/${ord.id}/pay`);
      await call('GET', `${AC}/orders`);
      await call('GET', `${AC}/orders/${ord.id}`);
      await call('POST', `${AC}/payments`, {
        amount: '10.00',
        provider: 'test',
        reference: 'tour-1',
      });
      await call('GET', `${AC}/payments`);
      await call('GET', `${AC}/balance`);
      await call('GET', `${AC}/ledger`);
      await call('POST', `${AC}/orders/${ord.id}/refund`);
      await call('POST', `${AC}/invoices`, { month: String(ord.created_at).slice(0, 7) });
      await call('GET', `${AC}/invoices`);

      // SAML applications
      const SM = '/instances/samltour';
      await call('POST', '/instances', { slug: 'samltour' });
      const sa = await call('POST', `${SM}/saml-apps`, {
        name: 'Tour SP',
        entity_id: 'https://sp.tour.example/metadata',
        acs: [{ index: 0, binding: 'post', location: 'https://sp.tour.example/acs' }],
      });
      await call('GET', `${SM}/saml-apps`);
      await call('GET', `${SM}/saml-apps/${sa.id}`);
      await call('PATCH', `${SM}/saml-apps/${sa.id}`, { name_id_format: 'email' });
      await call('POST', `${SM}/saml-apps/${sa.id}/metadata`, {
        metadata_xml:
          '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.tour.example/metadata"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.tour.example/acs2" index="1"/></md:SPSSODescriptor></md:EntityDescriptor>',
      });
      await call('DELETE', `${SM}/saml-apps/${sa.id}`);

      // outbound SCIM provisioning of an application (issue 5)
      const pa = await call('POST', `${SM}/applications`, {
        name: 'Provisioned',
        grant_types: ['client_credentials'],
      });
      const PT = `${SM}/applications/${pa.id}/provisioning`;
      await call('POST', PT, { url: 'https://scim.tour.example/scim/v2', token: 'tour-token' });
      await call('GET', PT);
      await call('PATCH', PT, { token: 'tour-token-2' });
      await call('GET', `${SM}/provisioning/targets`);
      const rs = await call('POST', `${PT}/resyncs`);
      await call('GET', `${PT}/resyncs`);
      await call('GET', `${SM}/provisioning/resyncs/${rs.id}`);
      {
        const inst = await h.server.sctx.core.instances.get('samltour');
        const dk = h.server.sctx.core.instances.dataKey(inst);
        for (const id of ['dead-tour-1', 'dead-tour-2'])
          await h.server.sctx.store.repos.scim.put({
            instanceId: inst.id,
            kind: 'Dead',
            resourceId: id,
            externalIdLookup: null,
            version: 1,
            data: dk.encrypt(
              JSON.stringify({
                push: { instanceId: inst.id, appId: pa.id, kind: 'User', id: 'u', op: 'upsert' },
                error: 'POST → 503',
                attempts: 8,
              }),
              `scim-Dead:${id}`,
            ),
            updatedAt: h.server.sctx.clock.now(),
          });
      }
      await call('GET', `${SM}/provisioning/dead-letters`);
      await call('POST', `${SM}/provisioning/dead-letters/dead-tour-1/retry`);
      await call('DELETE', `${SM}/provisioning/dead-letters/dead-tour-2`);
      await call('DELETE', PT);
      // ---- audit trail of an instance (issue 6)
      const AU = `${S}/audit`;
      await call('GET', `${AU}/records?limit=5`);
      await call('GET', `${AU}/records/export?format=jsonl&limit=5`);
      await call('GET', `${AU}/records/export?format=csv&limit=5`);
      await call('GET', `${AU}/verify`);
      await call('GET', `${AU}/settings`);
      await call('PUT', `${AU}/settings`, { retention_days: 365 });

      // MFA of a user: list, remove one factor, reset all (a user still there: `u` is deleted above)
      const mu = await call('POST', `${S}/users`, { username: 'mfa-tour-user' });
      const mfaInst = await h.server.sctx.core.instances.get('tour');
      await h.server.sctx.store.repos.mfaFactors.insert({
        instanceId: mfaInst.id,
        id: 'mfa-tour',
        userId: mu.id as string,
        kind: 'webauthn',
        name: 'Tour key',
        secretEncrypted: null,
        credentialId: 'dG91ci1jcmVkZW50aWFs',
        publicKey: 'dG91cg',
        counter: 0,
        transports: [],
        deviceType: 'singleDevice',
        backedUp: false,
        lastUsedStep: null,
        createdAt: new Date('2026-01-01T00:00:00Z'),
        lastUsedAt: null,
      });
      await call('GET', `${S}/users/${mu.id}/mfa`);
      await call('DELETE', `${S}/users/${mu.id}/mfa/mfa-tour`);
      await call('DELETE', `${S}/users/${mu.id}/mfa`);

      // roles (delegated administration): custom roles, assignments to an account member
      const RA = '/instances/roletour';
      const roleAcct = await call('POST', '/accounts', { name: 'Role Tour Co' });
      await h.server.sctx.core.instances.create({
        slug: 'roletour',
        accountId: String(roleAcct.id),
      });
      const ru = await call('POST', '/instances/platform/users', {
        username: 'role-tour-member',
        password: 'a quite long tour secret 7',
      });
      await call('PUT', `/accounts/${roleAcct.id}/members/${ru.id}`, { role: 'sub' });
      await call('GET', `${RA}/roles`);
      await call('POST', `${RA}/roles`, { name: 'tour-reader', permissions: ['users:read'] });
      await call('GET', `${RA}/roles/tour-reader`);
      await call('PATCH', `${RA}/roles/tour-reader`, { description: 'reads users' });
      await call('PUT', `${RA}/role-assignments/${ru.id}`, { roles: ['tour-reader', 'auditor'] });
      await call('GET', `${RA}/role-assignments`);
      await call('GET', `${RA}/role-assignments/${ru.id}`);
      await call('DELETE', `${RA}/role-assignments/${ru.id}`);
      await call('DELETE', `${RA}/roles/tour-reader`);

      // conditional access policies
      const AP = `${SM}/access-policies`;
      const ap = await call('POST', AP, {
        name: 'office',
        decision: 'allow',
        conditions: { networks: ['10.0.0.0/8'] },
      });
      await call('GET', AP);
      await call('GET', `${AP}/${ap.id}`);
      await call('PATCH', `${AP}/${ap.id}`, { decision: 'mfa' });
      await call('POST', `${AP}/reorder`, { ids: [ap.id] });
      await call('GET', `${AP}/default`);
      await call('PUT', `${AP}/default`, { decision: 'allow' });
      await call('POST', '/instances/samltour/users', {
        username: 'tourist',
        password: 'correct horse battery staple 9',
      });
      await call('POST', `${AP}/dry-run`, { user: 'tourist', ip: '10.0.0.1' });
      await call('DELETE', `${AP}/${ap.id}`);

      // branding of the hosted pages and user imports (issue 7)
      const BR = `${SM}/branding`;
      await call('GET', BR);
      await call('PUT', BR, { primary_color: '#0b5cad', background_color: '#ffffff' });
      await call('POST', `${BR}/preview`, {
        primary_color: '#1a7f37',
        background_color: '#ffffff',
      });
      await call('DELETE', BR);
      const imp = await call('POST', `${SM}/user-imports`, {
        csv: 'username,email\ntour-imp,imp@example.com\n',
      });
      await call('GET', `${SM}/user-imports`);
      await call('GET', `${SM}/user-imports/${imp.id}`);

      const succeeded = new Set(
        [...h.seen].filter((s) => / 2\d\d$/.test(s)).map((s) => s.replace(/ \d+$/, '')),
      );
      const missing = routes
        .map((r) => `${r.method.toUpperCase()} ${API_PREFIX}${r.path}`)
        .filter((k) => !succeeded.has(k));
      assert.deepEqual(missing, [], 'every route was exercised successfully');
    });

    test('the validator used above rejects what it should', () => {
      const user = { $ref: '#/components/schemas/User' } as Schema;
      assert.ok(validateSchema(h.doc, user, { id: 'x' }, '$').length > 0);
      assert.ok(validateSchema(h.doc, { type: ['string', 'null'] }, 3, '$').length > 0);
      assert.deepEqual(validateSchema(h.doc, { type: ['string', 'null'] }, null, '$'), []);
    });
  });
}
