// The domain model of the identity service. Instants are `Date`s in memory and
// ISO-8601 UTC strings in storage. Every record of instance data carries `instanceId`.

export type InstanceState =
  | 'pending-payment'
  | 'active'
  | 'grace'
  | 'restricted'
  | 'suspended'
  | 'terminated'
  | 'released'
  | 'void'
  | 'downgraded';

/** A customer account (G2). The platform operator's own account has kind 'operator'. */
export interface Account {
  id: string;
  kind: 'operator' | 'customer';
  name: string;
  ownerEmail: string | null;
  createdAt: Date;
}

/** An identity instance: one complete, isolated identity provider. */
export interface Instance {
  id: string;
  accountId: string;
  slug: string;
  displayName: string;
  region: string;
  state: InstanceState;
  /** The instance's data key wrapped by the platform KEK, as kept in the key vault (never in the store); null once destroyed. */
  dataKeyWrapped: string | null;
  /** True for the platform's own admin instance (console and API sign-in). */
  platform: boolean;
  /** Bumped whenever keys or protocol settings change, so cached providers rebuild. */
  configVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export type UserStatus = 'enabled' | 'disabled' | 'locked';

export interface User {
  instanceId: string;
  id: string;
  username: string;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  displayName: string | null;
  status: UserStatus;
  passwordHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Group {
  instanceId: string;
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
}

export interface OrgUnit {
  instanceId: string;
  id: string;
  parentId: string | null;
  name: string;
  createdAt: Date;
}

export type GrantType =
  | 'authorization_code'
  | 'refresh_token'
  | 'client_credentials'
  | 'urn:ietf:params:oauth:grant-type:device_code';

/** An OIDC/OAuth 2 application (client) of an instance. */
export interface Application {
  instanceId: string;
  id: string;
  clientId: string;
  name: string;
  clientType: 'confidential' | 'public';
  /** The client secret encrypted under the instance data key; null for public clients. */
  secretEncrypted: string | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: GrantType[];
  scopes: string[];
  backchannelLogoutUri: string | null;
  /** Access token format for resource-indicator audiences: opaque or JWT. */
  accessTokenFormat: 'opaque' | 'jwt';
  /** First-party: the user is never asked for consent (the operator vouches for it). */
  firstParty: boolean;
  /** Created by idaas itself (e.g. the SAML bridge): first-party, hidden from lists. */
  internal: boolean;
  /** How the client authenticates at the token endpoint (`none` for public clients). */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  createdAt: Date;
  updatedAt: Date;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export type KeyAlg = 'ES256' | 'RS256';
export type KeyStatus = 'active' | 'retiring';

/** A signing key of an instance. The private JWK is encrypted under the instance data key. */
export interface SigningKey {
  instanceId: string;
  kid: string;
  alg: KeyAlg;
  status: KeyStatus;
  publicJwk: Record<string, unknown>;
  privateJwkEncrypted: string;
  createdAt: Date;
  /** For a retiring key: stays published in JWKS until then (its tokens may still be live). */
  retireAfter: Date | null;
}

/** One persisted oidc-provider model (session, grant, code, token, …). */
export interface OidcModelRecord {
  instanceId: string;
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  expiresAt: Date | null;
  consumedAt: Date | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  next: string | null;
}

export interface ListQuery {
  limit: number;
  cursor?: string | null | undefined;
  /** Case-insensitive substring search where the list supports it. */
  q?: string | undefined;
}
