// SAML applications (service providers) of an instance: validation, SP metadata import.
import { z } from 'zod';
import * as samlify from 'samlify';
import { AppError, newId, type Instance, type SamlApp } from '@idaas/core';
import type { ServerContext } from '../context.ts';

export const MAX_METADATA = 256 * 1024;

const BINDINGS = {
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST': 'post',
  'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect': 'redirect',
} as const;

const cert = z
  .string()
  .max(16384)
  .transform((s) => s.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''))
  .refine((s) => /^[A-Za-z0-9+/=]+$/.test(s), 'base64 DER or PEM certificate');

const httpUrl = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      return /^https?:$/.test(new URL(u).protocol);
    } catch {
      return false;
    }
  }, 'an http(s) URL');

export const SamlAppFields = z.object({
  name: z.string().min(1).max(200),
  entityId: z.string().min(1).max(1024),
  acs: z
    .array(
      z.object({
        index: z.number().int().min(0).max(65535),
        binding: z.enum(['post', 'redirect']).default('post'),
        location: httpUrl,
        isDefault: z.boolean().default(false),
      }),
    )
    .min(1)
    .max(32),
  sloUrl: httpUrl.nullable().default(null),
  sloBinding: z.enum(['post', 'redirect']).nullable().default(null),
  nameIdFormat: z.enum(['persistent', 'transient', 'email', 'unspecified']).default('persistent'),
  attributes: z
    .array(
      z.object({
        name: z.string().min(1).max(256),
        source: z.enum(['id', 'username', 'email', 'displayName', 'phone', 'groups']),
        nameFormat: z.enum(['uri', 'basic', 'unspecified']).optional(),
      }),
    )
    .max(64)
    .default([]),
  signResponse: z.boolean().default(true),
  signAssertion: z.boolean().default(true),
  wantSignedRequests: z.boolean().default(false),
  spSigningCert: cert.nullable().default(null),
  spEncryptionCert: cert.nullable().default(null),
  encryptAssertion: z.boolean().default(false),
});
export type SamlAppInput = z.output<typeof SamlAppFields>;

function check(input: SamlAppInput): void {
  const issues: { field: string; message: string }[] = [];
  if (input.wantSignedRequests && !input.spSigningCert)
    issues.push({ field: 'spSigningCert', message: 'required when wantSignedRequests' });
  if (input.encryptAssertion && !input.spEncryptionCert)
    issues.push({ field: 'spEncryptionCert', message: 'required when encryptAssertion' });
  if (new Set(input.acs.map((a) => a.index)).size !== input.acs.length)
    issues.push({ field: 'acs', message: 'indexes must be unique' });
  if (input.sloUrl && !input.sloBinding)
    issues.push({ field: 'sloBinding', message: 'required with sloUrl' });
  if (issues.length)
    throw new AppError(
      'validation_failed',
      issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      {
        issues,
      },
    );
}

/** Refuses DTDs outright: no XXE, no entity expansion. */
export function assertNoDtd(xml: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new AppError('validation_failed', 'XML with a document type declaration is refused');
}

