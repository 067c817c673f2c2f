// Release vs retention (ID3 vs G4.6): the instance export carries the audit trail (a link
// to its records, head hash, verification, latest signed checkpoint) so the customer can
// keep the access logs (G4.7); the deletion removes the instance's trail with its data,
// and the fact of it — receipt id and counts — is recorded on the platform's chain.
// Real server, admin API, both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAuditCheckpoint, verifyInstanceAuditTrail } from '@idaas/core';
import { availableStoreKinds } from '@idaas/storage';
import { startApi, type ApiHarness } from '../api/fixtures.ts';
import { API_PREFIX } from '../api/openapi.ts';
import { runAuditMaintenance } from './maintenance.ts';

const D = 86_400_000;

for (const kind of availableStoreKinds()) {
  describe(`audit trail at release on ${kind}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await startApi(kind);
    });
    after(async () => {
      await h?.close();
    });

    test('the export links the trail; release deletes it and is recorded on the platform chain', async () => {
      const { sctx } = h.server;
      const inst = await sctx.core.instances.create({ slug: 'rel-audited' });
      for (const n of [1, 2, 3])
        await sctx.audit.record({
          instanceId: inst.id,
          actor: { type: 'admin', id: 'adm-1' },
          action: 'user.update',
          target: { type: 'user', id: `usr-${n}` },
          result: 'success',
          ip: '192.0.2.7',
        });
      await runAuditMaintenance(sctx); // a signed checkpoint of the head

      const ex = await h.api('GET', '/instances/rel-audited/export');
      assert.equal(ex.status, 200, JSON.stringify(ex.body));
      const trail = ex.json.audit_trail as {
        head_seq: number;
        head_digest: string;
        records_url: string;
        verification: { ok: boolean };
        last_checkpoint: { digest: string; jws: string };
      };
      const head = (await sctx.store.repos.audit.head(inst.id))!;
      assert.equal(trail.head_seq, head.seq);
      assert.equal(trail.head_digest, head.hash);
      assert.equal(trail.verification.ok, true);
      assert.equal(trail.last_checkpoint.digest, head.hash);
      assert.match(trail.last_checkpoint.jws, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      // the link serves the records, oldest first, and they reach the head hash
      const path = String(trail.records_url).replace(sctx.config.publicUrl + API_PREFIX, '');
      assert.notEqual(path, trail.records_url, 'an absolute link on this server');
      const rec = await fetch(trail.records_url as string, {
        headers: { authorization: `Bearer ${h.token}` },
      });
      assert.equal(rec.status, 200);
      const lines = (await rec.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { seq: number; action: string; ip: string; digest: string });
      assert.deepEqual(
        lines.slice(0, 3).map((l) => [l.seq, l.action, l.ip]),
        [1, 2, 3].map((s) => [s, 'user.update', '192.0.2.7']),
      );
      assert.equal(lines.at(-1)!.digest, trail.last_checkpoint.digest);

      // the deletion (an unpaid order voided: the same path as a release, ID3)
      const { lifecycle } = sctx.business;
      await sctx.store.repos.instances.setState(inst.id, 'pending-payment', sctx.clock.now());
      const t0 = sctx.clock.now();
      const c = await lifecycle.clocks.create({ at: t0 });
      await lifecycle.service.ensure(
        { instanceId: inst.id, accountId: inst.accountId, policy: 'ID1', clockId: c.id },
        t0,
      );
      await lifecycle.service.record(inst.id, { type: 'order-created' }, t0);
      await sctx.audit.flush?.();
      const before = (await sctx.store.repos.audit.head(inst.id))!.seq;
      await lifecycle.scheduler.advance(c.id, new Date(t0.getTime() + 8 * D));
      assert.equal(await sctx.store.repos.instances.get(inst.id), null, 'instance deleted');
      assert.equal(await sctx.store.repos.audit.head(inst.id), null, 'its trail deleted');
      assert.deepEqual(await sctx.store.repos.audit.scan(inst.id, 0, 10), []);
      assert.deepEqual(await sctx.store.repos.audit.checkpoints(inst.id), []);

      const receipt = (await sctx.store.repos.receipts.byInstance(inst.id))!;
      const platform = await sctx.core.instances.get('platform');
      const released = await sctx.store.repos.audit.query(
        platform.id,
        { action: 'instance.released', targetId: inst.id },
        { order: 'asc', limit: 10 },
      );
      assert.equal(released.length, 1);
      const d = released[0]!.details as Record<string, unknown>;
      assert.equal(released[0]!.actor.type, 'system');
      assert.equal(d.receipt_id, receipt.id);
      assert.equal(d.slug, 'rel-audited');
      assert.equal(d.state, 'void');
      const deleted = Object.fromEntries(
        (d.deleted as { table: string; rows: number }[]).map((x) => [x.table, x.rows]),
      );
      assert.equal(deleted.audit_records, before, 'every record of the trail, counted');
      assert.equal(deleted.audit_heads, 1);
      assert.equal(deleted.instances, 1);
      assert.deepEqual(deleted, receipt.what);
      assert.equal((await verifyInstanceAuditTrail(sctx.core, platform.id)).ok, true);
      assert.ok(await createAuditCheckpoint(sctx.core, platform.id, sctx.clock));
    });
  });
}
