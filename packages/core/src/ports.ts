// Ports: what the core needs from the outside world. Implementations live in
// @idaas/storage (Kysely on SQLite/PostgreSQL) and @idaas/server; core never imports them.
import type {
  Account,
  Application,
  Group,
  Instance,
  InstanceState,
  ListQuery,
  OidcModelRecord,
  OrgUnit,
  Page,
  SigningKey,
  User,
} from './domain.ts';

export interface AccountRepo {
  insert(a: Account): Promise<void>;
  get(id: string): Promise<Account | null>;
  findOperator(): Promise<Account | null>;
}

export interface InstanceRepo {
  insert(i: Instance): Promise<void>;
  get(id: string): Promise<Instance | null>;
  getBySlug(slug: string): Promise<Instance | null>;
  list(q: ListQuery): Promise<Page<Instance>>;
  setState(id: string, state: InstanceState, at: Date): Promise<void>;
  /** Increments configVersion; returns the new value. */
  bumpConfigVersion(id: string, at: Date): Promise<number>;
}

export interface UserPatch {
  email?: string | null;
  emailVerified?: boolean;
  phone?: string | null;
  displayName?: string | null;
  status?: User['status'];
  passwordHash?: string | null;
}

export interface UserRepo {
  insert(u: User): Promise<void>;
  get(instanceId: string, id: string): Promise<User | null>;
  getByUsername(instanceId: string, username: string): Promise<User | null>;
  getByEmail(instanceId: string, email: string): Promise<User | null>;
  list(instanceId: string, q: ListQuery): Promise<Page<User>>;
  update(instanceId: string, id: string, patch: UserPatch, at: Date): Promise<void>;
  delete(instanceId: string, id: string): Promise<boolean>;
  /** Names of the groups a user belongs to (for the `groups` claim). */
  groupNames(instanceId: string, userId: string): Promise<string[]>;
}

export interface GroupRepo {
  insert(g: Group): Promise<void>;
  get(instanceId: string, id: string): Promise<Group | null>;
  getByName(instanceId: string, name: string): Promise<Group | null>;
  update(
    instanceId: string,
    id: string,
    patch: { name?: string; description?: string | null },
  ): Promise<void>;
  list(instanceId: string, q: ListQuery): Promise<Page<Group>>;
  delete(instanceId: string, id: string): Promise<boolean>;
  addMember(instanceId: string, groupId: string, userId: string): Promise<void>;
  removeMember(instanceId: string, groupId: string, userId: string): Promise<boolean>;
  members(instanceId: string, groupId: string, q: ListQuery): Promise<Page<User>>;
}

export interface OrgUnitRepo {
  insert(o: OrgUnit): Promise<void>;
  get(instanceId: string, id: string): Promise<OrgUnit | null>;
  list(instanceId: string, q: ListQuery): Promise<Page<OrgUnit>>;
  /** Children of a unit, or the roots when parentId is null. */
  children(instanceId: string, parentId: string | null): Promise<OrgUnit[]>;
  move(instanceId: string, id: string, parentId: string | null): Promise<void>;
  rename(instanceId: string, id: string, name: string): Promise<void>;
  delete(instanceId: string, id: string): Promise<boolean>;
  addMember(instanceId: string, orgUnitId: string, userId: string): Promise<void>;
  removeMember(instanceId: string, orgUnitId: string, userId: string): Promise<boolean>;
  unitsOfUser(instanceId: string, userId: string): Promise<OrgUnit[]>;
  members(instanceId: string, orgUnitId: string, q: ListQuery): Promise<Page<User>>;
}

export interface ApplicationPatch {
  name?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: Application['grantTypes'];
  scopes?: string[];
  backchannelLogoutUri?: string | null;
  accessTokenFormat?: Application['accessTokenFormat'];
  secretEncrypted?: string | null;
  firstParty?: boolean;
  internal?: boolean;
  tokenEndpointAuthMethod?: Application['tokenEndpointAuthMethod'];
}

