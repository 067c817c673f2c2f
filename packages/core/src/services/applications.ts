// OIDC/OAuth 2 applications (clients) of an instance. A confidential client's secret
// is generated here, returned once, and stored only encrypted under the instance
// data key (oidc-provider needs the secret itself to check client_secret_basic/_jwt).
import { z } from 'zod';
import type { Application, GrantType, Instance, ListQuery, Page } from '../domain.ts';
import { AppError, notFound } from '../errors.ts';
import { newId, randomToken } from '../ids.ts';
import {
  grantTypeSchema,
  normaliseGrantType,
  parseInput,
  redirectUriSchema,
} from '../validation.ts';
import type { CoreDeps, DataKeys } from './context.ts';

const grantTypes = z
  .array(z.preprocess((v) => (typeof v === 'string' ? normaliseGrantType(v) : v), grantTypeSchema))
  .min(1);

const appFields = {
  name: z.string().min(1).max(200),
  redirectUris: z.array(redirectUriSchema).max(50),
  postLogoutRedirectUris: z.array(redirectUriSchema).max(50),
  grantTypes,
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token'))
    .max(100),
  backchannelLogoutUri: redirectUriSchema.nullable(),
  accessTokenFormat: z.enum(['opaque', 'jwt']),
  firstParty: z.boolean(),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
};

export const createApplicationInput = z
  .strictObject({
    ...appFields,
    redirectUris: appFields.redirectUris.optional(),
    postLogoutRedirectUris: appFields.postLogoutRedirectUris.optional(),
    scopes: appFields.scopes.optional(),
    backchannelLogoutUri: appFields.backchannelLogoutUri.optional(),
    accessTokenFormat: appFields.accessTokenFormat.optional(),
    firstParty: appFields.firstParty.optional(),
    tokenEndpointAuthMethod: appFields.tokenEndpointAuthMethod.optional(),
    /** idaas's own clients (the SAML bridge): first-party and never listed. */
    internal: z.boolean().optional(),
    public: z.boolean().optional(),
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{3,128}$/, 'must be 3-128 URL-safe characters')
      .optional(),
  })
  .superRefine((v, ctx) => checkConsistency(v, v.public ?? false, ctx));

export const updateApplicationInput = z.strictObject({
  name: appFields.name.optional(),
  redirectUris: appFields.redirectUris.optional(),
  postLogoutRedirectUris: appFields.postLogoutRedirectUris.optional(),
  grantTypes: appFields.grantTypes.optional(),
  scopes: appFields.scopes.optional(),
  backchannelLogoutUri: appFields.backchannelLogoutUri.optional(),
  accessTokenFormat: appFields.accessTokenFormat.optional(),
  firstParty: appFields.firstParty.optional(),
  tokenEndpointAuthMethod: appFields.tokenEndpointAuthMethod.optional(),
});

function checkConsistency(
  v: {
    grantTypes?: string[] | undefined;
    redirectUris?: string[] | undefined;
    tokenEndpointAuthMethod?: string | undefined;
  },
  isPublic: boolean,
  ctx: z.RefinementCtx,
): void {
  if (
    v.tokenEndpointAuthMethod !== undefined &&
    (v.tokenEndpointAuthMethod === 'none') !== isPublic
  )
    ctx.addIssue({
      code: 'custom',
      path: ['tokenEndpointAuthMethod'],
      message: isPublic
        ? 'a public client authenticates with none'
        : 'a confidential client authenticates with client_secret_basic or client_secret_post',
    });
  const g = v.grantTypes ?? [];
  if (g.includes('authorization_code') && !v.redirectUris?.length)
    ctx.addIssue({
      code: 'custom',
      path: ['redirectUris'],
      message: 'authorization_code needs at least one redirect URI',
    });
  if (isPublic && g.includes('client_credentials'))
    ctx.addIssue({
      code: 'custom',
      path: ['grantTypes'],
      message: 'a public client cannot use client_credentials',
    });
  if (
    g.includes('refresh_token') &&
    !g.includes('authorization_code') &&
    !g.includes('urn:ietf:params:oauth:grant-type:device_code')
  )
    ctx.addIssue({
      code: 'custom',
      path: ['grantTypes'],
      message: 'refresh_token needs authorization_code or device_code',
    });
}

export class ApplicationService {
  readonly #deps: CoreDeps;
  readonly #keys: DataKeys;
  constructor(deps: CoreDeps, keys: DataKeys) {
    this.#deps = deps;
    this.#keys = keys;
  }

