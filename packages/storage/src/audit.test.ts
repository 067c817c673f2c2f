// The audit trail's storage on real stores (both dialects): chains verify after many
// appends; edits, deletions, truncation and swaps made directly in the database are
// detected and the first broken record named; concurrent appenders on PostgreSQL keep
// one chain; retention pruning keeps an anchor the verification starts from.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import {
  argon2Hasher,
  CHECKPOINT_TYP,
  createAuditCheckpoint,
  createCore,
  ManualClock,
  newId,
  verifyAuditTrail,
  verifyInstanceAuditTrail,
  type AuditEntry,
  type AuditInput,
  type Core,
  type Instance,
} from '@idaas/core';
import { availableStoreKinds, freshStore, type TestStore } from './testing.ts';
import { openStore } from './store.ts';

const clock = new ManualClock('2026-05-01T00:00:00Z');

function entry(instanceId: string, i: number, over: Partial<AuditInput> = {}): AuditEntry {
  clock.advance(1000);
  return {
    id: newId(clock),
    at: clock.now(),
    input: {
      instanceId,
      actor: { type: 'admin', id: `adm-${i % 3}` },
      action: i % 2 ? 'user.update' : 'login.succeeded',
      target: { type: 'user', id: `usr-${i % 7}` },
      result: i % 5 === 0 ? 'failure' : 'success',
      ip: `10.0.0.${i % 4}`,
      userAgent: 'test-agent/1.0',
      host: 'id.example.test',
      details: { n: i },
      ...over,
    },
  };
}