/** SAML application fields from SP metadata XML (overridable by explicit fields). */
export function fromSpMetadata(xml: string): Partial<SamlAppInput> {
  if (xml.length > MAX_METADATA) throw new AppError('validation_failed', 'metadata too large');
  assertNoDtd(xml);
  let meta: ReturnType<typeof samlify.SPMetadata>;
  try {
    meta = samlify.SPMetadata(xml);
  } catch (err) {
    throw new AppError('validation_failed', `metadata: ${(err as Error).message}`);
  }
  const entityId = meta.getEntityID();
  if (!entityId) throw new AppError('validation_failed', 'metadata: no entityID');
  const raw = samlify.Extractor.extract(xml, [
    {
      key: 'acs',
      localPath: ['EntityDescriptor', 'SPSSODescriptor', 'AssertionConsumerService'],
      attributes: ['Binding', 'Location', 'index', 'isDefault'],
    },
    {
      key: 'slo',
      localPath: ['EntityDescriptor', 'SPSSODescriptor', 'SingleLogoutService'],
      attributes: ['Binding', 'Location'],
    },
  ]) as {
    acs?: Record<string, string> | Record<string, string>[];
    slo?: Record<string, string> | Record<string, string>[];
  };
  const list = (v: unknown) =>
    (Array.isArray(v) ? v : v ? [v] : []) as {
      binding?: string;
      location?: string;
      index?: string;
      isDefault?: string;
    }[];
  const acs = list(raw.acs)
    .filter((a) => a.binding && a.binding in BINDINGS && a.location)
    .map((a, i) => ({
      index: a.index !== undefined ? Number(a.index) : i,
      binding: BINDINGS[a.binding as keyof typeof BINDINGS],
      location: a.location!,
      isDefault: a.isDefault === 'true',
    }));
  const slo = list(raw.slo).find((s) => s.binding && s.binding in BINDINGS && s.location);
  const signing = meta.getX509Certificate('signing') as string | string[] | null;
  const encryption = meta.getX509Certificate('encryption') as string | string[] | null;
  const first = (c: string | string[] | null) => (Array.isArray(c) ? (c[0] ?? null) : c || null);
  return {
    entityId,
    acs,
    ...(slo
      ? { sloUrl: slo.location!, sloBinding: BINDINGS[slo.binding as keyof typeof BINDINGS] }
      : {}),
    wantSignedRequests: meta.isAuthnRequestSigned(),
    signAssertion: meta.isWantAssertionsSigned() || true,
    ...(first(signing) ? { spSigningCert: first(signing)!.replace(/\s+/g, '') } : {}),
    ...(first(encryption)
      ? { spEncryptionCert: first(encryption)!.replace(/\s+/g, ''), encryptAssertion: true }
      : {}),
  };
}

export const SamlAppCreate = z.object({
  ...SamlAppFields.partial().shape,
  name: z.string().min(1).max(200),
  /** SP metadata XML (its values are the defaults of the other fields). */
  metadataXml: z.string().max(MAX_METADATA).optional(),
});

export async function createSamlApp(
  sctx: ServerContext,
  instance: Instance,
  body: z.output<typeof SamlAppCreate>,
): Promise<SamlApp> {
  const { metadataXml, ...explicit } = body;
  const fromMeta = metadataXml ? fromSpMetadata(metadataXml) : {};
  const defined = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  const parsed = SamlAppFields.safeParse({ ...fromMeta, ...defined });
  if (!parsed.success)
    throw new AppError(
      'validation_failed',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      {
        issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      },
    );
  check(parsed.data);
  if (await sctx.store.repos.samlApps.getByEntityId(instance.id, parsed.data.entityId))
    throw new AppError('conflict', 'entityId: already exists', {
      issues: [{ field: 'entityId', message: 'already exists' }],
    });
  const at = sctx.clock.now();
  const app: SamlApp = {
    ...parsed.data,
    instanceId: instance.id,
    id: newId(sctx.clock),
    createdAt: at,
    updatedAt: at,
  };
  await sctx.store.repos.samlApps.insert(app);
  return app;
}

export async function updateSamlApp(
  sctx: ServerContext,
  current: SamlApp,
  patch: Partial<SamlAppInput>,
): Promise<SamlApp> {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const merged = SamlAppFields.parse({ ...current, ...defined });
  check(merged);
  if (merged.entityId !== current.entityId) {
    const other = await sctx.store.repos.samlApps.getByEntityId(
      current.instanceId,
      merged.entityId,
    );
    if (other) throw new AppError('conflict', 'entityId: already exists');
  }
  const app: SamlApp = { ...current, ...merged, updatedAt: sctx.clock.now() };
  await sctx.store.repos.samlApps.update(app);
  return app;
}