  /** Creates an application; `clientSecret` is returned this once and never again. */
  async create(
    instance: Instance,
    raw: unknown,
  ): Promise<{ application: Application; clientSecret: string | null }> {
    const input = parseInput(createApplicationInput, raw);
    const { store, clock } = this.#deps;
    const isPublic = input.public ?? false;
    const clientId = input.clientId ?? randomToken(16);
    if (await store.repos.applications.getByClientId(instance.id, clientId))
      throw new AppError('conflict', 'clientId: already exists', {
        issues: [{ field: 'clientId', message: 'already exists' }],
      });
    const clientSecret = isPublic ? null : randomToken(32);
    const at = clock.now();
    const application: Application = {
      instanceId: instance.id,
      id: newId(clock),
      clientId,
      name: input.name,
      clientType: isPublic ? 'public' : 'confidential',
      secretEncrypted: clientSecret
        ? this.#keys.of(instance).encrypt(clientSecret, `client-secret:${clientId}`)
        : null,
      redirectUris: input.redirectUris ?? [],
      postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
      grantTypes: input.grantTypes as GrantType[],
      scopes: input.scopes ?? ['openid', 'profile', 'email', 'phone', 'groups', 'offline_access'],
      backchannelLogoutUri: input.backchannelLogoutUri ?? null,
      accessTokenFormat: input.accessTokenFormat ?? 'opaque',
      firstParty: (input.firstParty ?? false) || (input.internal ?? false),
      internal: input.internal ?? false,
      tokenEndpointAuthMethod:
        input.tokenEndpointAuthMethod ?? (isPublic ? 'none' : 'client_secret_basic'),
      createdAt: at,
      updatedAt: at,
    };
    await store.transaction(async (tx) => {
      await tx.applications.insert(application);
      await tx.instances.bumpConfigVersion(instance.id, at);
    });
    return { application, clientSecret };
  }

  async get(instance: Instance, id: string): Promise<Application> {
    const a = await this.#deps.store.repos.applications.get(instance.id, id);
    // idaas's own clients are not the customer's to change (nor listed)
    if (!a || a.internal) throw notFound('application');
    return a;
  }

  findByClientId(instance: Instance, clientId: string): Promise<Application | null> {
    return this.#deps.store.repos.applications.getByClientId(instance.id, clientId);
  }

  list(instance: Instance, q: ListQuery): Promise<Page<Application>> {
    return this.#deps.store.repos.applications.list(instance.id, q);
  }

  async update(instance: Instance, id: string, raw: unknown): Promise<Application> {
    const input = parseInput(updateApplicationInput, raw);
    const current = await this.get(instance, id);
    const merged = {
      grantTypes: input.grantTypes ?? current.grantTypes,
      redirectUris: input.redirectUris ?? current.redirectUris,
      tokenEndpointAuthMethod: input.tokenEndpointAuthMethod,
    };
    parseInput(
      z
        .object({})
        .passthrough()
        .superRefine((_v, ctx) => checkConsistency(merged, current.clientType === 'public', ctx)),
      {},
    );
    const { store, clock } = this.#deps;
    await store.transaction(async (tx) => {
      await tx.applications.update(instance.id, id, input as never, clock.now());
      await tx.instances.bumpConfigVersion(instance.id, clock.now());
    });
    return this.get(instance, id);
  }

  async delete(instance: Instance, id: string): Promise<void> {
    const { store, clock } = this.#deps;
    await this.get(instance, id);
    await store.transaction(async (tx) => {
      if (!(await tx.applications.delete(instance.id, id))) throw notFound('application');
      await tx.instances.bumpConfigVersion(instance.id, clock.now());
    });
  }

  /** Replaces the secret of a confidential client; the new one is returned once. */
  async rotateSecret(
    instance: Instance,
    id: string,
  ): Promise<{ application: Application; clientSecret: string }> {
    const app = await this.get(instance, id);
    if (app.clientType !== 'confidential')
      throw new AppError('validation_failed', 'a public client has no secret');
    const clientSecret = randomToken(32);
    const { store, clock } = this.#deps;
    await store.transaction(async (tx) => {
      await tx.applications.update(
        instance.id,
        id,
        {
          secretEncrypted: this.#keys
            .of(instance)
            .encrypt(clientSecret, `client-secret:${app.clientId}`),
        },
        clock.now(),
      );
      await tx.instances.bumpConfigVersion(instance.id, clock.now());
    });
    return { application: await this.get(instance, id), clientSecret };
  }

  /** The plaintext secret, for the OIDC provider's client authentication only. */
  secretOf(instance: Instance, app: Application): string | null {
    return app.secretEncrypted
      ? this.#keys.of(instance).decrypt(app.secretEncrypted, `client-secret:${app.clientId}`)
      : null;
  }
}
