// Conditional access repositories (ports in @idaas/core security/access-ports.ts): the
// policies of an instance, its default decision, users' known devices.
import type { Kysely } from 'kysely';
import type {
  AccessConditions,
  AccessDecisionKind,
  AccessPolicy,
  AccessRepos,
  KnownDevice,
} from '@idaas/core';
import type { Database, GroupMembersTable } from './schema.ts';

interface AccessPoliciesTable {
  instance_id: string;
  id: string;
  name: string;
  priority: number;
  enabled: number;
  conditions: string;
  decision: string;
  created_at: string;
  updated_at: string;
}
interface AccessSettingsTable {
  instance_id: string;
  default_decision: string;
  updated_at: string;
}
interface AccessDevicesTable {
  instance_id: string;
  user_id: string;
  device_hash: string;
  first_seen: string;
  last_seen: string;
}
interface AccessDb {
  access_policies: AccessPoliciesTable;
  access_settings: AccessSettingsTable;
  access_devices: AccessDevicesTable;
  group_members: GroupMembersTable;
}

const row = (p: AccessPolicy): AccessPoliciesTable => ({
  instance_id: p.instanceId,
  id: p.id,
  name: p.name,
  priority: p.priority,
  enabled: p.enabled ? 1 : 0,
  conditions: JSON.stringify(p.conditions),
  decision: p.decision,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});

const policy = (r: AccessPoliciesTable): AccessPolicy => ({
  instanceId: r.instance_id,
  id: r.id,
  name: r.name,
  priority: Number(r.priority),
  enabled: Number(r.enabled) === 1,
  conditions: JSON.parse(r.conditions) as AccessConditions,
  decision: r.decision as AccessDecisionKind,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const device = (r: AccessDevicesTable): KnownDevice => ({
  instanceId: r.instance_id,
  userId: r.user_id,
  deviceHash: r.device_hash,
  firstSeen: new Date(r.first_seen),
  lastSeen: new Date(r.last_seen),
});

export function makeAccessRepos(database: Kysely<Database>): AccessRepos {
  const db = database as unknown as Kysely<AccessDb>;
  return {
    accessPolicies: {
      async list(instanceId) {
        const rows = await db
          .selectFrom('access_policies')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('priority')
          .execute();
        return rows.map(policy);
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('access_policies')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? policy(r) : null;
      },
      async insert(p) {
        await db.insertInto('access_policies').values(row(p)).execute();
      },
      async update(p) {
        const { id: _id, instance_id: _i, created_at: _c, ...rest } = row(p);
        await db
          .updateTable('access_policies')
          .set(rest)
          .where('instance_id', '=', p.instanceId)
          .where('id', '=', p.id)
          .execute();
      },
      async delete(instanceId, id) {
        const r = await db
          .deleteFrom('access_policies')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async setPriorities(instanceId, priorities, at) {
        // Two passes, one row per statement: first out of the way (negative, unique), then
        // the final values, so the unique index never sees two rows with one priority.
        const stamp = at.toISOString();
        for (const [i, p] of priorities.entries())
          await db
            .updateTable('access_policies')
            .set({ priority: -1 - i })
            .where('instance_id', '=', instanceId)
            .where('id', '=', p.id)
            .execute();
        for (const p of priorities)
          await db
            .updateTable('access_policies')
            .set({ priority: p.priority, updated_at: stamp })
            .where('instance_id', '=', instanceId)
            .where('id', '=', p.id)
            .execute();
      },
      async getDefault(instanceId) {
        const r = await db
          .selectFrom('access_settings')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return r
          ? {
              decision: r.default_decision as AccessDecisionKind,
              updatedAt: new Date(r.updated_at),
            }
          : null;
      },
      async setDefault(instanceId, decision, at) {
        await db
          .insertInto('access_settings')
          .values({
            instance_id: instanceId,
            default_decision: decision,
            updated_at: at.toISOString(),
          })
          .onConflict((oc) =>
            oc
              .column('instance_id')
              .doUpdateSet({ default_decision: decision, updated_at: at.toISOString() }),
          )
          .execute();
      },
      async groupIdsOf(instanceId, userId) {
        const rows = await db
          .selectFrom('group_members')
          .select('group_id')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .orderBy('group_id')
          .execute();
        return rows.map((r) => r.group_id);
      },
    },
    knownDevices: {
      async has(instanceId, userId, deviceHash) {
        const r = await db
          .selectFrom('access_devices')
          .select('device_hash')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .where('device_hash', '=', deviceHash)
          .executeTakeFirst();
        return r !== undefined;
      },
      async remember(instanceId, userId, deviceHash, at, cap) {
        const stamp = at.toISOString();
        await db
          .insertInto('access_devices')
          .values({
            instance_id: instanceId,
            user_id: userId,
            device_hash: deviceHash,
            first_seen: stamp,
            last_seen: stamp,
          })
          .onConflict((oc) =>
            oc.columns(['instance_id', 'user_id', 'device_hash']).doUpdateSet({ last_seen: stamp }),
          )
          .execute();
        const stale = await db
          .selectFrom('access_devices')
          .select('device_hash')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .orderBy('last_seen', 'desc')
          .orderBy('device_hash')
          .limit(1_000_000)
          .offset(cap)
          .execute();
        if (stale.length)
          await db
            .deleteFrom('access_devices')
            .where('instance_id', '=', instanceId)
            .where('user_id', '=', userId)
            .where(
              'device_hash',
              'in',
              stale.map((s) => s.device_hash),
            )
            .execute();
      },
      async list(instanceId, userId) {
        const rows = await db
          .selectFrom('access_devices')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .orderBy('last_seen', 'desc')
          .orderBy('device_hash')
          .execute();
        return rows.map(device);
      },
      async forget(instanceId, userId) {
        const r = await db
          .deleteFrom('access_devices')
          .where('instance_id', '=', instanceId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },
  };
}
