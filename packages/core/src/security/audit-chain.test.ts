// The pure chain functions: every stored field is covered by the hash, and the verifier
// names the first broken record for edits, gaps, reordering, truncation and extra rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChainVerifier,
  canonicalRecord,
  chainHash,
  extendChain,
  genesisHash,
} from './audit-chain.ts';
import type { AuditRecord } from './audit-ports.ts';

const base = (i: number): Omit<AuditRecord, 'seq' | 'hash'> => ({
  instanceId: 'ins-a',
  id: `rec-${i}`,
  at: `2026-05-01T00:00:${String(i).padStart(2, '0')}.000Z`,
  actorType: 'user',
  actorId: `usr-${i}`,
  onBehalfOf: null,
  action: 'login.succeeded',
  targetType: 'application',
  targetId: 'app-1',
  result: 'success',
  host: 'id.example.test',
  ipLookup: 'lookup',
  personal: 'sealed',
});

const chain = (n: number) =>
  extendChain(
    { seq: 0, hash: genesisHash('ins-a') },
    Array.from({ length: n }, (_, i) => base(i + 1)),
  );

const run = (
  records: AuditRecord[],
  head: { seq: number; hash: string; lastId: string | null },
) => {
  const v = new ChainVerifier('ins-a', { seq: 0, hash: genesisHash('ins-a') });
  for (const r of records) if (v.push(r)) return v.broken;
  return v.finish(head);
};

test('genesis differs per instance; every stored field changes the hash', () => {
  assert.notEqual(genesisHash('ins-a'), genesisHash('ins-b'));
  const r = { ...base(1), seq: 1 };
  const h = chainHash(genesisHash('ins-a'), r);
  for (const k of Object.keys(r) as (keyof typeof r)[]) {
    const changed = { ...r, [k]: typeof r[k] === 'number' ? 2 : `${String(r[k])}x` };
    assert.notEqual(chainHash(genesisHash('ins-a'), changed), h, `field ${k}`);
  }
  // null and the string "null" are different
  assert.notEqual(
    canonicalRecord({ ...r, actorId: null }),
    canonicalRecord({ ...r, actorId: 'null' }),
  );
});

test('an intact chain verifies and ends at its head', () => {
  const c = chain(10);
  assert.equal(run(c.records, { seq: c.seq, hash: c.hash, lastId: 'rec-10' }), null);
});

test('edits, gaps, reordering, truncation and rows beyond the head are each named', () => {
  const c = chain(10);
  const head = { seq: c.seq, hash: c.hash, lastId: 'rec-10' };
  const edited = c.records.map((r) => (r.seq === 4 ? { ...r, result: 'failure' } : r));
  assert.deepEqual(run(edited, head), {
    seq: 4,
    id: 'rec-4',
    reason: 'hash mismatch: the record was altered (or its hash column was)',
  });
  const gap = c.records.filter((r) => r.seq !== 6 && r.seq !== 7);
  const g = run(gap, head)!;
  assert.deepEqual([g.seq, g.id], [8, 'rec-8']);
  assert.match(g.reason, /seq 6–7\) are missing/);
  const swapped = [...c.records];
  [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
  assert.deepEqual(run(swapped, head)!.seq, 4);
  const t = run(c.records.slice(0, 7), head)!;
  assert.deepEqual([t.seq, t.id], [8, null]);
  assert.match(t.reason, /end at seq 7 .*seq 10 \(id rec-10\)/);
  const extra = extendChain({ seq: c.seq, hash: c.hash }, [base(11)]);
  assert.equal(run([...c.records, ...extra.records], head)!.seq, 11);
});

test('a checkpoint the chain disagrees with, or one beyond its end, is a break', () => {
  const c = chain(5);
  const head = { seq: 5, hash: c.hash, lastId: 'rec-5' };
  const v = new ChainVerifier('ins-a', { seq: 0, hash: genesisHash('ins-a') }, [
    { seq: 3, recordId: 'rec-3', hash: 'not-the-hash' },
  ]);
  for (const r of c.records) if (v.push(r)) break;
  assert.equal(v.broken!.seq, 3);
  const w = new ChainVerifier('ins-a', { seq: 0, hash: genesisHash('ins-a') }, [
    { seq: 8, recordId: 'rec-8', hash: 'h' },
  ]);
  for (const r of c.records) w.push(r);
  assert.equal(w.finish(head)!.seq, 6);
});
