// Storage of lifecycle enforcement: engine state per instance with its next due
// instant, the timeline, deletion receipts, durable jobs, test clocks, and the purge of
// an instance's rows at release. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL; on
// SQLite a write transaction (BEGIN IMMEDIATE) already excludes every other writer.
import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import {
  AppError,
  type DeletionReceipt,
  type JobRecord,
  type JobStatus,
  type LifecycleEventRecord,
  type LifecycleRepos,
  type LifecycleRow,
} from '@idaas/core';
import type { Database } from '../schema.ts';

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
const date = (s: string): Date => new Date(s);
const dateOrNull = (s: string | null): Date | null => (s ? new Date(s) : null);

/** Rows per multi-row statement (well under both dialects' bound-parameter limits). */
const CHUNK = 500;
function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const toRow = (r: Selectable<Database['lifecycles']>): LifecycleRow => ({
  instanceId: r.instance_id,
  accountId: r.account_id,
  policy: r.policy,
  state: r.state,
  clause: r.clause,
  engine: JSON.parse(r.engine),
  nextDueAt: dateOrNull(r.next_due_at),
  clockId: r.clock_id,
  version: Number(r.version),
  updatedAt: date(r.updated_at),
});

const toEvent = (r: Selectable<Database['lifecycle_events']>): LifecycleEventRecord => ({
  id: r.id,
  instanceId: r.instance_id,
  accountId: r.account_id,
  at: date(r.at),
  state: r.state,
  cause: r.cause,
  clause: r.clause,
  effects: JSON.parse(r.effects),
  createdAt: date(r.created_at),
});

const toJob = (r: Selectable<Database['jobs']>): JobRecord => ({
  id: r.id,
  kind: r.kind,
  payload: JSON.parse(r.payload),
  runAt: date(r.run_at),
  attempts: Number(r.attempts),
  maxAttempts: Number(r.max_attempts),
  status: r.status as JobStatus,
  lastError: r.last_error,
  dedupeKey: r.dedupe_key,
  clockId: r.clock_id,
  createdAt: date(r.created_at),
  updatedAt: date(r.updated_at),
});

const toReceipt = (r: Selectable<Database['deletion_receipts']>): DeletionReceipt => ({
  id: r.id,
  accountId: r.account_id,
  instanceId: r.instance_id,
  instanceSlug: r.instance_slug,
  at: date(r.at),
  clause: r.clause,
  what: JSON.parse(r.what),
  createdAt: date(r.created_at),
});

/** The tables holding an instance's rows, children first (foreign keys). */
export const INSTANCE_TABLES = [
  // console and portal (issue 7): branding, user imports (sealed rows)
  'branding',
  'user_imports',
  // audit trail (issue 6): records carry IP addresses and user agents (personal data)
  'audit_checkpoints',
  'audit_records',
  'audit_heads',
  // SAML IdP and SCIM (issue 5): no dependants; saml_request_ids has no foreign key
  'saml_request_ids',
  // conditional access (issue 6): devices before users (they reference them)
  'access_devices',
  'access_policies',
  'access_settings',
  // MFA (issue 6): before users (factors and recovery codes reference them)
  'mfa_challenges',
  'mfa_recovery_codes',
  'mfa_factors',
  // passwords (issue 6): before users (state and reset tokens reference them)
  'password_resets',
  'password_states',
  'password_policies',
  'saml_apps',
  'saml_keys',
  'scim_resources',
  // delegated administration (issue 6)
  'role_assignments',
  'custom_roles',
  'provisioning_resyncs',
  'group_members',
  'org_unit_members',
  'oidc_models',
  'signing_keys',
  'applications',
  'users',
  'groups',
  'org_units',
  'usage_hourly',
  'monthly_active_users',
  'sla_windows',
  'lifecycles',
] as const;

/**
 * Tables with an `instance_id` column that release deliberately does NOT purge: business
 * records the account keeps after its instance is gone (ID3, G6.3), none holding personal
 * data of the instance's users. A test fails for any `instance_id` table in neither list.
 */
export const INSTANCE_TABLES_KEPT = [
  'orders', // the account's purchase history
  'ledger_entries', // money (G3)
  'resource_packages', // what was bought
  'settlements',
  'lifecycle_events', // the record of what happened to the instance and why (clauses)
  'deletion_receipts', // proof of the deletion itself
  'notices', // what the account was told
  'tickets', // support history of the account
  'maintenance_windows',
  'sla_claims', // credits owed (SLA)
] as const;

