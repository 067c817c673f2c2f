// Admin API: SAML applications (service providers) of an instance, and the IdP metadata URL.
import { z } from 'zod';
import { AppError, type SamlApp } from '@idaas/core';
import { route, type AnyRoute } from './route.ts';
import { createSamlApp, fromSpMetadata, MAX_METADATA, updateSamlApp } from '../saml/apps.ts';
import { fetchSpMetadata } from '../saml/metadata-fetch.ts';
import { samlBase } from '../saml/index.ts';

const I = '/instances/{slug}';
const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });

const Acs = z.object({
  index: z.number().int().min(0).max(65535),
  binding: z.enum(['post', 'redirect']).default('post'),
  location: z.string().max(2048),
  is_default: z.boolean().default(false),
});
const Attribute = z.object({
  name: z.string().min(1).max(256),
  source: z.enum(['id', 'username', 'email', 'displayName', 'phone', 'groups']),
  name_format: z.enum(['uri', 'basic', 'unspecified']).optional(),
});
const fields = {
  name: z.string().min(1).max(200),
  entity_id: z.string().min(1).max(1024),
  acs: z.array(Acs).min(1).max(32),
  slo_url: z.string().max(2048).nullable(),
  slo_binding: z.enum(['post', 'redirect']).nullable(),
  name_id_format: z.enum(['persistent', 'transient', 'email', 'unspecified']),
  attributes: z.array(Attribute).max(64),
  sign_response: z.boolean(),
  sign_assertion: z.boolean(),
  want_signed_requests: z.boolean(),
  sp_signing_cert: z.string().max(16384).nullable(),
  sp_encryption_cert: z.string().max(16384).nullable(),
  encrypt_assertion: z.boolean(),
};

const SamlAppOut = z
  .object({
    id: z.string(),
    ...fields,
    idp_metadata_url: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'SamlApplication', description: 'A SAML service provider of an instance' });
const SamlAppList = z.object({ items: z.array(SamlAppOut) }).meta({ id: 'SamlApplicationList' });
const SamlAppCreateIn = z
  .object({
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])),
    name: fields.name,
    metadata_xml: z
      .string()
      .max(MAX_METADATA)
      .optional()
      .meta({ description: 'SP metadata XML; its values are defaults for the other fields' }),
    metadata_url: z.string().max(2048).optional().meta({
      description:
        'URL of the SP metadata (http/https; fetched at once: 5 s, 256 KiB, same-host redirects only, no private addresses in production); instead of metadata_xml',
    }),
  })
  .meta({ id: 'SamlApplicationCreate' });
const MetadataImport = z
  .object({
    metadata_url: z.string().min(1).max(2048).optional(),
    metadata_xml: z.string().min(1).max(MAX_METADATA).optional(),
  })
  .meta({
    id: 'SamlMetadataImport',
    description:
      'SP metadata to import again (exactly one of metadata_url, metadata_xml): entity id, ACS list, SLO endpoint, request signing and certificates are replaced',
  });

const fieldError = (field: string, message: string) =>
  new AppError('validation_failed', `${field}: ${message}`, { issues: [{ field, message }] });

/** The metadata document of a request: inline, or fetched from its URL. */
async function metadataOf(
  allowPrivate: boolean,
  xml: string | undefined,
  url: string | undefined,
): Promise<string | undefined> {
  if (xml !== undefined && url !== undefined)
    throw fieldError('metadata_url', 'give either metadata_url or metadata_xml, not both');
  if (url === undefined) return xml;
  try {
    return await fetchSpMetadata(url, allowPrivate);
  } catch (err) {
    if (err instanceof AppError)
      throw fieldError('metadata_url', err.message.replace(/^metadataUrl: /, ''));
    throw err;
  }
}
const SamlAppPatch = z
  .object(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])))
  .meta({ id: 'SamlApplicationPatch' });

type Wire = Record<string, unknown>;

function toCore(w: Wire): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  for (const [k, v] of Object.entries(w)) {
    if (v === undefined) continue;
    if (k === 'acs')
      out.acs = (v as Wire[]).map((a) => ({
        index: a.index,
        binding: a.binding,
        location: a.location,
        isDefault: a.is_default,
      }));
    else if (k === 'attributes')
      out.attributes = (v as Wire[]).map((a) => ({
        name: a.name,
        source: a.source,
        ...(a.name_format ? { nameFormat: a.name_format } : {}),
      }));
    else out[camel(k)] = v;
  }
  return out;
}

