// Wire schemas of the admin API. One zod schema per request and response body: the
// same schema validates requests, produces responses (handlers' results go through
// `.parse`, which also drops anything not declared, so hashes and encrypted secrets
// cannot leak) and generates the OpenAPI 3.1 document.
//
// Naming: snake_case on the wire (like OAuth 2 and SCIM: client_id, redirect_uris),
// camelCase inside the core; the mappers at the bottom translate.
import { z } from 'zod';
import {
  emailSchema,
  grantTypeSchema,
  passwordSchema,
  phoneSchema,
  redirectUriSchema,
  slugSchema,
  usernameSchema,
  type Application,
  type Group,
  type Instance,
  type OrgUnit,
  type SigningKey,
  type User,
} from '@idaas/core';

const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });
const id = z.string().meta({ description: 'Opaque identifier (a UUIDv7)' });

// ---- shared

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string().meta({ description: 'Stable error code, e.g. validation_failed' }),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          field: z.string().meta({
            description: 'The offending field as the client sent it, e.g. redirect_uris[0]',
          }),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** A page of a list: `next_cursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      next_cursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as `cursor` to get the next page; null on the last page' }),
    })
    .meta({ id: name });
}

export const ListParams = z.object({
  limit: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be between 1 and 200')
    .max(200, 'must be between 1 and 200')
    .default(50)
    .meta({ description: 'Page size, 1..200', example: 50 }),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,400}$/, 'must be a next_cursor value from a previous page')
    .optional()
    .meta({ description: 'The `next_cursor` of the previous page' }),
  q: z
    .string()
    .max(200, 'must be at most 200 characters')
    .optional()
    .meta({ description: 'Case-insensitive substring search' }),
});
export const PageParams = ListParams.omit({ q: true });

// ---- instances

const instanceState = z.enum([
  'pending-payment',
  'active',
  'grace',
  'restricted',
  'suspended',
  'terminated',
  'released',
  'void',
  'downgraded',
]);

export const InstanceOut = z
  .object({
    id,
    slug: z.string(),
    display_name: z.string(),
    region: z.string(),
    state: instanceState,
    platform: z.boolean().meta({ description: "True for the platform's own admin instance" }),
    issuer: z.string().meta({ description: 'The OpenID Connect issuer of the instance' }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Instance' });

export const InstanceCreate = z
  .strictObject({
    slug: slugSchema,
    display_name: z.string().min(1).max(200).optional(),
    region: z
      .string()
      .regex(/^[a-z0-9-]{2,32}$/, 'must be a region id like cn-shanghai')
      .optional(),
  })
  .meta({ id: 'InstanceCreate' });

// ---- users

const userStatus = z.enum(['enabled', 'disabled', 'locked']);

export const UserOut = z
  .object({
    id,
    username: z.string(),
    email: z.string().nullable(),
    email_verified: z.boolean(),
    phone: z.string().nullable(),
    display_name: z.string().nullable(),
    status: userStatus,
    has_password: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'User' });

export const UserCreate = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema.optional(),
    email: emailSchema.optional(),
    email_verified: z.boolean().optional(),
    phone: phoneSchema.optional(),
    display_name: z.string().min(1).max(200).optional(),
    status: userStatus.optional(),
  })
  .meta({ id: 'UserCreate' });

export const UserUpdate = z
  .strictObject({
    password: passwordSchema.optional(),
    email: emailSchema.nullable().optional(),
    email_verified: z.boolean().optional(),
    phone: phoneSchema.nullable().optional(),
    display_name: z.string().min(1).max(200).nullable().optional(),
    status: userStatus.optional(),
  })
  .meta({ id: 'UserUpdate' });

// ---- groups

export const GroupOut = z
  .object({ id, name: z.string(), description: z.string().nullable(), created_at: timestamp })
  .meta({ id: 'Group' });

export const GroupCreate = z
  .strictObject({
    name: z.string().min(1).max(128),
    description: z.string().max(1000).optional(),
  })
  .meta({ id: 'GroupCreate' });

export const GroupUpdate = z
  .strictObject({
    name: z.string().min(1).max(128).optional(),
    description: z.string().max(1000).nullable().optional(),
  })
  .meta({ id: 'GroupUpdate' });

// ---- organisational units

export const OrgUnitOut = z
  .object({
    id,
    name: z.string(),
    parent_id: z.string().nullable().meta({ description: 'null for a root unit' }),
    created_at: timestamp,
  })
  .meta({ id: 'OrgUnit' });

export const OrgUnitCreate = z
  .strictObject({
    name: z.string().min(1).max(128),
    parent_id: z.string().min(1).nullable().optional(),
  })
  .meta({ id: 'OrgUnitCreate' });

export const OrgUnitUpdate = z
  .strictObject({
    name: z.string().min(1).max(128).optional(),
    parent_id: z
      .string()
      .min(1)
      .nullable()
      .optional()
      .meta({ description: 'Moves the unit (null: to the root); cycles are refused' }),
  })
  .meta({ id: 'OrgUnitUpdate' });

// ---- applications

const grantTypeIn = z
  .union([grantTypeSchema, z.literal('device_code')])
  .meta({ description: '`device_code` is shorthand for the RFC 8628 grant type URN' });
const scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token');

const appOut = {
  id,
  client_id: z.string(),
  name: z.string(),
  client_type: z.enum(['confidential', 'public']),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  grant_types: z.array(grantTypeSchema),
  scopes: z.array(z.string()),
  backchannel_logout_uri: z.string().nullable(),
  access_token_format: z.enum(['opaque', 'jwt']),
  first_party: z.boolean().meta({ description: 'Users are never asked for consent' }),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
  created_at: timestamp,
  updated_at: timestamp,
};

export const ApplicationOut = z.object(appOut).meta({ id: 'Application' });

export const ApplicationWithSecret = z
  .object({
    ...appOut,
    client_secret: z.string().nullable().meta({
      description:
        'The client secret, shown this once (null for public clients); only its encrypted form is stored',
    }),
  })
  .meta({ id: 'ApplicationWithSecret' });

const appIn = {
  name: z.string().min(1).max(200),
  redirect_uris: z.array(redirectUriSchema).max(50),
  post_logout_redirect_uris: z.array(redirectUriSchema).max(50),
  grant_types: z.array(grantTypeIn).min(1, 'must name at least one grant type'),
  scopes: z.array(scope).max(100),
  backchannel_logout_uri: redirectUriSchema.nullable(),
  access_token_format: z.enum(['opaque', 'jwt']),
  first_party: z
    .boolean()
    .meta({ description: 'First-party application: sign-in never shows a consent page' }),
  token_endpoint_auth_method: z
    .enum(['client_secret_basic', 'client_secret_post', 'none'])
    .meta({ description: '`none` for public clients; default client_secret_basic otherwise' }),
};

export const ApplicationCreate = z
  .strictObject({
    name: appIn.name,
    client_type: z.enum(['confidential', 'public']).optional(),
    client_id: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{3,128}$/, 'must be 3-128 URL-safe characters')
      .optional()
      .meta({ description: 'Chosen client id; generated when absent' }),
    grant_types: appIn.grant_types,
    redirect_uris: appIn.redirect_uris.optional(),
    post_logout_redirect_uris: appIn.post_logout_redirect_uris.optional(),
    scopes: appIn.scopes.optional(),
    backchannel_logout_uri: appIn.backchannel_logout_uri.optional(),
    access_token_format: appIn.access_token_format.optional(),
    first_party: appIn.first_party.optional(),
    token_endpoint_auth_method: appIn.token_endpoint_auth_method.optional(),
  })
  .meta({ id: 'ApplicationCreate' });

export const ApplicationUpdate = z
  .strictObject({
    name: appIn.name.optional(),
    grant_types: appIn.grant_types.optional(),
    redirect_uris: appIn.redirect_uris.optional(),
    post_logout_redirect_uris: appIn.post_logout_redirect_uris.optional(),
    scopes: appIn.scopes.optional(),
    backchannel_logout_uri: appIn.backchannel_logout_uri.optional(),
    access_token_format: appIn.access_token_format.optional(),
    first_party: appIn.first_party.optional(),
    token_endpoint_auth_method: appIn.token_endpoint_auth_method.optional(),
  })
  .meta({ id: 'ApplicationUpdate' });

// ---- signing keys

export const KeyOut = z
  .object({
    kid: z.string(),
    alg: z.enum(['ES256', 'RS256']),
    status: z.enum(['active', 'retiring']),
    created_at: timestamp,
    retire_after: timestamp
      .nullable()
      .meta({ description: 'A retiring key stays in JWKS until then' }),
    public_jwk: z
      .object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string() })
      .catchall(z.union([z.string(), z.array(z.string())]))
      .meta({ description: 'The public JWK (never private material)' }),
  })
  .meta({ id: 'SigningKey' });

export const KeyList = z.object({ keys: z.array(KeyOut) }).meta({ id: 'SigningKeyList' });

// ---- mappers: domain → wire (results are parsed by the response schemas)

const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

export const wire = {
  instance: (i: Instance, publicUrl: string): z.input<typeof InstanceOut> => ({
    id: i.id,
    slug: i.slug,
    display_name: i.displayName,
    region: i.region,
    state: i.state,
    platform: i.platform,
    issuer: `${publicUrl}/i/${i.slug}`,
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
  }),
  user: (u: User): z.input<typeof UserOut> => ({
    id: u.id,
    username: u.username,
    email: u.email,
    email_verified: u.emailVerified,
    phone: u.phone,
    display_name: u.displayName,
    status: u.status,
    has_password: u.passwordHash !== null,
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  }),
  group: (g: Group): z.input<typeof GroupOut> => ({
    id: g.id,
    name: g.name,
    description: g.description,
    created_at: g.createdAt.toISOString(),
  }),
  orgUnit: (o: OrgUnit): z.input<typeof OrgUnitOut> => ({
    id: o.id,
    name: o.name,
    parent_id: o.parentId,
    created_at: o.createdAt.toISOString(),
  }),
  application: (a: Application): z.input<typeof ApplicationOut> => ({
    id: a.id,
    client_id: a.clientId,
    name: a.name,
    client_type: a.clientType,
    redirect_uris: a.redirectUris,
    post_logout_redirect_uris: a.postLogoutRedirectUris,
    grant_types: a.grantTypes,
    scopes: a.scopes,
    backchannel_logout_uri: a.backchannelLogoutUri,
    access_token_format: a.accessTokenFormat,
    first_party: a.firstParty,
    token_endpoint_auth_method: a.tokenEndpointAuthMethod,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  }),
  key: (k: SigningKey): z.input<typeof KeyOut> => ({
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    created_at: k.createdAt.toISOString(),
    retire_after: k.retireAfter ? k.retireAfter.toISOString() : null,
    public_jwk: Object.fromEntries(
      Object.entries(k.publicJwk).filter(([m]) => !PRIVATE_JWK_MEMBERS.has(m)),
    ) as z.input<typeof KeyOut>['public_jwk'],
  }),
};

// ---- mappers: wire → core input (core validates again and names camelCase fields;
// `coreFieldToWire` translates those names back)

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export const toCore = {
  instance: (b: z.output<typeof InstanceCreate>) =>
    defined({ slug: b.slug, displayName: b.display_name, region: b.region }),
  userCreate: (b: z.output<typeof UserCreate>) =>
    defined({
      username: b.username,
      password: b.password,
      email: b.email,
      emailVerified: b.email_verified,
      phone: b.phone,
      displayName: b.display_name,
      status: b.status,
    }),
  userUpdate: (b: z.output<typeof UserUpdate>) =>
    defined({
      password: b.password,
      email: b.email,
      emailVerified: b.email_verified,
      phone: b.phone,
      displayName: b.display_name,
      status: b.status,
    }),
  group: (b: z.output<typeof GroupCreate>) => defined({ name: b.name, description: b.description }),
  groupUpdate: (b: z.output<typeof GroupUpdate>) =>
    defined({ name: b.name, description: b.description }),
  orgUnit: (b: z.output<typeof OrgUnitCreate>) => defined({ name: b.name, parentId: b.parent_id }),
  orgUnitUpdate: (b: z.output<typeof OrgUnitUpdate>) =>
    defined({ name: b.name, parentId: b.parent_id }),
  applicationCreate: (b: z.output<typeof ApplicationCreate>) =>
    defined({
      name: b.name,
      public: b.client_type === undefined ? undefined : b.client_type === 'public',
      clientId: b.client_id,
      grantTypes: b.grant_types,
      redirectUris: b.redirect_uris,
      postLogoutRedirectUris: b.post_logout_redirect_uris,
      scopes: b.scopes,
      backchannelLogoutUri: b.backchannel_logout_uri,
      accessTokenFormat: b.access_token_format,
      firstParty: b.first_party,
      tokenEndpointAuthMethod: b.token_endpoint_auth_method,
    }),
  applicationUpdate: (b: z.output<typeof ApplicationUpdate>) =>
    defined({
      name: b.name,
      grantTypes: b.grant_types,
      redirectUris: b.redirect_uris,
      postLogoutRedirectUris: b.post_logout_redirect_uris,
      scopes: b.scopes,
      backchannelLogoutUri: b.backchannel_logout_uri,
      accessTokenFormat: b.access_token_format,
      firstParty: b.first_party,
      tokenEndpointAuthMethod: b.token_endpoint_auth_method,
    }),
};

const special: Record<string, string> = { public: 'client_type' };

/** `redirectUris[0]` → `redirect_uris[0]`, `clientId` → `client_id`. */
export function coreFieldToWire(field: string): string {
  const head = /^[A-Za-z]+/.exec(field)?.[0] ?? '';
  if (special[head]) return special[head] + field.slice(head.length);
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
