// The operations routes of the admin API on both stores, through a real server with a
// real admin token: notices (inbox, read), agreement versions (G14.2), usage from
// runtime events, SLA report, maintenance windows, a claim credited as vouchers through
// commerce's real LedgerPort, tickets.
//
// Jobs run through lifecycle's durable scheduler (swept explicitly); were the job queue
// and account clocks not bound, ManualJobQueue and the server clock stand in (detected).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mayClaim } from '@idaas/agreement';
import type { OpenedStore } from '@idaas/storage';
import { availableStoreKinds } from '@idaas/storage';
import { monthKey } from '@idaas/core/business/operations/index';
import { ManualJobQueue, fixedClocks } from '@idaas/core/business/operations/testing';
import { startApi, type ApiHarness } from './fixtures.ts';

function lifecycleWired(h: ApiHarness): boolean {
  try {
    void h.server.sctx.business.ports.jobs.enqueue;
    void h.server.sctx.business.ports.clocks.clockFor;
    return true;
  } catch {
    return false;
  }
}

for (const kind of availableStoreKinds()) {
  describe(`operations API on ${kind}`, () => {
    let h: ApiHarness;
    let queue: ManualJobQueue | null = null;
    const runJobs = async () => {
      if (queue) await queue.runDue(h.server.sctx.clock.now());
      else
        for (let i = 0; i < 3; i++)
          await h.server.sctx.business.lifecycle.scheduler.sweep(null, h.server.sctx.clock.now());
    };
    before(async () => {
      h = await startApi(kind);
      if (!lifecycleWired(h)) {
        const mod = h.server.sctx.business.operations;
        queue = new ManualJobQueue(h.server.sctx.store);
        Object.assign(mod.ops.deps, { jobs: queue, clocks: fixedClocks(h.server.sctx.clock) });
        mod.ops.register(
          { email: (m) => mod.mail.send(m), sms: (m) => mod.sms.send(m) },
          { onTransition: () => {} },
        );
      }
    });
    after(async () => {
      await h?.close();
    });

    test('tickets, notices and agreement versions', async () => {
      const acct = await h.api('POST', '/accounts', { name: 'Acme', email: 'ops@acme.example' });
      assert.equal(acct.status, 201, JSON.stringify(acct.body));
      const A = String(acct.json.id);
      const t = await h.api('POST', '/tickets', {
        account_id: A,
        kind: 'fault',
        severity: 1,
        subject: 'sign-in down',
        body: 'all users get 500',
      });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      assert.equal(t.json.status, 'open');
      const due = new Date(String(t.json.response_due_at)).getTime();
      assert.equal(due - new Date(String(t.json.created_at)).getTime(), 3_600_000);
      const bad = await h.api('POST', '/tickets', {
        account_id: A,
        kind: 'fault',
        severity: 9,
        subject: 's',
        body: 'b',
      });
      assert.equal(bad.status, 400);
      assert.match(String(bad.json.detail), /^severity/);
      const id = String(t.json.id);
      const wrong = await h.api('POST', `/tickets/${id}/status`, {
        status: 'answered',
        as: 'customer',
      });
      assert.equal(wrong.status, 409);
      const r = await h.api('POST', `/tickets/${id}/messages`, { body: 'on it' });
      assert.equal(r.status, 201);
      assert.equal(r.json.status, 'answered');
      assert.ok(r.json.first_response_at);
      assert.equal((r.json.messages as unknown[]).length, 2);
      assert.equal(
        (await h.api('POST', `/tickets/${id}/status`, { status: 'resolved' })).json.status,
        'resolved',
      );
      assert.equal(
        (await h.api('POST', `/tickets/${id}/status`, { status: 'closed', as: 'customer' })).json
          .status,
        'closed',
      );
      assert.equal((await h.api('GET', `/tickets/${id}`)).json.status, 'closed');
      const list = await h.api('GET', `/tickets?account_id=${A}`);
      assert.deepEqual(
        (list.json.items as { id: string }[]).map((x) => x.id),
        [id],
      );
      assert.equal((await h.api('GET', '/ticket-breaches')).status, 200);

      await runJobs();
      const inbox = await h.api('GET', `/accounts/${A}/notices?channel=in-site`);
      const templates = (inbox.json.items as { template: string }[]).map((n) => n.template).sort();
      assert.deepEqual(templates, [
        'ticket.answered',
        'ticket.closed',
        'ticket.opened',
        'ticket.resolved',
      ]);
      const all = await h.api('GET', `/accounts/${A}/notices?channel=email`);
      const emails = all.json.items as {
        status: string;
        transport: string;
        delivered_at: string;
      }[];
      assert.equal(emails.length, 4);
      // no SMTP_URL in tests: the logging transport, and the record says so
      assert.ok(
        emails.every((e) => e.status === 'sent' && e.transport === 'log' && e.delivered_at),
      );
      const first = (inbox.json.items as { id: string }[])[0]!;
      const read = await h.api('POST', `/accounts/${A}/notices/${first.id}/read`);
      assert.ok(read.json.read_at);
      const unread = await h.api('GET', `/accounts/${A}/notices?channel=in-site&unread=true`);
      assert.equal((unread.json.items as unknown[]).length, 3);

      const now = h.server.sctx.clock.now().getTime();
      const early = await h.api('POST', '/agreement-versions', {
        version: 'v2',
        summary: 'new terms',
        effective_at: new Date(now + 29 * 86_400_000).toISOString(),
      });
      assert.equal(early.status, 400);
      assert.match(String(early.json.detail), /^effective_at: must be at least 30 days/);
      const v = await h.api('POST', '/agreement-versions', {
        version: 'v2',
        summary: 'new terms',
        effective_at: new Date(now + 31 * 86_400_000).toISOString(),
      });
      assert.equal(v.status, 201);
      assert.equal((await h.api('GET', '/agreement-versions')).json.items instanceof Array, true);
      const acc = await h.api('POST', `/agreement-versions/${v.json.id}/acceptances`, {
        account_id: A,
      });
      assert.equal(acc.status, 201);
      assert.equal(acc.json.how, 'explicit');
      const accs = await h.api('GET', `/agreement-versions/${v.json.id}/acceptances`);
      assert.equal((accs.json.items as unknown[]).length, 1);
      const notices = await h.api('GET', `/accounts/${A}/notices?channel=in-site`);
      assert.ok(
        (notices.json.items as { template: string }[]).some(
          (n) => n.template === 'agreement.published',
        ),
      );
    });

    test('usage from runtime events, SLA report with maintenance, claim credited as vouchers', async () => {
      const sctx = h.server.sctx;
      const inst = await h.api('POST', '/instances', { slug: 'opsapi' });
      assert.equal(inst.status, 201);
      const instanceId = String(inst.json.id);
      const now = sctx.clock.now();
      const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
      sctx.events.emit('authenticated', { instanceId, userId: 'u1', at: now });
      sctx.events.emit('authenticated', { instanceId, userId: 'u1', at: now });
      sctx.events.emit('tokenIssued', {
        instanceId,
        clientId: 'c',
        grantType: 'refresh_token',
        userId: 'u2',
        at: now,
      });
      sctx.events.emit('tokenIssued', {
        instanceId,
        clientId: 'c',
        grantType: 'client_credentials',
        userId: null,
        at: now,
      });
      const hours = await h.api(
        'GET',
        `/instances/opsapi/usage/hours?from=${hour.toISOString()}&to=${new Date(hour.getTime() + 3_600_000).toISOString()}`,
      );
      assert.deepEqual(hours.json.items, [
        { hour_start: hour.toISOString(), authentications: 3, new_active_users: 2 },
      ]);
      const m = await h.api('GET', `/instances/opsapi/usage/months/${monthKey(now)}`);
      assert.equal(m.json.monthly_active_users, 2);
      assert.equal(m.json.authentications, 3);
      assert.equal((await h.api('GET', '/instances/opsapi/usage/months/2026-13')).status, 400);
      // requests under /i/opsapi are recorded per 5-minute window
      await fetch(`${h.server.url}/i/opsapi/.well-known/openid-configuration`);
      await sctx.business.operations.flush();
      const cur = await h.api('GET', `/instances/opsapi/sla/${monthKey(now)}`);
      assert.equal(cur.status, 200);
      assert.ok(Number(cur.json.valid_requests) >= 1);

      // a month that may be claimed now: two months back always is (SLA3)
      const prev = new Date(now.getTime() - 32 * 86_400_000);
      const back2 = new Date(now.getTime() - 62 * 86_400_000);
      const month = mayClaim(prev.getTime(), now.getTime()) ? monthKey(prev) : monthKey(back2);
      const [y, mo] = month.split('-').map(Number) as [number, number];
      const start = Date.UTC(y, mo - 1, 1) - 8 * 3_600_000; // 00:00 Shanghai
      // 100 windows where every request failed (98.88 % → 25 %), 10 more inside maintenance
      for (let i = 0; i < 100; i++)
        sctx.events.emit('instanceRequest', {
          instanceSlug: 'opsapi',
          status: 503,
          at: new Date(start + 86_400_000 + 2 * i * 300_000),
        });
      for (let i = 0; i < 50; i++)
        sctx.events.emit('instanceRequest', {
          instanceSlug: 'opsapi',
          status: 404,
          at: new Date(start + 3_600_000),
        });
      await new Promise((r) => setTimeout(r, 50)); // slug lookups are asynchronous
      await sctx.business.operations.flush();
      const store = sctx.store as OpenedStore;
      const platform = await sctx.core.instances.get('opsapi');
      await store.db
        .insertInto('ledger_entries')
        .values({
          id: 'fee-opsapi',
          account_id: platform.accountId,
          kind: 'cash',
          amount_fen: -10000,
          reason: 'settlement',
          instance_id: instanceId,
          ref_type: null,
          ref_id: null,
          idempotency_key: 'fee-opsapi',
          created_at: new Date(start + 2 * 86_400_000).toISOString(),
          voucher_expires_at: null,
          actor_user_id: null,
        })
        .execute();
      const rep = await h.api('GET', `/instances/opsapi/sla/${month}`);
      assert.equal(rep.json.availability, ((1 - 100 / Number(rep.json.windows)) * 100).toFixed(4));
      assert.equal(rep.json.credit_percent, 25);
      assert.equal(rep.json.month_fee, '100.00');
      assert.equal(rep.json.credit, '25.00');
      assert.equal(rep.json.termination_right_from, null);
      const claim = await h.api('POST', '/instances/opsapi/sla/claims', { month });
      assert.equal(claim.status, 201, JSON.stringify(claim.body));
      assert.equal(claim.json.credit, '25.00');
      const again = await h.api('POST', '/instances/opsapi/sla/claims', { month });
      assert.equal(again.status, 409);
      const vouchers = await store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('kind', '=', 'voucher')
        .where('reason', '=', 'sla-credit')
        .execute();
      assert.deepEqual(
        vouchers.map((v) => [v.account_id, Number(v.amount_fen)]),
        [[platform.accountId, 2500]],
      );
      const future = await h.api('POST', '/instances/opsapi/sla/claims', { month: monthKey(now) });
      assert.equal(future.status, 409);

      // maintenance windows
      const mw = await h.api('POST', '/maintenance-windows', {
        instance: 'opsapi',
        starts_at: new Date(now.getTime() + 86_400_000).toISOString(),
        ends_at: new Date(now.getTime() + 86_400_000 + 3_600_000).toISOString(),
        description: 'upgrade',
      });
      assert.equal(mw.status, 201);
      const bad = await h.api('POST', '/maintenance-windows', {
        starts_at: new Date(now.getTime() + 86_400_000).toISOString(),
        ends_at: new Date(now.getTime()).toISOString(),
        description: 'x',
      });
      assert.equal(bad.status, 400);
      assert.match(String(bad.json.detail), /^ends_at/);
      assert.equal(
        (await h.api('GET', `/maintenance-windows/${mw.json.id}`)).json.description,
        'upgrade',
      );
      assert.equal(
        (await h.api('PATCH', `/maintenance-windows/${mw.json.id}`, { description: 'db upgrade' }))
          .json.description,
        'db upgrade',
      );
      const listed = await h.api('GET', '/maintenance-windows?instance=opsapi');
      assert.equal((listed.json.items as unknown[]).length, 1);
      assert.equal((await h.api('DELETE', `/maintenance-windows/${mw.json.id}`)).status, 204);
      assert.equal((await h.api('GET', `/maintenance-windows/${mw.json.id}`)).status, 404);
    });
  });
}