export interface ApplicationRepo {
  insert(a: Application): Promise<void>;
  get(instanceId: string, id: string): Promise<Application | null>;
  getByClientId(instanceId: string, clientId: string): Promise<Application | null>;
  list(instanceId: string, q: ListQuery): Promise<Page<Application>>;
  update(instanceId: string, id: string, patch: ApplicationPatch, at: Date): Promise<void>;
  delete(instanceId: string, id: string): Promise<boolean>;
}

export interface SigningKeyRepo {
  insert(k: SigningKey): Promise<void>;
  /** Keys still published (active, or retiring with retireAfter in the future of `at`). */
  published(instanceId: string, at: Date): Promise<SigningKey[]>;
  list(instanceId: string): Promise<SigningKey[]>;
  retire(instanceId: string, kid: string, retireAfter: Date): Promise<void>;
  /** Deletes retiring keys whose retireAfter has passed; returns how many. */
  purgeRetired(instanceId: string, at: Date): Promise<number>;
}

export interface OidcModelRepo {
  upsert(r: OidcModelRecord): Promise<void>;
  find(instanceId: string, model: string, id: string): Promise<OidcModelRecord | null>;
  findByUid(instanceId: string, uid: string): Promise<OidcModelRecord | null>;
  findByUserCode(instanceId: string, userCode: string): Promise<OidcModelRecord | null>;
  consume(instanceId: string, model: string, id: string, at: Date): Promise<void>;
  destroy(instanceId: string, model: string, id: string): Promise<void>;
  revokeByGrantId(instanceId: string, grantId: string): Promise<void>;
  /** Deletes expired records of every instance; returns how many. */
  sweepExpired(at: Date): Promise<number>;
}

export interface SettingsRepo {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

import type { CommerceRepos } from './business/commerce-ports.ts';
import type { LifecycleRepos } from './business/lifecycle-ports.ts';
import type { OperationsRepos } from './business/operations-ports.ts';
import type { ScimRepos } from './scim-ports.ts';
import type { SamlRepos } from './saml-ports.ts';
import type { AuditRepos } from './security/audit-ports.ts';
import type { AccessRepos } from './security/access-ports.ts';
import type { MfaRepos } from './security/mfa-ports.ts';
import type { RolesRepos } from './security/roles-ports.ts';
import type { PasswordRepos } from './security/password-ports.ts';
import type { PortalRepos } from './portal-ports.ts';

/** Every repository; business modules add theirs through the three interfaces it extends. */
export interface Repos
  extends CommerceRepos, LifecycleRepos, OperationsRepos, SamlRepos, ScimRepos, MfaRepos,
    AuditRepos,
    AccessRepos,
    RolesRepos,
    PasswordRepos,
    PortalRepos {
  accounts: AccountRepo;
  instances: InstanceRepo;
  users: UserRepo;
  groups: GroupRepo;
  orgUnits: OrgUnitRepo;
  applications: ApplicationRepo;
  keys: SigningKeyRepo;
  oidc: OidcModelRepo;
  settings: SettingsRepo;
}

/**
 * Where wrapped instance data keys live: apart from the store and its backups, so that
 * destroying a key (release, ID3/G6.4) makes every backup of the instance unreadable.
 */
export interface KeyVault {
  put(instanceId: string, wrapped: string): Promise<void>;
  get(instanceId: string): Promise<string | null>;
  /** Irreversibly removes the key; true if there was one. */
  destroy(instanceId: string): Promise<boolean>;
}

/** The storage port. `repos` run outside a transaction; `transaction` makes all-or-nothing writes. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly repos: Repos;
  readonly vault: KeyVault;
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` once the transaction of the current async context has committed (at once
   * when there is none; never if it rolls back): cache invalidation, in-process signals.
   */
  afterCommit(fn: () => void): void;
  /** Applies pending migrations under a lock (safe with several processes starting at once). */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}
