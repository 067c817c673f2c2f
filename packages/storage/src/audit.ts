// The audit trail's storage (port in @idaas/core security/audit-ports.ts): hash-chained
// records per instance, chain heads, signed checkpoints, retention pruning.
//
// append() runs in one transaction (or joins the ambient one): it makes sure each
// instance in the batch has a head row, locks those heads (PostgreSQL: SELECT … FOR
// UPDATE, in instance order so two writers never deadlock; SQLite: the first statement is
// a write, so the transaction holds the single write lock from its start), computes
// seq and hash from the locked head, inserts the records in multi-row statements and
// moves the heads. Two processes appending at once therefore keep one chain.
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import {
  AppError,
  extendChain,
  genesisHash,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditHead,
  type AuditRecord,
  type AuditRepos,
  type AuditView,
  type DataKey,
} from '@idaas/core';
import type { Database } from './schema.ts';
import type { InstanceKeys } from './instance-keys.ts';

interface AuditHeadsTable {
  instance_id: string;
  seq: number;
  hash: string;
  last_id: string | null;
  pruned_through_seq: number;
  pruned_hash: string;
  retention_days: number | null;
  updated_at: string;
}
interface AuditRecordsTable {
  instance_id: string;
  seq: number;
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  on_behalf_of: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: string;
  host: string | null;
  ip_lookup: string | null;
  personal: string | null;
  hash: string;
}
interface AuditCheckpointsTable {
  instance_id: string;
  seq: number;
  record_id: string | null;
  hash: string;
  at: string;
  kid: string;
  alg: string;
  public_jwk: string;
  jws: string;
}
interface AuditCheckpointKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  attestation: string;
  first_used_at: string;
}
interface AuditDb {
  audit_checkpoint_keys: AuditCheckpointKeysTable;
  audit_heads: AuditHeadsTable;
  audit_records: AuditRecordsTable;
  audit_checkpoints: AuditCheckpointsTable;
}

/** Rows per INSERT: 15 parameters each stays well under SQLite's and PostgreSQL's limits. */
const CHUNK = 1000;
const personalPurpose = (id: string) => `audit-record:${id}`;
const IP_PURPOSE = 'audit-ip';

interface Personal {
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
}

const toRecord = (r: AuditRecordsTable): AuditRecord => ({
  instanceId: r.instance_id,
  seq: Number(r.seq),
  id: r.id,
  at: r.at,
  actorType: r.actor_type,
  actorId: r.actor_id,
  onBehalfOf: r.on_behalf_of,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  result: r.result,
  host: r.host,
  ipLookup: r.ip_lookup,
  personal: r.personal,
  hash: r.hash,
});

const toRow = (r: AuditRecord): AuditRecordsTable => ({
  instance_id: r.instanceId,
  seq: r.seq,
  id: r.id,
  at: r.at,
  actor_type: r.actorType,
  actor_id: r.actorId,
  on_behalf_of: r.onBehalfOf,
  action: r.action,
  target_type: r.targetType,
  target_id: r.targetId,
  result: r.result,
  host: r.host,
  ip_lookup: r.ipLookup,
  personal: r.personal,
  hash: r.hash,
});

const toHead = (r: AuditHeadsTable): AuditHead => ({
  instanceId: r.instance_id,
  seq: Number(r.seq),
  hash: r.hash,
  lastId: r.last_id,
  prunedThroughSeq: Number(r.pruned_through_seq),
  prunedHash: r.pruned_hash,
  retentionDays: r.retention_days === null ? null : Number(r.retention_days),
  updatedAt: new Date(r.updated_at),
});

const toCheckpoint = (r: AuditCheckpointsTable): AuditCheckpoint => ({
  instanceId: r.instance_id,
  seq: Number(r.seq),
  recordId: r.record_id,
  hash: r.hash,
  at: new Date(r.at),
  kid: r.kid,
  alg: r.alg,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  jws: r.jws,
});

function view(r: AuditRecordsTable, dk: DataKey | null): AuditView {
  let p: Personal = { ip: null, userAgent: null, details: null };
  if (r.personal && dk) p = JSON.parse(dk.decrypt(r.personal, personalPurpose(r.id))) as Personal;
  return {
    instanceId: r.instance_id,
    seq: Number(r.seq),
    id: r.id,
    at: new Date(r.at),
    actor: { type: r.actor_type, id: r.actor_id, onBehalfOf: r.on_behalf_of },
    action: r.action,
    target: r.target_type === null ? null : { type: r.target_type, id: r.target_id },
    result: r.result,
    ip: p.ip,
    userAgent: p.userAgent,
    host: r.host,
    details: p.details,
    hash: r.hash,
  };
}