export function makeLifecycleRepos(db: Kysely<Database>): LifecycleRepos {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const clockIs = (clockId: string | null) =>
    clockId === null ? sql<boolean>`clock_id is null` : sql<boolean>`clock_id = ${clockId}`;

  return {
    lifecycles: {
      async insert(row) {
        const r = await db
          .insertInto('lifecycles')
          .values({
            instance_id: row.instanceId,
            account_id: row.accountId,
            policy: row.policy,
            state: row.state,
            clause: row.clause,
            engine: JSON.stringify(row.engine),
            next_due_at: isoOrNull(row.nextDueAt),
            clock_id: row.clockId,
            version: row.version,
            updated_at: iso(row.updatedAt),
          })
          .onConflict((oc) => oc.column('instance_id').doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      },
      async get(instanceId, opts = {}) {
        let q = db.selectFrom('lifecycles').selectAll().where('instance_id', '=', instanceId);
        if (opts.lock && pg) q = q.forUpdate();
        const r = await q.executeTakeFirst();
        return r ? toRow(r) : null;
      },
      async save(rows, at) {
        if (rows.length === 0) return;
        let changed = 0;
        if (pg) {
          for (const part of chunks(rows)) {
            const r = await sql`
              update lifecycles l set state = v.state, clause = v.clause, engine = v.engine,
                next_due_at = v.next_due_at, version = l.version + 1, updated_at = ${iso(at)}
              from (select unnest(${part.map((x) => x.instanceId)}::text[]) as instance_id,
                           unnest(${part.map((x) => x.state)}::text[]) as state,
                           unnest(${part.map((x) => x.clause)}::text[]) as clause,
                           unnest(${part.map((x) => JSON.stringify(x.engine))}::text[]) as engine,
                           unnest(${part.map((x) => isoOrNull(x.nextDueAt))}::text[]) as next_due_at,
                           unnest(${part.map((x) => x.version)}::int[]) as version) v
              where l.instance_id = v.instance_id and l.version = v.version`.execute(db);
            changed += Number(r.numAffectedRows ?? 0);
          }
        } else {
          for (const x of rows) {
            const r = await db
              .updateTable('lifecycles')
              .set({
                state: x.state,
                clause: x.clause,
                engine: JSON.stringify(x.engine),
                next_due_at: isoOrNull(x.nextDueAt),
                version: x.version + 1,
                updated_at: iso(at),
              })
              .where('instance_id', '=', x.instanceId)
              .where('version', '=', x.version)
              .executeTakeFirst();
            changed += Number(r.numUpdatedRows);
          }
        }
        if (changed !== rows.length)
          throw new AppError('conflict', 'lifecycle: changed concurrently; retry', {
            issues: [{ field: 'version', message: 'changed concurrently' }],
          });
      },
      async delete(instanceId) {
        const r = await db
          .deleteFrom('lifecycles')
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async claimDue(clockId, now, limit) {
        let q = db
          .selectFrom('lifecycles')
          .selectAll()
          .where(clockIs(clockId))
          .where('next_due_at', '<=', iso(now))
          .orderBy('next_due_at')
          .limit(limit);
        if (pg) q = q.forUpdate().skipLocked();
        return (await q.execute()).map(toRow);
      },
      async nextDueAt(clockId) {
        const r = await db
          .selectFrom('lifecycles')
          .select('next_due_at')
          .where(clockIs(clockId))
          .where('next_due_at', 'is not', null)
          .orderBy('next_due_at')
          .limit(1)
          .executeTakeFirst();
        return dateOrNull(r?.next_due_at ?? null);
      },
      async mirrorStates(states, at) {
        if (states.length === 0) return;
        if (pg) {
          for (const part of chunks(states))
            await sql`
              update instances i set state = v.state, updated_at = ${iso(at)}
              from (select unnest(${part.map((x) => x.instanceId)}::text[]) as id,
                           unnest(${part.map((x) => x.state)}::text[]) as state) v
              where i.id = v.id and i.state <> v.state`.execute(db);
          return;
        }
        for (const x of states)
          await db
            .updateTable('instances')
            .set({ state: x.state, updated_at: iso(at) })
            .where('id', '=', x.instanceId)
            .where('state', '<>', x.state)
            .execute();
      },
      async appendEvents(events) {
        for (const part of chunks(events))
          await db
            .insertInto('lifecycle_events')
            .values(
              part.map((e) => ({
                id: e.id,
                instance_id: e.instanceId,
                account_id: e.accountId,
                at: iso(e.at),
                state: e.state,
                cause: e.cause,
                clause: e.clause,
                effects: JSON.stringify(e.effects),
                created_at: iso(e.createdAt),
              })),
            )
            .execute();
      },
      async events(instanceId) {
        const rows = await db
          .selectFrom('lifecycle_events')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('at')
          .orderBy('id')
          .execute();
        return rows.map(toEvent);
      },
    },

    jobs: {
      async insert(job) {
        const r = await db
          .insertInto('jobs')
          .values({
            id: job.id,
            kind: job.kind,
            payload: JSON.stringify(job.payload),
            run_at: iso(job.runAt),
            attempts: job.attempts,
            max_attempts: job.maxAttempts,
            status: job.status,
            last_error: job.lastError,
            dedupe_key: job.dedupeKey,
            clock_id: job.clockId,
            created_at: iso(job.createdAt),
            updated_at: iso(job.updatedAt),
          })
          .onConflict((oc) => oc.column('dedupe_key').doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      },
      async get(id) {
        const r = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toJob(r) : null;
      },
      async claimDue(clockId, now, limit) {
        let q = db
          .selectFrom('jobs')
          .selectAll()
          .where('status', '=', 'queued')
          .where(clockIs(clockId))
          .where('run_at', '<=', iso(now))
          .orderBy('run_at')
          .orderBy('id')
          .limit(limit);
        if (pg) q = q.forUpdate().skipLocked();
        return (await q.execute()).map(toJob);
      },
      async finish(id, at) {
        await db
          .updateTable('jobs')
          .set({ status: 'done', updated_at: iso(at) })
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .execute();
      },
      async failed(id, f, at) {
        await db
          .updateTable('jobs')
          .set({
            attempts: f.attempts,
            run_at: iso(f.runAt),
            last_error: f.error.slice(0, 2000),
            status: f.dead ? 'dead' : 'queued',
            updated_at: iso(at),
          })
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .where('attempts', '=', f.attempts - 1)
          .execute();
      },
      async nextRunAt(clockId) {
        const r = await db
          .selectFrom('jobs')
          .select('run_at')
          .where('status', '=', 'queued')
          .where(clockIs(clockId))
          .orderBy('run_at')
          .limit(1)
          .executeTakeFirst();
        return dateOrNull(r?.run_at ?? null);
      },
      async list(q) {
        let query = db
          .selectFrom('jobs')
          .selectAll()
          .orderBy('run_at')
          .orderBy('id')
          .limit(q.limit);
        if (q.status) query = query.where('status', '=', q.status);
        if (q.kind) query = query.where('kind', '=', q.kind);
        return (await query.execute()).map(toJob);
      },
    },

    testClocks: {
      async insert(c) {
        await db
          .insertInto('test_clocks')
          .values({
            id: c.id,
            name: c.name,
            now: iso(c.now),
            created_at: iso(c.createdAt),
            updated_at: iso(c.updatedAt),
          })
          .execute();
      },
      async get(id, opts = {}) {
        let q = db.selectFrom('test_clocks').selectAll().where('id', '=', id);
        if (opts.lock && pg) q = q.forUpdate();
        const r = await q.executeTakeFirst();
        return r
          ? {
              id: r.id,
              name: r.name,
              now: date(r.now),
              createdAt: date(r.created_at),
              updatedAt: date(r.updated_at),
            }
          : null;
      },
      async setNow(id, now, at) {
        await db
          .updateTable('test_clocks')
          .set({ now: iso(now), updated_at: iso(at) })
          .where('id', '=', id)
          .execute();
      },
      async clockOfAccount(accountId) {
        const r = await db
          .selectFrom('accounts')
          .select('clock_id')
          .where('id', '=', accountId)
          .executeTakeFirst();
        return r?.clock_id ?? null;
      },
      async bindAccount(accountId, clockId) {
        await db
          .updateTable('accounts')
          .set({ clock_id: clockId })
          .where('id', '=', accountId)
          .execute();
      },
    },

    receipts: {
      async insert(r) {
        await db
          .insertInto('deletion_receipts')
          .values({
            id: r.id,
            account_id: r.accountId,
            instance_id: r.instanceId,
            instance_slug: r.instanceSlug,
            at: iso(r.at),
            clause: r.clause,
            what: JSON.stringify(r.what),
            created_at: iso(r.createdAt),
          })
          .execute();
      },
      async byAccount(accountId) {
        const rows = await db
          .selectFrom('deletion_receipts')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('at')
          .orderBy('id')
          .execute();
        return rows.map(toReceipt);
      },
      async byInstance(instanceId) {
        const r = await db
          .selectFrom('deletion_receipts')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('at', 'desc')
          .executeTakeFirst();
        return r ? toReceipt(r) : null;
      },
    },

    instanceData: {
      async purge(instanceId) {
        const what: Record<string, number> = {};
        for (const table of INSTANCE_TABLES) {
          // (the SAML/SCIM tables are typed in their own modules, not in Database)
          const r = await db
            .deleteFrom(table as 'users')
            .where('instance_id', '=', instanceId)
            .executeTakeFirst();
          what[table] = Number(r.numDeletedRows);
        }
        const r = await db.deleteFrom('instances').where('id', '=', instanceId).executeTakeFirst();
        what.instances = Number(r.numDeletedRows);
        return what;
      },
    },
  };
}
