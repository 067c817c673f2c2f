// The SCIM repository (see @idaas/core scim-ports.ts), on both dialects.
import { sql, type Kysely } from 'kysely';
import type { ResyncRecord, ScimKind, ScimRecord, ScimRepos } from '@idaas/core';

interface ScimTables {
  scim_resources: {
    instance_id: string;
    kind: string;
    resource_id: string;
    external_id_lookup: string | null;
    version: number;
    data: string;
    updated_at: string;
  };
  provisioning_resyncs: {
    instance_id: string;
    id: string;
    application_id: string;
    total: number;
    done: number;
    failed: number;
    started_at: string;
    updated_at: string;
  };
  groups: { instance_id: string; id: string; name: string };
  group_members: { instance_id: string; group_id: string; user_id: string };
}

const toRecord = (r: ScimTables['scim_resources']): ScimRecord => ({
  instanceId: r.instance_id,
  kind: r.kind as ScimKind,
  resourceId: r.resource_id,
  externalIdLookup: r.external_id_lookup,
  version: Number(r.version),
  data: r.data,
  updatedAt: new Date(r.updated_at),
});

const toResync = (r: ScimTables['provisioning_resyncs']): ResyncRecord => ({
  instanceId: r.instance_id,
  id: r.id,
  applicationId: r.application_id,
  total: Number(r.total),
  done: Number(r.done),
  failed: Number(r.failed),
  startedAt: new Date(r.started_at),
  updatedAt: new Date(r.updated_at),
});

export function makeScimRepos(anyDb: Kysely<never>): ScimRepos {
  const db = anyDb as unknown as Kysely<ScimTables>;
  return {
    scim: {
      async get(instanceId, kind, resourceId) {
        const r = await db
          .selectFrom('scim_resources')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('kind', '=', kind)
          .where('resource_id', '=', resourceId)
          .executeTakeFirst();
        return r ? toRecord(r) : null;
      },
      async getMany(instanceId, kind, ids) {
        const out: ScimRecord[] = [];
        for (let i = 0; i < ids.length; i += 500) {
          const chunk = ids.slice(i, i + 500);
          if (!chunk.length) break;
          const rows = await db
            .selectFrom('scim_resources')
            .selectAll()
            .where('instance_id', '=', instanceId)
            .where('kind', '=', kind)
            .where('resource_id', 'in', chunk)
            .execute();
          for (const r of rows) out.push(toRecord(r));
        }
        return out;
      },
      async findByExternalId(instanceId, kind, lookup) {
        const rows = await db
          .selectFrom('scim_resources')
          .select('resource_id')
          .where('instance_id', '=', instanceId)
          .where('kind', '=', kind)
          .where('external_id_lookup', '=', lookup)
          .execute();
        return rows.map((r) => r.resource_id);
      },
      async put(r) {
        const row = {
          instance_id: r.instanceId,
          kind: r.kind,
          resource_id: r.resourceId,
          external_id_lookup: r.externalIdLookup,
          version: r.version,
          data: r.data,
          updated_at: r.updatedAt.toISOString(),
        };
        await db
          .insertInto('scim_resources')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['instance_id', 'kind', 'resource_id']).doUpdateSet({
              external_id_lookup: row.external_id_lookup,
              version: row.version,
              data: row.data,
              updated_at: row.updated_at,
            }),
          )
          .execute();
      },
      async delete(instanceId, kind, resourceId) {
        await db
          .deleteFrom('scim_resources')
          .where('instance_id', '=', instanceId)
          .where('kind', '=', kind)
          .where('resource_id', '=', resourceId)
          .execute();
      },
      async listIds(instanceId, kind) {
        const rows = await db
          .selectFrom('scim_resources')
          .select('resource_id')
          .where('instance_id', '=', instanceId)
          .where('kind', '=', kind)
          .orderBy('resource_id')
          .execute();
        return rows.map((r) => r.resource_id);
      },
      async groupsOfUser(instanceId, userId) {
        return db
          .selectFrom('group_members')
          .innerJoin('groups', (j) =>
            j
              .onRef('groups.instance_id', '=', 'group_members.instance_id')
              .onRef('groups.id', '=', 'group_members.group_id'),
          )
          .select(['groups.id as id', 'groups.name as name'])
          .where('group_members.instance_id', '=', instanceId)
          .where('group_members.user_id', '=', userId)
          .orderBy('groups.id')
          .execute();
      },
      async memberIds(instanceId, groupId) {
        const rows = await db
          .selectFrom('group_members')
          .select('user_id')
          .where('instance_id', '=', instanceId)
          .where('group_id', '=', groupId)
          .orderBy('user_id')
          .execute();
        return rows.map((r) => r.user_id);
      },
      async resyncInsert(r) {
        await db
          .insertInto('provisioning_resyncs')
          .values({
            instance_id: r.instanceId,
            id: r.id,
            application_id: r.applicationId,
            total: r.total,
            done: r.done,
            failed: r.failed,
            started_at: r.startedAt.toISOString(),
            updated_at: r.updatedAt.toISOString(),
          })
          .execute();
      },
      async resyncGet(instanceId, id) {
        const r = await db
          .selectFrom('provisioning_resyncs')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toResync(r) : null;
      },
      async resyncList(instanceId, applicationId) {
        let q = db
          .selectFrom('provisioning_resyncs')
          .selectAll()
          .where('instance_id', '=', instanceId);
        if (applicationId) q = q.where('application_id', '=', applicationId);
        return (
          await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(100).execute()
        ).map(toResync);
      },
      async resyncCount(instanceId, id, what, at) {
        await db
          .updateTable('provisioning_resyncs')
          .set(
            what === 'done'
              ? { done: sql`done + 1`, updated_at: at.toISOString() }
              : { failed: sql`failed + 1`, updated_at: at.toISOString() },
          )
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
    },
  };
}
