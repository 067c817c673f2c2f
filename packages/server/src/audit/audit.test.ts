// The audit trail through the server (both stores): the group-committing sink, the
// admin API (query with filters and pagination, JSONL and CSV exports, verification,
// retention settings) and the maintenance pass (retention sweep with an anchor, signed
// checkpoints).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { availableStoreKinds, type OpenedStore } from '@idaas/storage';
import { newId, type AuditInput, type Instance } from '@idaas/core';
import { startApi, collectAll, type ApiHarness } from '../api/fixtures.ts';
import { csvField } from './export.ts';
import { runAuditMaintenance } from './maintenance.ts';
import { sanitizeDetails as sanitize } from './index.ts';

for (const kind of availableStoreKinds()) {
  describe(`audit trail through the server on ${kind}`, () => {
    let h: ApiHarness;
    let inst: Instance;
    const P = '/instances/audited/audit';
    const rec = (i: number, over: Partial<AuditInput> = {}): AuditInput => ({
      instanceId: inst.id,
      actor: {
        type: i % 4 === 0 ? 'subaccount' : 'admin',
        id: `adm-${i % 3}`,
        onBehalfOf: i % 4 === 0 ? 'acc-owner' : null,
      },
      action: i % 2 ? 'test.user.update' : 'test.login.failed',
      target: { type: 'user', id: `usr-${i % 5}` },
      result: i % 2 ? 'success' : 'failure',
      ip: i % 3 === 0 ? '192.0.2.7' : '2001:db8::1',
      userAgent: 'agent/1',
      host: 'id.example.test',
      details: { i },
      ...over,
    });
    before(async () => {
      h = await startApi(kind);
      const r = await h.api('POST', '/instances', { slug: 'audited' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      inst = await h.server.sctx.core.instances.get('audited');
    });
    after(async () => {
      await h?.close();
    });

    test('record() group-commits: many concurrent callers resolve once durable, one valid chain', async () => {
      const before = (await h.server.sctx.store.repos.audit.head(inst.id))?.seq ?? 0;
      await Promise.all(Array.from({ length: 300 }, (_, i) => h.server.sctx.audit.record(rec(i))));
      const head = (await h.server.sctx.store.repos.audit.head(inst.id))!;
      assert.ok(head.seq >= before + 300);
      const v = await h.api('GET', `${P}/verify`);
      assert.equal(v.status, 200);
      assert.equal(v.json.ok, true, JSON.stringify(v.body));
    });

    test('a record that cannot be written rejects its caller; the others of the batch still commit', async () => {
      const { audit, store } = h.server.sctx;
      const good = Array.from({ length: 5 }, (_, i) =>
        audit.record(rec(i, { action: 'test.isolated' })),
      );
      const bad = audit.record({ ...rec(0), instanceId: 'no-such-instance' });
      await assert.rejects(bad);
      await Promise.all(good);
      const rows = await store.repos.audit.query(
        inst.id,
        { action: 'test.isolated' },
        { order: 'asc', limit: 10 },
      );
      assert.equal(rows.length, 5);
    });

    test('inside a transaction a record joins it: rolled back with the change', async () => {
      const { audit, store } = h.server.sctx;
      await assert.rejects(
        store.transaction(async () => {
          await audit.record(rec(1, { action: 'test.in-tx.rolled-back' }));
          throw new Error('abort');
        }),
        /abort/,
      );
      await store.transaction(async () => {
        await audit.record(rec(1, { action: 'test.in-tx.committed' }));
      });
      const q = (action: string) =>
        store.repos.audit.query(inst.id, { action }, { order: 'asc', limit: 5 });
      assert.equal((await q('test.in-tx.rolled-back')).length, 0);
      assert.equal((await q('test.in-tx.committed')).length, 1);
    });

    test('secrets never reach a record: secret-looking detail keys are redacted', () => {
      assert.deepEqual(
        sanitize({ password: 'x', nested: { client_secret: 'y', otp: '1' }, ok: 1 }),
        {
          password: '[redacted]',
          nested: { client_secret: '[redacted]', otp: '[redacted]' },
          ok: 1,
        },
      );
      assert.equal(sanitize({}), null);
    });

    test('query: filters and cursor pagination (newest first), each filter applied', async () => {
      const all = await collectAll(h, `${P}/records?action=test.*`, 37);
      assert.ok(all.pages > 1);
      const seqs = all.items.map((x) => x.seq as number);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => b - a),
        'newest first',
      );
      assert.equal(new Set(seqs).size, seqs.length, 'no record twice across pages');
      const check = async (qs: string, pred: (x: Record<string, unknown>) => boolean) => {
        const { items } = await collectAll(h, `${P}/records?${qs}`, 200);
        assert.ok(items.length > 0, qs);
        for (const x of items) assert.ok(pred(x), `${qs}: ${JSON.stringify(x)}`);
        const expected = all.items.filter(pred).length;
        assert.equal(items.length, expected, qs);
      };
      await check('action=test.*&result=failure', (x) => x.result === 'failure');
      await check('action=test.*&ip=192.0.2.7', (x) => x.ip === '192.0.2.7');
      await check('action=test.*&actor_id=adm-1', (x) => x.actor_id === 'adm-1');
      await check(
        'action=test.*&actor_type=subaccount&on_behalf_of=acc-owner',
        (x) => x.on_behalf_of === 'acc-owner',
      );
      await check('action=test.*&target_type=user&target_id=usr-2', (x) => x.target_id === 'usr-2');
      await check('action=test.user.update', (x) => x.action === 'test.user.update');
      const mid = all.items[Math.floor(all.items.length / 2)]!.at as string;
      await check(`action=test.*&from=${mid}`, (x) => (x.at as string) >= mid);
      await check(`action=test.*&to=${mid}`, (x) => (x.at as string) < mid);
      // bad filters name the field
      for (const [qs, field] of [
        ['ip=nope', 'ip'],
        ['result=maybe', 'result'],
        ['from=yesterday', 'from'],
        ['cursor=Zm9v', 'cursor'],
        ['limit=0', 'limit'],
      ] as const) {
        const r = await h.api('GET', `${P}/records?${qs}`);
        assert.equal(r.status, 400, qs);
        assert.match(String(r.json.detail), new RegExp(`^${field}:`), qs);
      }
    });

    test('export as JSON Lines parses line by line; as CSV it is quoted and injection-safe', async () => {
      const evil = '=HYPERLINK("http://evil.example","x")';
      await h.server.sctx.audit.record(
        rec(1, { action: 'test.export', userAgent: evil, details: { note: 'a, "quoted"\nline' } }),
      );
      const jl = await h.api('GET', `${P}/records/export?format=jsonl&action=test.*`);
      assert.equal(jl.status, 200);
      assert.match(jl.headers.get('content-type')!, /application\/x-ndjson/);
      const lines = (jl.body as string)
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const listed = await collectAll(h, `${P}/records?action=test.*`, 200);
      assert.equal(lines.length, listed.items.length);
      assert.deepEqual(
        lines.map((l) => l.seq),
        listed.items.map((x) => x.seq).reverse(),
        'oldest first, same records',
      );
      const last = lines[lines.length - 1]!;
      assert.equal(last.user_agent, evil);

      const csv = await h.api('GET', `${P}/records/export?format=csv&action=test.export`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type')!, /text\/csv/);
      const text = csv.body as string;
      assert.ok(text.startsWith('seq,id,at,actor_type,'));
      assert.ok(!text.includes(',=HYPERLINK'), 'formula neutralised');
      assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), text);
      assert.ok(text.includes('"{""note"":""a, \\""quoted\\""\\nline""}"'), text);
      assert.equal(csvField('-1+1'), "'-1+1");
      assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
      assert.equal(csvField(-1), '-1', 'numbers are not text');
      assert.equal(csvField('plain'), 'plain');

      // paged: limit + Link rel="next"
      const p1 = await h.api('GET', `${P}/records/export?format=jsonl&action=test.*&limit=10`);
      const link = p1.headers.get('link')!;
      assert.match(link, /rel="next"/);
      const next = new URL(link.slice(1, link.indexOf('>')));
      const p2 = await h.api('GET', `${next.pathname.replace('/api/v1', '')}${next.search}`);
      const s1 = (p1.body as string)
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
      const s2 = (p2.body as string)
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
      assert.equal(s1.length, 10);
      assert.ok(s2[0]! > s1[9]!);
    });

    test('verify names the first broken record after the database is edited', async () => {
      const db = (h.server.sctx.store as OpenedStore).db;
      const [row] = await h.server.sctx.store.repos.audit.scan(inst.id, 9, 1);
      await sql`update audit_records set result = 'success', action = 'test.forged' where instance_id = ${inst.id} and seq = 10`.execute(
        db,
      );
      const v = await h.api('GET', `${P}/verify`);
      assert.equal(v.json.ok, false);
      assert.deepEqual(v.json.broken, {
        seq: 10,
        id: row!.id,
        reason: 'hash mismatch: the record was altered (or its hash column was)',
      });
      // restore (same values back) and it verifies again
      await sql`update audit_records set result = ${row!.result}, action = ${row!.action} where instance_id = ${inst.id} and seq = 10`.execute(
        db,
      );
      assert.equal((await h.api('GET', `${P}/verify`)).json.ok, true);
    });

    test('retention settings: default 180 days, below the legal minimum refused naming the field', async () => {
      const g = await h.api('GET', `${P}/settings`);
      assert.equal(g.status, 200);
      assert.equal(g.json.retention_days, 180);
      assert.equal(g.json.min_retention_days, 180);
      const bad = await h.api('PUT', `${P}/settings`, { retention_days: 30 });
      assert.equal(bad.status, 400);
      assert.match(String(bad.json.detail), /^retention_days: .*at least 180/);
      assert.equal((await h.api('GET', `${P}/settings`)).json.retention_days, 180, 'unchanged');
      const ok = await h.api('PUT', `${P}/settings`, { retention_days: 365 });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.retention_days, 365);
      const reset = await h.api('PUT', `${P}/settings`, { retention_days: null });
      assert.equal(reset.json.retention_days, 180);
    });

    test('maintenance: expired records are swept behind an anchor, heads checkpointed, chain verifies', async () => {
      const { sctx } = h.server;
      const old = await h.server.sctx.core.instances.create({ slug: 'aged' });
      const now = sctx.clock.now().getTime();
      // 400 and 300 days old, then fresh: the first two batches expire under 180 days
      for (const daysAgo of [400, 300, 1]) {
        const at = new Date(now - daysAgo * 86_400_000);
        await sctx.store.repos.audit.append(
          Array.from({ length: 10 }, (_, i) => ({
            id: newId({ now: () => at }),
            at,
            input: { ...rec(i), instanceId: old.id },
          })),
        );
      }
      const report = await runAuditMaintenance(sctx);
      assert.deepEqual(report.failures, []);
      const pruned = report.pruned.find((p) => p.instanceId === old.id);
      assert.deepEqual(pruned, { instanceId: old.id, deleted: 20, throughSeq: 20 });
      assert.ok(report.checkpoints.some((c) => c.instanceId === old.id));
      const v = await h.api('GET', '/instances/aged/audit/verify');
      assert.equal(v.json.ok, true, JSON.stringify(v.body));
      assert.equal(v.json.from_seq, 20);
      assert.ok((v.json.checkpoints as number) >= 1);
      // the sweep itself is on the record
      const swept = await sctx.store.repos.audit.query(
        old.id,
        { action: 'audit.retention.prune' },
        { order: 'asc', limit: 5 },
      );
      assert.equal(swept.length, 1);
      assert.equal(swept[0]!.details?.deleted, 20);
    });
  });
}
