// The audit trail's storage port (issue 6, G4.6): hash-chained records per instance, the
// head of each chain, signed checkpoints, retention. Implemented in
// packages/storage/src/audit.ts.
import type { AuditInput } from './audit.ts';

/** A record as the sink hands it to storage: its id and instant are fixed before writing. */
export interface AuditEntry {
  id: string;
  at: Date;
  input: AuditInput;
}

/**
 * A record as stored: exactly the fields the chain hash covers (see audit-chain.ts).
 * Personal data (IP address, user agent, details) is sealed under the instance's data
 * key in `personal`, with a blind index of the IP address in `ipLookup`; the chain is
 * over the stored form, so it verifies without decrypting anything.
 */
export interface AuditRecord {
  instanceId: string;
  seq: number;
  id: string;
  /** ISO-8601 instant (UTC). */
  at: string;
  actorType: string;
  actorId: string | null;
  onBehalfOf: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  result: string;
  host: string | null;
  ipLookup: string | null;
  personal: string | null;
  hash: string;
}

/** A record decrypted for reading (query, export). */
export interface AuditView {
  instanceId: string;
  seq: number;
  id: string;
  at: Date;
  actor: { type: string; id: string | null; onBehalfOf: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  result: string;
  ip: string | null;
  userAgent: string | null;
  host: string | null;
  details: Record<string, unknown> | null;
  hash: string;
}

/** The head of an instance's chain: its last record, the pruning anchor, the retention setting. */
export interface AuditHead {
  instanceId: string;
  /** Sequence number of the last record (0: none yet). */
  seq: number;
  /** Hash of the last record (the genesis hash when there is none). */
  hash: string;
  lastId: string | null;
  /** Records up to this seq were deleted by retention; 0 when none. */
  prunedThroughSeq: number;
  /** Hash of the record at prunedThroughSeq (the genesis hash when 0): where verification starts. */
  prunedHash: string;
  /** Per-instance retention in days; null = the default. */
  retentionDays: number | null;
  updatedAt: Date;
}

/** A signed statement "the chain of `instanceId` had `hash` at `seq`", verifiable after key rotation. */
export interface AuditCheckpoint {
  instanceId: string;
  seq: number;
  recordId: string | null;
  hash: string;
  at: Date;
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  /** Compact JWS over {instance, seq, id, hash, at}. */
  jws: string;
}

/**
 * A platform signing key that has signed audit checkpoints, kept (public part only) after
 * the key itself has been rotated away and purged. `attestation` is an HMAC of kid, alg
 * and key material under the platform instance's data key (so under the master key,
 * which is not in the database): a row someone wrote with database access alone does
 * not attest, and checkpoints signed by its key are not trusted.
 */
export interface AuditCheckpointKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  attestation: string;
  firstUsedAt: Date;
}

export interface AuditFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  /** Exact action, or a prefix ending in `.*` (e.g. `login.*`). */
  action?: string | undefined;
  actorType?: string | undefined;
  actorId?: string | undefined;
  onBehalfOf?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  result?: string | undefined;
  ip?: string | undefined;
}

export interface AuditRepo {
  /**
   * Appends entries (of any instances) to their chains in one transaction — or in the
   * ambient one — locking each chain's head. All or nothing.
   */
  append(entries: AuditEntry[]): Promise<void>;
  head(instanceId: string): Promise<AuditHead | null>;
  /** Every head (the sweeper's worklist). */
  heads(): Promise<AuditHead[]>;
  /** Stored records with seq > afterSeq, ascending, at most `limit`. */
  scan(instanceId: string, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** Decrypted records matching `filter`, by seq (desc: seq < before; asc: seq > after). */
  query(
    instanceId: string,
    filter: AuditFilter,
    page: {
      order: 'asc' | 'desc';
      afterSeq?: number | null;
      beforeSeq?: number | null;
      limit: number;
    },
  ): Promise<AuditView[]>;
  checkpoints(instanceId: string): Promise<AuditCheckpoint[]>;
  addCheckpoint(c: AuditCheckpoint): Promise<void>;
  /** The registry of keys that signed checkpoints (trust is checked by the caller). */
  checkpointKeys(): Promise<AuditCheckpointKey[]>;
  /** Registers a key the first time it signs a checkpoint (no-op when its kid is known). */
  addCheckpointKey(k: AuditCheckpointKey): Promise<void>;
  /** Sets the retention (null = default); creates the head if needed. */
  setRetention(instanceId: string, days: number | null, at: Date): Promise<void>;
  /**
   * Deletes the oldest records whose instant is before `before` (a contiguous prefix of
   * the chain) and moves the anchor to the last deleted one; checkpoints before the anchor
   * go too. Returns how many records were deleted and the new anchor.
   */
  prune(
    instanceId: string,
    before: Date,
    at: Date,
  ): Promise<{ deleted: number; throughSeq: number }>;
}

export interface AuditRepos {
  audit: AuditRepo;
}