function wire(app: SamlApp, publicUrl: string, slug: string): z.input<typeof SamlAppOut> {
  return {
    id: app.id,
    name: app.name,
    entity_id: app.entityId,
    acs: app.acs.map((a) => ({
      index: a.index,
      binding: a.binding,
      location: a.location,
      is_default: a.isDefault,
    })),
    slo_url: app.sloUrl,
    slo_binding: app.sloBinding,
    name_id_format: app.nameIdFormat,
    attributes: app.attributes.map((a) => ({
      name: a.name,
      source: a.source,
      ...(a.nameFormat ? { name_format: a.nameFormat } : {}),
    })),
    sign_response: app.signResponse,
    sign_assertion: app.signAssertion,
    want_signed_requests: app.wantSignedRequests,
    sp_signing_cert: app.spSigningCert,
    sp_encryption_cert: app.spEncryptionCert,
    encrypt_assertion: app.encryptAssertion,
    idp_metadata_url: `${samlBase(publicUrl, slug)}/metadata`,
    created_at: app.createdAt.toISOString(),
    updated_at: app.updatedAt.toISOString(),
  };
}

export const samlRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: `${I}/saml-apps`,
    operationId: 'listSamlApps',
    permission: 'apps:read',
    summary: 'List SAML applications (service providers)',
    tag: 'saml',
    response: SamlAppList,
    handler: async ({ sctx, instance }) => {
      const inst = await instance();
      const apps = await sctx.store.repos.samlApps.list(inst.id);
      return { items: apps.map((a) => wire(a, sctx.config.publicUrl, inst.slug)) };
    },
  }),
  route({
    method: 'post',
    path: `${I}/saml-apps`,
    operationId: 'createSamlApp',
    permission: 'apps:write',
    summary: 'Create a SAML application (fields and/or SP metadata XML)',
    tag: 'saml',
    body: SamlAppCreateIn,
    status: 201,
    response: SamlAppOut,
    errors: [409],
    handler: async ({ sctx, instance, body }) => {
      const inst = await instance();
      const { metadata_xml, metadata_url, ...rest } = body as Wire & {
        metadata_xml?: string;
        metadata_url?: string;
      };
      const xml = await metadataOf(!sctx.config.production, metadata_xml, metadata_url);
      const input = { ...toCore(rest), ...(xml ? { metadataXml: xml } : {}) };
      const app = await createSamlApp(sctx, inst, input as never);
      return wire(app, sctx.config.publicUrl, inst.slug);
    },
  }),
  route({
    method: 'get',
    path: `${I}/saml-apps/{id}`,
    operationId: 'getSamlApp',
    permission: 'apps:read',
    summary: 'Get a SAML application',
    tag: 'saml',
    response: SamlAppOut,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      const app = await sctx.store.repos.samlApps.get(inst.id, param('id'));
      if (!app) throw new AppError('not_found', 'SAML application not found');
      return wire(app, sctx.config.publicUrl, inst.slug);
    },
  }),
  route({
    method: 'patch',
    path: `${I}/saml-apps/{id}`,
    operationId: 'updateSamlApp',
    permission: 'apps:write',
    summary: 'Update a SAML application',
    tag: 'saml',
    body: SamlAppPatch,
    response: SamlAppOut,
    errors: [409],
    handler: async ({ sctx, instance, param, body }) => {
      const inst = await instance();
      const app = await sctx.store.repos.samlApps.get(inst.id, param('id'));
      if (!app) throw new AppError('not_found', 'SAML application not found');
      const updated = await updateSamlApp(sctx, app, toCore(body as Wire) as never);
      return wire(updated, sctx.config.publicUrl, inst.slug);
    },
  }),
  route({
    method: 'post',
    path: `${I}/saml-apps/{id}/metadata`,
    operationId: 'importSamlAppMetadata',
    permission: 'apps:write',
    summary: 'Import SP metadata again, from a URL or XML (entity id, ACS, SLO, certificates)',
    tag: 'saml',
    body: MetadataImport,
    response: SamlAppOut,
    errors: [409],
    handler: async ({ sctx, instance, param, body }) => {
      const inst = await instance();
      const app = await sctx.store.repos.samlApps.get(inst.id, param('id'));
      if (!app) throw new AppError('not_found', 'SAML application not found');
      const b = body as { metadata_url?: string; metadata_xml?: string };
      const xml = await metadataOf(!sctx.config.production, b.metadata_xml, b.metadata_url);
      if (xml === undefined) throw fieldError('metadata_url', 'give metadata_url or metadata_xml');
      const fromMeta = fromSpMetadata(xml);
      const updated = await updateSamlApp(sctx, app, {
        sloUrl: null,
        sloBinding: null,
        spSigningCert: null,
        spEncryptionCert: null,
        encryptAssertion: false,
        ...fromMeta,
      });
      return wire(updated, sctx.config.publicUrl, inst.slug);
    },
  }),
  route({
    method: 'delete',
    path: `${I}/saml-apps/{id}`,
    operationId: 'deleteSamlApp',
    permission: 'apps:write',
    summary: 'Delete a SAML application',
    tag: 'saml',
    status: 204,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      if (!(await sctx.store.repos.samlApps.delete(inst.id, param('id'))))
        throw new AppError('not_found', 'SAML application not found');
    },
  }),
];
