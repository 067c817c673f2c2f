// Table types for Kysely. Instants are ISO-8601 UTC text; booleans are 0/1 integers;
// lists and objects are JSON text. The same columns on SQLite and PostgreSQL.
export interface AccountsTable {
  id: string;
  kind: string;
  name: string;
  owner_email: string | null;
  created_at: string;
}
export interface InstancesTable {
  id: string;
  account_id: string;
  slug: string;
  display_name: string;
  region: string;
  state: string;
  platform: number;
  config_version: number;
  created_at: string;
  updated_at: string;
}
export interface UsersTable {
  instance_id: string;
  id: string;
  /** Encrypted JSON {username, email, phone, displayName}. */
  profile: string;
  username_lookup: string;
  email_lookup: string | null;
  phone_lookup: string | null;
  email_verified: number;
  status: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}
export interface GroupsTable {
  instance_id: string;
  id: string;
  name: string;
  name_lower: string;
  description: string | null;
  created_at: string;
}
export interface GroupMembersTable {
  instance_id: string;
  group_id: string;
  user_id: string;
}
export interface OrgUnitsTable {
  instance_id: string;
  id: string;
  parent_id: string | null;
  name: string;
  created_at: string;
}
export interface OrgUnitMembersTable {
  instance_id: string;
  org_unit_id: string;
  user_id: string;
}
export interface ApplicationsTable {
  instance_id: string;
  id: string;
  client_id: string;
  name: string;
  client_type: string;
  secret_encrypted: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  scopes: string;
  backchannel_logout_uri: string | null;
  access_token_format: string;
  created_at: string;
  updated_at: string;
}
export interface SigningKeysTable {
  instance_id: string;
  kid: string;
  alg: string;
  status: string;
  public_jwk: string;
  private_jwk_encrypted: string;
  created_at: string;
  retire_after: string | null;
}
export interface OidcModelsTable {
  instance_id: string;
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}
export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  accounts: AccountsTable;
  instances: InstancesTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  org_units: OrgUnitsTable;
  org_unit_members: OrgUnitMembersTable;
  applications: ApplicationsTable;
  signing_keys: SigningKeysTable;
  oidc_models: OidcModelsTable;
  settings: SettingsTable;
}
