// 0001: accounts, instances, directory, applications, signing keys, OIDC models.
// Per-dialect SQL: the statements are written out for each dialect, not generated.
const common = (t: { text: string; int: string; withoutRowid: string }) => [
  `create table accounts (
    id ${t.text} primary key, kind ${t.text} not null, name ${t.text} not null,
    owner_email ${t.text}, created_at ${t.text} not null)`,
  `create table instances (
    id ${t.text} primary key, account_id ${t.text} not null references accounts(id),
    slug ${t.text} not null unique, display_name ${t.text} not null, region ${t.text} not null,
    state ${t.text} not null, platform ${t.int} not null default 0,
    config_version ${t.int} not null default 1,
    created_at ${t.text} not null, updated_at ${t.text} not null)`,
  `create index instances_account on instances(account_id)`,
  `create table users (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null,
    -- personal data: encrypted under the instance data key (JSON: username, email, phone, displayName)
    profile ${t.text} not null,
    -- blind indexes (HMAC under the instance data key) for exact lookups and uniqueness
    username_lookup ${t.text} not null, email_lookup ${t.text}, phone_lookup ${t.text},
    email_verified ${t.int} not null default 0, status ${t.text} not null, password_hash ${t.text},
    created_at ${t.text} not null, updated_at ${t.text} not null,
    primary key (instance_id, id))`,
  `create unique index users_username on users(instance_id, username_lookup)`,
  `create unique index users_email on users(instance_id, email_lookup)`,
  `create index users_phone on users(instance_id, phone_lookup)`,
  `create table groups (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, name ${t.text} not null, name_lower ${t.text} not null,
    description ${t.text}, created_at ${t.text} not null,
    primary key (instance_id, id))`,
  `create unique index groups_name on groups(instance_id, name_lower)`,
  `create table group_members (
    instance_id ${t.text} not null, group_id ${t.text} not null, user_id ${t.text} not null,
    primary key (instance_id, group_id, user_id),
    foreign key (instance_id, group_id) references groups(instance_id, id) on delete cascade,
    foreign key (instance_id, user_id) references users(instance_id, id) on delete cascade)`,
  `create index group_members_user on group_members(instance_id, user_id)`,
  `create table org_units (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, parent_id ${t.text}, name ${t.text} not null, created_at ${t.text} not null,
    primary key (instance_id, id),
    foreign key (instance_id, parent_id) references org_units(instance_id, id))`,
  `create index org_units_parent on org_units(instance_id, parent_id)`,
  `create table org_unit_members (
    instance_id ${t.text} not null, org_unit_id ${t.text} not null, user_id ${t.text} not null,
    primary key (instance_id, org_unit_id, user_id),
    foreign key (instance_id, org_unit_id) references org_units(instance_id, id) on delete cascade,
    foreign key (instance_id, user_id) references users(instance_id, id) on delete cascade)`,
  `create index org_unit_members_user on org_unit_members(instance_id, user_id)`,
  `create table applications (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, client_id ${t.text} not null, name ${t.text} not null,
    client_type ${t.text} not null, secret_encrypted ${t.text},
    redirect_uris ${t.text} not null, post_logout_redirect_uris ${t.text} not null,
    grant_types ${t.text} not null, scopes ${t.text} not null, backchannel_logout_uri ${t.text},
    access_token_format ${t.text} not null,
    created_at ${t.text} not null, updated_at ${t.text} not null,
    primary key (instance_id, id))`,
  `create unique index applications_client_id on applications(instance_id, client_id)`,
  `create table signing_keys (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    kid ${t.text} not null, alg ${t.text} not null, status ${t.text} not null,
    public_jwk ${t.text} not null, private_jwk_encrypted ${t.text} not null,
    created_at ${t.text} not null, retire_after ${t.text},
    primary key (instance_id, kid))`,
  `create table oidc_models (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    model ${t.text} not null, id ${t.text} not null, payload ${t.text} not null,
    grant_id ${t.text}, uid ${t.text}, user_code ${t.text},
    expires_at ${t.text}, consumed_at ${t.text},
    primary key (instance_id, model, id))${t.withoutRowid}`,
  // partial indexes: most rows (client-credentials and access tokens) carry no uid or
  // user code, and skipping them keeps the hot insert path cheap
  `create index oidc_models_grant on oidc_models(instance_id, grant_id) where grant_id is not null`,
  `create index oidc_models_uid on oidc_models(instance_id, uid) where uid is not null`,
  `create index oidc_models_user_code on oidc_models(instance_id, user_code) where user_code is not null`,
  `create index oidc_models_expires on oidc_models(expires_at) where expires_at is not null`,
  `create table settings (key ${t.text} primary key, value ${t.text} not null)`,
];

// SQLite: the OIDC model table is clustered on its primary key (WITHOUT ROWID), one
// b-tree less to write for every token issued.
export const sqlite = common({ text: 'text', int: 'integer', withoutRowid: ' without rowid' });
export const postgres = common({ text: 'text', int: 'integer', withoutRowid: '' });
