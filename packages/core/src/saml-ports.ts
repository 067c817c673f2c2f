// SAML 2.0 identity provider: what the server needs from storage (see packages/storage/src/saml.ts).

export type SamlNameIdFormat = 'persistent' | 'transient' | 'email' | 'unspecified';

export interface SamlAcs {
  index: number;
  binding: 'post' | 'redirect';
  location: string;
  isDefault: boolean;
}

/** An SP attribute filled from a directory field (or the user's groups). */
export interface SamlAttributeMapping {
  name: string;
  source: 'id' | 'username' | 'email' | 'displayName' | 'phone' | 'groups';
  nameFormat?: 'uri' | 'basic' | 'unspecified';
}

export interface SamlApp {
  instanceId: string;
  id: string;
  name: string;
  entityId: string;
  acs: SamlAcs[];
  /** The SP's SingleLogoutService (HTTP-Redirect or HTTP-POST), if any. */
  sloUrl: string | null;
  sloBinding: 'post' | 'redirect' | null;
  nameIdFormat: SamlNameIdFormat;
  attributes: SamlAttributeMapping[];
  signResponse: boolean;
  signAssertion: boolean;
  wantSignedRequests: boolean;
  /** PEM bodies (base64, no armour) of the SP's certificates. */
  spSigningCert: string | null;
  spEncryptionCert: string | null;
  encryptAssertion: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The IdP's RSA signing key (private key sealed under the instance data key) and certificate. */
export interface SamlIdpKey {
  instanceId: string;
  privateKeyEncrypted: string;
  certificate: string;
  createdAt: Date;
}

export interface SamlAppRepo {
  insert(app: SamlApp): Promise<void>;
  update(app: SamlApp): Promise<void>;
  get(instanceId: string, id: string): Promise<SamlApp | null>;
  getByEntityId(instanceId: string, entityId: string): Promise<SamlApp | null>;
  list(instanceId: string): Promise<SamlApp[]>;
  delete(instanceId: string, id: string): Promise<boolean>;
}

export interface SamlKeyRepo {
  get(instanceId: string): Promise<SamlIdpKey | null>;
  /** Inserts unless one exists; returns the stored one. */
  ensure(key: SamlIdpKey): Promise<SamlIdpKey>;
}

export interface SamlRequestIdRepo {
  /** Records a request id; false if it was already seen (a replay). */
  remember(instanceId: string, requestId: string, expiresAt: Date, now: Date): Promise<boolean>;
}

export interface SamlRepos {
  samlApps: SamlAppRepo;
  samlKeys: SamlKeyRepo;
  samlRequestIds: SamlRequestIdRepo;
}
