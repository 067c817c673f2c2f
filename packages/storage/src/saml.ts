// SAML repositories (ports in @idaas/core saml-ports.ts): applications, the IdP key, seen request ids.
import type { Kysely } from 'kysely';
import type { SamlApp, SamlIdpKey, SamlRepos } from '@idaas/core';
import type { Database } from './schema.ts';

interface SamlAppsTable {
  id: string;
  instance_id: string;
  name: string;
  entity_id: string;
  acs: string;
  slo_url: string | null;
  slo_binding: string | null;
  name_id_format: string;
  attributes: string;
  sign_response: number;
  sign_assertion: number;
  want_signed_requests: number;
  sp_signing_cert: string | null;
  sp_encryption_cert: string | null;
  encrypt_assertion: number;
  created_at: string;
  updated_at: string;
}
interface SamlKeysTable {
  instance_id: string;
  private_key_encrypted: string;
  certificate: string;
  created_at: string;
}
interface SamlRequestIdsTable {
  instance_id: string;
  request_id: string;
  expires_at: string;
}
interface SamlDb {
  saml_apps: SamlAppsTable;
  saml_keys: SamlKeysTable;
  saml_request_ids: SamlRequestIdsTable;
}

const row = (a: SamlApp): SamlAppsTable => ({
  id: a.id,
  instance_id: a.instanceId,
  name: a.name,
  entity_id: a.entityId,
  acs: JSON.stringify(a.acs),
  slo_url: a.sloUrl,
  slo_binding: a.sloBinding,
  name_id_format: a.nameIdFormat,
  attributes: JSON.stringify(a.attributes),
  sign_response: a.signResponse ? 1 : 0,
  sign_assertion: a.signAssertion ? 1 : 0,
  want_signed_requests: a.wantSignedRequests ? 1 : 0,
  sp_signing_cert: a.spSigningCert,
  sp_encryption_cert: a.spEncryptionCert,
  encrypt_assertion: a.encryptAssertion ? 1 : 0,
  created_at: a.createdAt.toISOString(),
  updated_at: a.updatedAt.toISOString(),
});

const app = (r: SamlAppsTable): SamlApp => ({
  instanceId: r.instance_id,
  id: r.id,
  name: r.name,
  entityId: r.entity_id,
  acs: JSON.parse(r.acs) as SamlApp['acs'],
  sloUrl: r.slo_url,
  sloBinding: r.slo_binding as SamlApp['sloBinding'],
  nameIdFormat: r.name_id_format as SamlApp['nameIdFormat'],
  attributes: JSON.parse(r.attributes) as SamlApp['attributes'],
  signResponse: Number(r.sign_response) === 1,
  signAssertion: Number(r.sign_assertion) === 1,
  wantSignedRequests: Number(r.want_signed_requests) === 1,
  spSigningCert: r.sp_signing_cert,
  spEncryptionCert: r.sp_encryption_cert,
  encryptAssertion: Number(r.encrypt_assertion) === 1,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const key = (r: SamlKeysTable): SamlIdpKey => ({
  instanceId: r.instance_id,
  privateKeyEncrypted: r.private_key_encrypted,
  certificate: r.certificate,
  createdAt: new Date(r.created_at),
});

export function makeSamlRepos(database: Kysely<Database>): SamlRepos {
  const db = database as unknown as Kysely<SamlDb>;
  return {
    samlApps: {
      async insert(a) {
        await db.insertInto('saml_apps').values(row(a)).execute();
      },
      async update(a) {
        const { id: _id, instance_id: _i, created_at: _c, ...rest } = row(a);
        await db
          .updateTable('saml_apps')
          .set(rest)
          .where('instance_id', '=', a.instanceId)
          .where('id', '=', a.id)
          .execute();
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('saml_apps')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? app(r) : null;
      },
      async getByEntityId(instanceId, entityId) {
        const r = await db
          .selectFrom('saml_apps')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('entity_id', '=', entityId)
          .executeTakeFirst();
        return r ? app(r) : null;
      },
      async list(instanceId) {
        const rows = await db
          .selectFrom('saml_apps')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(app);
      },
      async delete(instanceId, id) {
        const r = await db
          .deleteFrom('saml_apps')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },
    samlKeys: {
      async get(instanceId) {
        const r = await db
          .selectFrom('saml_keys')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        return r ? key(r) : null;
      },
      async ensure(k) {
        await db
          .insertInto('saml_keys')
          .values({
            instance_id: k.instanceId,
            private_key_encrypted: k.privateKeyEncrypted,
            certificate: k.certificate,
            created_at: k.createdAt.toISOString(),
          })
          .onConflict((oc) => oc.column('instance_id').doNothing())
          .execute();
        const r = await db
          .selectFrom('saml_keys')
          .selectAll()
          .where('instance_id', '=', k.instanceId)
          .executeTakeFirstOrThrow();
        return key(r);
      },
    },
    samlRequestIds: {
      async remember(instanceId, requestId, expiresAt, now) {
        await db
          .deleteFrom('saml_request_ids')
          .where('expires_at', '<', now.toISOString())
          .execute();
        const r = await db
          .insertInto('saml_request_ids')
          .values({
            instance_id: instanceId,
            request_id: requestId,
            expires_at: expiresAt.toISOString(),
          })
          .onConflict((oc) => oc.columns(['instance_id', 'request_id']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      },
    },
  };
}