for (const kind of availableStoreKinds()) {
  describe(`audit trail storage on ${kind}`, () => {
    let t: TestStore;
    let core: Core;
    const fresh = async (slug: string): Promise<Instance> => core.instances.create({ slug });
    const exec = (q: string) => sql.raw(q).execute(t.store.db);
    const append = async (inst: Instance, n: number, batch = 100) => {
      for (let i = 0; i < n; i += batch)
        await t.store.repos.audit.append(
          Array.from({ length: Math.min(batch, n - i) }, (_, k) => entry(inst.id, i + k)),
        );
    };
    const verify = (inst: Instance) => verifyInstanceAuditTrail(core, inst.id, { pageSize: 64 });
    const idAt = async (inst: Instance, seq: number) =>
      (await t.store.repos.audit.scan(inst.id, seq - 1, 1))[0]!.id;

    before(async () => {
      t = await freshStore(kind);
      core = createCore({
        store: t.store,
        clock,
        kek: t.kek,
        hasher: argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
      });
      await core.instances.create({ slug: 'platform' });
    });
    after(async () => t.dispose());

    test('a chain of many records over several batches verifies; its head is its last record', async () => {
      const a = await fresh('chain-a');
      const b = await fresh('chain-b');
      // batches mixing two instances: each keeps its own chain
      for (let i = 0; i < 1000; i += 250)
        await t.store.repos.audit.append(
          Array.from({ length: 250 }, (_, k) => entry(k % 2 ? a.id : b.id, i + k)),
        );
      for (const inst of [a, b]) {
        const r = await verify(inst);
        assert.equal(r.ok, true, JSON.stringify(r.broken));
        assert.equal(r.checked, 500);
        assert.equal(r.headSeq, 500);
        const head = (await t.store.repos.audit.head(inst.id))!;
        const last = (await t.store.repos.audit.scan(inst.id, 499, 10))[0]!;
        assert.equal(head.hash, last.hash);
        assert.equal(head.lastId, last.id);
      }
    });

    test('personal data is sealed at rest and read back decrypted; IP filter uses the blind index', async () => {
      const a = await fresh('sealed');
      await append(a, 20);
      const raw = await exec(`select * from audit_records where instance_id = '${a.id}'`);
      const text = JSON.stringify(raw.rows);
      assert.ok(!text.includes('10.0.0.'), 'no clear IP address in the table');
      assert.ok(!text.includes('test-agent'), 'no clear user agent in the table');
      const views = await t.store.repos.audit.query(
        a.id,
        { ip: '10.0.0.1' },
        { order: 'desc', limit: 100 },
      );
      assert.equal(views.length, 5);
      for (const v of views) {
        assert.equal(v.ip, '10.0.0.1');
        assert.equal(v.userAgent, 'test-agent/1.0');
        assert.equal(typeof v.details?.n, 'number');
      }
      const fails = await t.store.repos.audit.query(
        a.id,
        { result: 'failure', action: 'login.*' },
        { order: 'asc', limit: 100 },
      );
      assert.deepEqual(
        fails.map((v) => v.details?.n),
        [0, 10],
      );
    });

    test('editing a field of a row is detected at that record', async () => {
      const a = await fresh('t-edit');
      await append(a, 30);
      assert.equal((await verify(a)).ok, true);
      const id = await idAt(a, 12);
      await exec(
        `update audit_records set result = 'success', action = 'user.view' where instance_id = '${a.id}' and seq = 12`,
      );
      const r = await verify(a);
      assert.equal(r.ok, false);
      assert.deepEqual([r.broken!.seq, r.broken!.id], [12, id]);
      assert.match(r.broken!.reason, /hash mismatch/);
    });

    test('overwriting the hash column of a row is detected at that record', async () => {
      const a = await fresh('t-rehash');
      await append(a, 10);
      await exec(
        `update audit_records set hash = 'f00d' where instance_id = '${a.id}' and seq = 4`,
      );
      const r = await verify(a);
      assert.equal(r.broken!.seq, 4);
    });

    test('deleting a middle row is detected: the next record names the gap', async () => {
      const a = await fresh('t-delete');
      await append(a, 30);
      const id = await idAt(a, 16);
      await exec(`delete from audit_records where instance_id = '${a.id}' and seq = 15`);
      const r = await verify(a);
      assert.equal(r.ok, false);
      assert.deepEqual([r.broken!.seq, r.broken!.id], [16, id]);
      assert.match(r.broken!.reason, /seq 15\) is missing/);
    });

    test('deleting the last rows (truncation) is detected against the head', async () => {
      const a = await fresh('t-truncate');
      await append(a, 30);
      const headId = (await t.store.repos.audit.head(a.id))!.lastId;
      await exec(`delete from audit_records where instance_id = '${a.id}' and seq > 27`);
      const r = await verify(a);
      assert.equal(r.ok, false);
      assert.equal(r.broken!.seq, 28);
      assert.match(r.broken!.reason, /end at seq 27.*seq 30.*28–30 deleted/);
      assert.ok(r.broken!.reason.includes(headId!), 'names the head record id');
      // and if the head is rewound too, a signed checkpoint still catches it (see server tests)
    });

    test('swapping two rows (contents, or their order) is detected at the first of them', async () => {
      const a = await fresh('t-swap');
      await append(a, 20);
      const id6 = await idAt(a, 6);
      // reorder: exchange the seq numbers of records 5 and 6
      await exec(`update audit_records set seq = -1 where instance_id = '${a.id}' and seq = 5`);
      await exec(`update audit_records set seq = 5 where instance_id = '${a.id}' and seq = 6`);
      await exec(`update audit_records set seq = 6 where instance_id = '${a.id}' and seq = -1`);
      const r = await verify(a);
      assert.equal(r.ok, false);
      assert.deepEqual([r.broken!.seq, r.broken!.id], [5, id6]);
      assert.match(r.broken!.reason, /hash mismatch/);

      const b = await fresh('t-swap2');
      await append(b, 20);
      // swap the contents (everything but seq and hash) of records 8 and 9
      const [r8, r9] = await t.store.repos.audit.scan(b.id, 7, 2);
      const set = (seq: number, x: typeof r8) =>
        sql`update audit_records set id = ${x!.id}, at = ${x!.at}, action = ${x!.action}, actor_id = ${x!.actorId}, target_id = ${x!.targetId}, result = ${x!.result}, personal = ${x!.personal}, ip_lookup = ${x!.ipLookup} where instance_id = ${b.id} and seq = ${seq}`.execute(
          t.store.db,
        );
      await set(8, { ...r9!, id: 'tmp' });
      await set(9, r8);
      await set(8, r9);
      const r2 = await verify(b);
      assert.deepEqual([r2.broken!.seq, r2.broken!.id], [8, r9!.id]);
    });

    test('a record moved from another instance is detected', async () => {
      const a = await fresh('t-move-a');
      const b = await fresh('t-move-b');
      await append(a, 5);
      await append(b, 5);
      await exec(`delete from audit_records where instance_id = '${a.id}' and seq = 3`);
      await exec(
        `update audit_records set instance_id = '${a.id}' where instance_id = '${b.id}' and seq = 3`,
      );
      const r = await verify(a);
      assert.equal(r.broken!.seq, 3);
      assert.match(r.broken!.reason, /hash mismatch/);
    });

    test('append joins the ambient transaction: rolled back with it, nothing left behind', async () => {
      const a = await fresh('t-tx');
      await append(a, 3);
      await assert.rejects(
        t.store.transaction(async () => {
          await t.store.repos.audit.append([entry(a.id, 99)]);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal((await t.store.repos.audit.head(a.id))!.seq, 3);
      await t.store.transaction(async () => {
        await t.store.repos.audit.append([entry(a.id, 100)]);
      });
      const r = await verify(a);
      assert.equal(r.ok, true);
      assert.equal(r.headSeq, 4);
    });

    test('retention pruning keeps an anchor: the rest still verifies, tampering after it is still caught', async () => {
      const a = await fresh('t-prune');
      await append(a, 40);
      const rows = await t.store.repos.audit.scan(a.id, 0, 100);
      const cut = new Date(rows[24]!.at); // records 1..24 are older
      const p = await t.store.repos.audit.prune(a.id, cut, clock.now());
      assert.deepEqual(p, { deleted: 24, throughSeq: 24 });
      const head = (await t.store.repos.audit.head(a.id))!;
      assert.equal(head.prunedThroughSeq, 24);
      assert.equal(head.prunedHash, rows[23]!.hash);
      let r = await verify(a);
      assert.equal(r.ok, true, JSON.stringify(r.broken));
      assert.deepEqual([r.fromSeq, r.checked, r.throughSeq], [24, 16, 40]);
      // pruning again with the same cutoff is a no-op
      assert.equal((await t.store.repos.audit.prune(a.id, cut, clock.now())).deleted, 0);
      // deleting the first record after the anchor is still detected
      await exec(`delete from audit_records where instance_id = '${a.id}' and seq = 25`);
      r = await verify(a);
      assert.equal(r.broken!.seq, 26);
    });

    test('checkpoints signed by the platform key verify; a forged one or a rewritten chain does not', async () => {
      const a = await fresh('t-checkpoint');
      await append(a, 10);
      const c = await createAuditCheckpoint(core, a.id, clock);
      assert.ok(c);
      assert.equal(c.seq, 10);
      assert.equal(
        await createAuditCheckpoint(core, a.id, clock),
        null,
        'head already checkpointed',
      );
      await append(a, 5);
      let r = await verify(a);
      assert.equal(r.ok, true, JSON.stringify(r.broken));
      assert.equal(r.checkpoints, 1);
      // the tail is cut AND the head rewound to match: the checkpoint at seq 10 still catches it
      const h8 = (await t.store.repos.audit.scan(a.id, 7, 1))[0]!;
      await exec(`delete from audit_records where instance_id = '${a.id}' and seq > 8`);
      await sql`update audit_heads set seq = 8, hash = ${h8.hash}, last_id = ${h8.id} where instance_id = ${a.id}`.execute(
        t.store.db,
      );
      r = await verify(a);
      assert.equal(r.ok, false);
      assert.equal(r.broken!.seq, 9);
      assert.match(r.broken!.reason, /signed checkpoint records seq 10/);
      // a checkpoint row edited to match a rewritten chain fails its signature check
      await exec(`update audit_checkpoints set hash = 'abc' where instance_id = '${a.id}'`);
      r = await verify(a);
      assert.match(r.broken!.reason, /checkpoint at seq 10 is invalid/);
    });

    test('a checkpoint signed by a key the platform never had is named, even with a registry row of its own', async () => {
      const a = await fresh('t-forged-checkpoint');
      await append(a, 6);
      const real = await createAuditCheckpoint(core, a.id, clock);
      assert.ok(real);
      await append(a, 3);
      assert.equal((await verify(a)).ok, true);
      // someone with database write access rewrites record 9 and re-signs the head with a key of their own
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const pub = { ...(await exportJWK(publicKey)), kid: 'attacker-kid', alg: 'ES256' };
      const head = (await t.store.repos.audit.head(a.id))!;
      const payload = {
        typ: CHECKPOINT_TYP,
        instance: a.id,
        seq: head.seq,
        id: head.lastId,
        hash: head.hash,
        at: clock.now().toISOString(),
      };
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'ES256', kid: 'attacker-kid', typ: CHECKPOINT_TYP })
        .sign(privateKey);
      await t.store.repos.audit.addCheckpoint({
        instanceId: a.id,
        seq: head.seq,
        recordId: head.lastId,
        hash: head.hash,
        at: clock.now(),
        kid: 'attacker-kid',
        alg: 'ES256',
        publicJwk: pub,
        jws,
      });
      // the signature itself is fine: only the trust in its key tells the forgery apart
      const untrusted = await verifyAuditTrail(t.store.repos.audit, a.id, { trustedKeys: null });
      assert.equal(untrusted.ok, true, 'the forged checkpoint is self-consistent');
      let r = await verify(a);
      assert.equal(r.ok, false);
      assert.equal(r.broken!.seq, 9);
      assert.match(
        r.broken!.reason,
        /attacker-kid, which is not and never was a signing key of the platform/,
      );
      // a registry row for that key, written without the master key, does not attest
      await t.store.repos.audit.addCheckpointKey({
        kid: 'attacker-kid',
        alg: 'ES256',
        publicJwk: pub,
        attestation: 'x'.repeat(43),
        firstUsedAt: clock.now(),
      });
      r = await verify(a);
      assert.match(r.broken!.reason, /attacker-kid, which is not and never was/);
      // reusing the platform's kid with the attacker's public key is named too
      await sql`update audit_checkpoints set kid = ${real.kid}, jws = ${jws.replace(/^[^.]+/, Buffer.from(JSON.stringify({ alg: 'ES256', kid: real.kid, typ: CHECKPOINT_TYP })).toString('base64url'))} where instance_id = ${a.id} and seq = ${head.seq}`.execute(
        t.store.db,
      );
      r = await verify(a);
      assert.equal(r.broken!.seq, 9);
      assert.match(
        r.broken!.reason,
        new RegExp(`stored public key is not the platform key ${real.kid}`),
      );
    });

    test('checkpoints stay verifiable after their platform key is rotated away and purged', async () => {
      const a = await fresh('t-rotated-checkpoint');
      await append(a, 4);
      const c = await createAuditCheckpoint(core, a.id, clock);
      assert.ok(c);
      const platform = await core.instances.get('platform');
      await core.signingKeys.rotate(platform);
      clock.advance(3 * 3600 * 1000);
      await core.signingKeys.rotate(platform); // purges the keys retired by the first rotation
      const kids = (await core.signingKeys.list(platform)).map((k) => k.kid);
      assert.ok(!kids.includes(c.kid), 'the key that signed the checkpoint is gone');
      const keys = await t.store.repos.audit.checkpointKeys();
      assert.ok(keys.some((k) => k.kid === c.kid));
      assert.equal((await verify(a)).ok, true);
      // the registry row is what keeps it: without it the checkpoint is no longer trusted
      await sql`delete from audit_checkpoint_keys where kid = ${c.kid}`.execute(t.store.db);
      const r = await verify(a);
      assert.equal(r.ok, false);
      assert.match(r.broken!.reason, /never was a signing key of the platform/);
    });

    if (kind === 'postgres')
      test('two store handles appending at once keep one valid chain', async () => {
        const a = await fresh('t-concurrent');
        const other = openStore(t.url, { kek: t.kek });
        try {
          const run = (s: typeof t.store, tag: number) =>
            Promise.all(
              Array.from({ length: 20 }, (_, j) =>
                s.repos.audit.append(
                  Array.from({ length: 25 }, (_, k) => entry(a.id, tag * 1000 + j * 25 + k)),
                ),
              ),
            );
          await Promise.all([run(t.store, 1), run(other, 2)]);
        } finally {
          await other.close();
        }
        const r = await verify(a);
        assert.equal(r.ok, true, JSON.stringify(r.broken));
        assert.equal(r.checked, 1000);
        assert.equal(r.headSeq, 1000);
      });
  });
}
