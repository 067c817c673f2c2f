// Branding, user imports and a user's OIDC sessions (ports in @idaas/core portal-ports.ts).
import { sql, type Kysely } from 'kysely';
import type {
  Branding,
  ImportRowError,
  OidcModelRecord,
  PortalRepos,
  UserImport,
  UserImportStatus,
} from '@idaas/core';
import type { Database, OidcModelsTable } from './schema.ts';

interface BrandingTable {
  instance_id: string;
  primary_color: string;
  background_color: string;
  logo: string | null;
  updated_at: string;
}
interface UserImportsTable {
  instance_id: string;
  id: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  errors: string;
  rows_sealed: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}
interface PortalDb {
  branding: BrandingTable;
  user_imports: UserImportsTable;
  oidc_models: OidcModelsTable;
}

const toImport = (r: UserImportsTable): UserImport => ({
  instanceId: r.instance_id,
  id: r.id,
  status: r.status as UserImportStatus,
  total: Number(r.total),
  done: Number(r.done),
  failed: Number(r.failed),
  errors: JSON.parse(r.errors) as ImportRowError[],
  rowsSealed: r.rows_sealed,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export function makePortalRepos(database: Kysely<Database>): PortalRepos {
  const db = database as unknown as Kysely<PortalDb>;
  return {
    branding: {
      async get(instanceId) {
        const r = await db
          .selectFrom('branding')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        if (!r) return null;
        const b: Branding = {
          instanceId: r.instance_id,
          primaryColor: r.primary_color,
          backgroundColor: r.background_color,
          logo: r.logo,
          updatedAt: new Date(r.updated_at),
        };
        return b;
      },
      async put(b) {
        const row = {
          instance_id: b.instanceId,
          primary_color: b.primaryColor,
          background_color: b.backgroundColor,
          logo: b.logo,
          updated_at: b.updatedAt.toISOString(),
        };
        await db
          .insertInto('branding')
          .values(row)
          .onConflict((oc) =>
            oc.column('instance_id').doUpdateSet({
              primary_color: row.primary_color,
              background_color: row.background_color,
              logo: row.logo,
              updated_at: row.updated_at,
            }),
          )
          .execute();
      },
      async delete(instanceId) {
        const r = await db
          .deleteFrom('branding')
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },
    userImports: {
      async insert(r) {
        await db
          .insertInto('user_imports')
          .values({
            instance_id: r.instanceId,
            id: r.id,
            status: r.status,
            total: r.total,
            done: r.done,
            failed: r.failed,
            errors: JSON.stringify(r.errors),
            rows_sealed: r.rowsSealed,
            created_by: r.createdBy,
            created_at: r.createdAt.toISOString(),
            updated_at: r.updatedAt.toISOString(),
          })
          .execute();
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('user_imports')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toImport(r) : null;
      },
      async list(instanceId, limit) {
        const rows = await db
          .selectFrom('user_imports')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('id', 'desc')
          .limit(limit)
          .execute();
        return rows.map(toImport);
      },
      async update(instanceId, id, p) {
        await db
          .updateTable('user_imports')
          .set({
            status: p.status,
            done: p.done,
            failed: p.failed,
            errors: JSON.stringify(p.errors),
            rows_sealed: p.rowsSealed,
            updated_at: p.updatedAt.toISOString(),
          })
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
    },
    userSessions: {
      async listOfUser(instanceId, userId, model) {
        // user ids are UUIDs (no LIKE wildcards); the payload is oidc-provider's JSON, so the
        // prefilter is confirmed on the parsed payload
        const rows = await db
          .selectFrom('oidc_models')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('model', '=', model)
          .where(sql<boolean>`payload like ${`%"accountId":${JSON.stringify(userId)}%`}`)
          .limit(500)
          .execute();
        const out: OidcModelRecord[] = [];
        for (const r of rows) {
          const payload = JSON.parse(r.payload) as Record<string, unknown>;
          if (payload.accountId !== userId) continue;
          out.push({
            instanceId: r.instance_id,
            model: r.model,
            id: r.id,
            payload,
            grantId: r.grant_id,
            uid: r.uid,
            userCode: r.user_code,
            expiresAt: r.expires_at ? new Date(r.expires_at) : null,
            consumedAt: r.consumed_at ? new Date(r.consumed_at) : null,
          });
        }
        return out;
      },
    },
  };
}
