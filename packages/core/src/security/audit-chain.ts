// The audit trail's hash chain, as pure functions: canonical serialization of a stored
// record, the chain hash, and a streaming verifier that names the first broken record.
//
//   hash(n) = SHA-256( hash(n-1) ‖ "\n" ‖ canonical(record n) )      hash(0) = genesis(instance)
//
// canonical(record) is the JSON array of every stored field in a fixed order (seq, id
// and instance included, so rows cannot be moved, renumbered or swapped undetected).
import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit-ports.ts';

export const AUDIT_CHAIN_VERSION = 'idaas-audit-v1';

export function sha256hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** The hash a chain starts from (seq 0), distinct per instance. */
export function genesisHash(instanceId: string): string {
  return sha256hex(`${AUDIT_CHAIN_VERSION} genesis\n${instanceId}`);
}

/** Canonical serialization of a stored record (every field but its hash). */
export function canonicalRecord(r: Omit<AuditRecord, 'hash'>): string {
  return JSON.stringify([
    AUDIT_CHAIN_VERSION,
    r.instanceId,
    r.seq,
    r.id,
    r.at,
    r.actorType,
    r.actorId,
    r.onBehalfOf,
    r.action,
    r.targetType,
    r.targetId,
    r.result,
    r.host,
    r.ipLookup,
    r.personal,
  ]);
}

export function chainHash(prevHash: string, r: Omit<AuditRecord, 'hash'>): string {
  return sha256hex(`${prevHash}\n${canonicalRecord(r)}`);
}

/** Computes seq and hash for new records following `head`; returns them and the new head. */
export function extendChain(
  head: { seq: number; hash: string },
  records: Omit<AuditRecord, 'hash' | 'seq'>[],
): { records: AuditRecord[]; seq: number; hash: string } {
  let { seq, hash } = head;
  const out: AuditRecord[] = [];
  for (const r of records) {
    seq += 1;
    const rec = { ...r, seq };
    hash = chainHash(hash, rec);
    out.push({ ...rec, hash });
  }
  return { records: out, seq, hash };
}

/** The first record whose verification fails: its sequence number, id (when known) and why. */
export interface ChainBreak {
  seq: number;
  id: string | null;
  reason: string;
}

export interface CheckpointRef {
  seq: number;
  recordId: string | null;
  hash: string;
}

/**
 * Verifies a chain fed record by record in ascending seq order, starting after the
 * anchor (the pruning point, or seq 0 and the genesis hash). Stops at the first break.
 */
export class ChainVerifier {
  readonly instanceId: string;
  #seq: number;
  #hash: string;
  #lastId: string | null = null;
  #checked = 0;
  #break: ChainBreak | null = null;
  readonly #checkpoints: Map<number, CheckpointRef>;

  constructor(
    instanceId: string,
    anchor: { seq: number; hash: string },
    checkpoints: CheckpointRef[] = [],
  ) {
    this.instanceId = instanceId;
    this.#seq = anchor.seq;
    this.#hash = anchor.hash;
    this.#checkpoints = new Map(checkpoints.map((c) => [c.seq, c]));
    // a checkpoint exactly at the anchor must agree with it
    const atAnchor = this.#checkpoints.get(anchor.seq);
    if (atAnchor && anchor.seq > 0 && atAnchor.hash !== anchor.hash)
      this.#break = {
        seq: anchor.seq,
        id: atAnchor.recordId,
        reason: `the retention anchor's hash differs from the signed checkpoint at seq ${anchor.seq}`,
      };
  }

  get broken(): ChainBreak | null {
    return this.#break;
  }
  get checked(): number {
    return this.#checked;
  }
  get last(): { seq: number; hash: string; id: string | null } {
    return { seq: this.#seq, hash: this.#hash, id: this.#lastId };
  }

  /** Checks the next record; returns the break (this one or an earlier one) or null. */
  push(r: AuditRecord): ChainBreak | null {
    if (this.#break) return this.#break;
    const expected = this.#seq + 1;
    if (r.instanceId !== this.instanceId)
      return (this.#break = {
        seq: r.seq,
        id: r.id,
        reason: `belongs to instance ${r.instanceId}, not to this chain`,
      });
    if (r.seq < expected)
      return (this.#break = {
        seq: r.seq,
        id: r.id,
        reason: `out of order: seq ${r.seq} after seq ${this.#seq}`,
      });
    if (r.seq > expected)
      return (this.#break = {
        seq: r.seq,
        id: r.id,
        reason:
          r.seq === expected + 1
            ? `the previous record (seq ${expected}) is missing: deleted`
            : `the previous records (seq ${expected}–${r.seq - 1}) are missing: deleted`,
      });
    const h = chainHash(this.#hash, r);
    if (h !== r.hash)
      return (this.#break = {
        seq: r.seq,
        id: r.id,
        reason: 'hash mismatch: the record was altered (or its hash column was)',
      });
    const cp = this.#checkpoints.get(r.seq);
    if (cp && (cp.hash !== h || (cp.recordId !== null && cp.recordId !== r.id)))
      return (this.#break = {
        seq: r.seq,
        id: r.id,
        reason: `differs from the signed checkpoint at seq ${r.seq}: the chain was rewritten`,
      });
    this.#seq = r.seq;
    this.#hash = h;
    this.#lastId = r.id;
    this.#checked++;
    return null;
  }

  /**
   * After the last record: the chain must end where its head says (and reach every
   * checkpoint), or its tail was truncated or records were added behind the sink's back.
   */
  finish(head: { seq: number; hash: string; lastId: string | null }): ChainBreak | null {
    if (this.#break) return this.#break;
    const maxCheckpoint = Math.max(0, ...this.#checkpoints.keys());
    const end = Math.max(head.seq, maxCheckpoint);
    if (this.#seq < end) {
      const first = this.#seq + 1;
      const known =
        end === head.seq && head.seq === first
          ? head.lastId
          : (this.#checkpoints.get(first)?.recordId ?? null);
      const by =
        end === head.seq
          ? `the chain head records seq ${head.seq}${head.lastId ? ` (id ${head.lastId})` : ''}`
          : `a signed checkpoint records seq ${end}`;
      return (this.#break = {
        seq: first,
        id: known,
        reason: `missing: the stored records end at seq ${this.#seq} but ${by} (records ${first}–${end} deleted: truncated)`,
      });
    }
    if (this.#seq > head.seq)
      return (this.#break = {
        seq: head.seq + 1,
        id: null,
        reason: `records after the chain head (seq ${head.seq}) were added outside the audit sink`,
      });
    if (this.#hash !== head.hash)
      return (this.#break = {
        seq: this.#seq,
        id: this.#lastId,
        reason: "the chain head's hash differs from the last record's",
      });
    return null;
  }
}