const headRow = (instanceId: string, at: string): AuditHeadsTable => ({
  instance_id: instanceId,
  seq: 0,
  hash: genesisHash(instanceId),
  last_id: null,
  pruned_through_seq: 0,
  pruned_hash: genesisHash(instanceId),
  retention_days: null,
  updated_at: at,
});

const likePrefix = (p: string) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function makeAuditRepos(database: Kysely<Database>, keys: InstanceKeys): AuditRepos {
  const db = database as unknown as Kysely<AuditDb>;
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const inTransaction = <T>(fn: (trx: Kysely<AuditDb>) => Promise<T>): Promise<T> =>
    db.isTransaction ? fn(db) : db.transaction().execute((trx: Transaction<AuditDb>) => fn(trx));

  /** Seals the personal parts of an entry and returns the stored form (without seq/hash). */
  async function seal(e: AuditEntry): Promise<Omit<AuditRecord, 'seq' | 'hash'>> {
    const i = e.input;
    const ip = i.ip ?? null;
    const userAgent = i.userAgent ?? null;
    const details = i.details && Object.keys(i.details).length ? i.details : null;
    let personal: string | null = null;
    let ipLookup: string | null = null;
    if (ip !== null || userAgent !== null || details !== null) {
      const dk = await keys.dataKey(i.instanceId);
      const p: Personal = { ip, userAgent, details };
      personal = dk.encrypt(JSON.stringify(p), personalPurpose(e.id));
      if (ip !== null) ipLookup = dk.lookup(IP_PURPOSE, ip);
    }
    return {
      instanceId: i.instanceId,
      id: e.id,
      at: e.at.toISOString(),
      actorType: i.actor.type,
      actorId: i.actor.id ?? null,
      onBehalfOf: i.actor.onBehalfOf ?? null,
      action: i.action,
      targetType: i.target ? i.target.type : null,
      targetId: i.target ? (i.target.id ?? null) : null,
      result: i.result,
      host: i.host ?? null,
      ipLookup,
      personal,
    };
  }

  return {
    audit: {
      async append(entries) {
        if (entries.length === 0) return;
        const byInstance = new Map<string, Omit<AuditRecord, 'seq' | 'hash'>[]>();
        for (const e of entries) {
          const rec = await seal(e);
          let list = byInstance.get(rec.instanceId);
          if (!list) byInstance.set(rec.instanceId, (list = []));
          list.push(rec);
        }
        const ids = [...byInstance.keys()].sort();
        const stamp = entries.reduce((m, e) => (e.at > m ? e.at : m), entries[0]!.at).toISOString();
        await inTransaction(async (trx) => {
          // a write first: on SQLite this takes the write lock for the whole transaction
          await trx
            .insertInto('audit_heads')
            .values(ids.map((id) => headRow(id, stamp)))
            .onConflict((oc) => oc.column('instance_id').doNothing())
            .execute();
          let q = trx
            .selectFrom('audit_heads')
            .select(['instance_id', 'seq', 'hash'])
            .where('instance_id', 'in', ids)
            .orderBy('instance_id');
          if (pg) q = q.forUpdate();
          const heads = await q.execute();
          for (const h of heads) {
            const ext = extendChain(
              { seq: Number(h.seq), hash: h.hash },
              byInstance.get(h.instance_id)!,
            );
            for (let i = 0; i < ext.records.length; i += CHUNK)
              await trx
                .insertInto('audit_records')
                .values(ext.records.slice(i, i + CHUNK).map(toRow))
                .execute();
            await trx
              .updateTable('audit_heads')
              .set({
                seq: ext.seq,
                hash: ext.hash,
                last_id: ext.records[ext.records.length - 1]!.id,
                updated_at: stamp,
              })
              .where('instance_id', '=', h.instance_id)
              .execute();
          }
        });
      },

      async head(instanceId) {
        const r = await db
          .selectFrom('audit_heads')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return r ? toHead(r) : null;
      },

      async heads() {
        const rows = await db
          .selectFrom('audit_heads')
          .selectAll()
          .orderBy('instance_id')
          .execute();
        return rows.map(toHead);
      },

      async scan(instanceId, afterSeq, limit) {
        const rows = await db
          .selectFrom('audit_records')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('seq', '>', afterSeq)
          .orderBy('seq')
          .limit(limit)
          .execute();
        return rows.map(toRecord);
      },

      async query(instanceId, f, page) {
        let q = db.selectFrom('audit_records').selectAll().where('instance_id', '=', instanceId);
        if (f.from) q = q.where('at', '>=', f.from.toISOString());
        if (f.to) q = q.where('at', '<', f.to.toISOString());
        if (f.action)
          q = f.action.endsWith('.*')
            ? q.where('action', 'like', likePrefix(f.action.slice(0, -1)))
            : q.where('action', '=', f.action);
        if (f.actorType) q = q.where('actor_type', '=', f.actorType);
        if (f.actorId) q = q.where('actor_id', '=', f.actorId);
        if (f.onBehalfOf) q = q.where('on_behalf_of', '=', f.onBehalfOf);
        if (f.targetType) q = q.where('target_type', '=', f.targetType);
        if (f.targetId) q = q.where('target_id', '=', f.targetId);
        if (f.result) q = q.where('result', '=', f.result);
        let dk: DataKey | null = null;
        const key = async () => (dk ??= await keys.dataKey(instanceId));
        if (f.ip) q = q.where('ip_lookup', '=', (await key()).lookup(IP_PURPOSE, f.ip));
        if (page.order === 'desc') {
          if (page.beforeSeq != null) q = q.where('seq', '<', page.beforeSeq);
          q = q.orderBy('seq', 'desc');
        } else {
          if (page.afterSeq != null) q = q.where('seq', '>', page.afterSeq);
          q = q.orderBy('seq', 'asc');
        }
        const rows = await q.limit(page.limit).execute();
        if (rows.some((r) => r.personal)) await key();
        return rows.map((r) => view(r, dk));
      },

      async checkpoints(instanceId) {
        const rows = await db
          .selectFrom('audit_checkpoints')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('seq')
          .execute();
        return rows.map(toCheckpoint);
      },

      async addCheckpoint(c) {
        await db
          .insertInto('audit_checkpoints')
          .values({
            instance_id: c.instanceId,
            seq: c.seq,
            record_id: c.recordId,
            hash: c.hash,
            at: c.at.toISOString(),
            kid: c.kid,
            alg: c.alg,
            public_jwk: JSON.stringify(c.publicJwk),
            jws: c.jws,
          })
          .onConflict((oc) => oc.columns(['instance_id', 'seq']).doNothing())
          .execute();
      },

      async checkpointKeys() {
        const rows = await db
          .selectFrom('audit_checkpoint_keys')
          .selectAll()
          .orderBy('kid')
          .execute();
        return rows.map((r) => ({
          kid: r.kid,
          alg: r.alg,
          publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
          attestation: r.attestation,
          firstUsedAt: new Date(r.first_used_at),
        }));
      },

      async addCheckpointKey(k) {
        await db
          .insertInto('audit_checkpoint_keys')
          .values({
            kid: k.kid,
            alg: k.alg,
            public_jwk: JSON.stringify(k.publicJwk),
            attestation: k.attestation,
            first_used_at: k.firstUsedAt.toISOString(),
          })
          .onConflict((oc) => oc.column('kid').doNothing())
          .execute();
      },

      async setRetention(instanceId, days, at) {
        await inTransaction(async (trx) => {
          await trx
            .insertInto('audit_heads')
            .values(headRow(instanceId, at.toISOString()))
            .onConflict((oc) => oc.column('instance_id').doNothing())
            .execute();
          await trx
            .updateTable('audit_heads')
            .set({ retention_days: days, updated_at: at.toISOString() })
            .where('instance_id', '=', instanceId)
            .execute();
        });
      },

      async prune(instanceId, before, at) {
        return inTransaction(async (trx) => {
          let hq = trx.selectFrom('audit_heads').selectAll().where('instance_id', '=', instanceId);
          if (pg) hq = hq.forUpdate();
          const head = await hq.executeTakeFirst();
          if (!head) return { deleted: 0, throughSeq: 0 };
          const prunedBefore = Number(head.pruned_through_seq);
          const kept = await trx
            .selectFrom('audit_records')
            .select(sql<number | null>`min(seq)`.as('first'))
            .where('instance_id', '=', instanceId)
            .where('at', '>=', before.toISOString())
            .executeTakeFirst();
          const first = kept?.first == null ? null : Number(kept.first);
          const through = first === null ? Number(head.seq) : first - 1;
          if (through <= prunedBefore) return { deleted: 0, throughSeq: prunedBefore };
          const last = await trx
            .selectFrom('audit_records')
            .select('hash')
            .where('instance_id', '=', instanceId)
            .where('seq', '=', through)
            .executeTakeFirst();
          if (!last)
            throw new AppError(
              'internal',
              `audit chain of instance ${instanceId}: record ${through} is missing; not pruning (run idaas audit verify)`,
            );
          const del = await trx
            .deleteFrom('audit_records')
            .where('instance_id', '=', instanceId)
            .where('seq', '<=', through)
            .executeTakeFirst();
          await trx
            .updateTable('audit_heads')
            .set({
              pruned_through_seq: through,
              pruned_hash: last.hash,
              updated_at: at.toISOString(),
            })
            .where('instance_id', '=', instanceId)
            .execute();
          await trx
            .deleteFrom('audit_checkpoints')
            .where('instance_id', '=', instanceId)
            .where('seq', '<', through)
            .execute();
          return { deleted: Number(del.numDeletedRows), throughSeq: through };
        });
      },
    },
  };
}
