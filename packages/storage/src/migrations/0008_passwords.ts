// 0008: passwords (issue 6) — the password policy of each instance, per-user password
// state (forced change, hashes of previous passwords) and self-service reset tokens
// (SHA-256 of the token only; single use, short-lived).
const common = (t: { text: string; int: string }): string[] => [
  `create table password_policies (
    instance_id ${t.text} primary key references instances(id) on delete cascade,
    policy ${t.text} not null, updated_at ${t.text} not null)`,
  `create table password_states (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    user_id ${t.text} not null, change_required ${t.int} not null default 0,
    history ${t.text} not null default '[]', changed_at ${t.text}, updated_at ${t.text} not null,
    primary key (instance_id, user_id),
    foreign key (instance_id, user_id) references users(instance_id, id) on delete cascade)`,
  `create table password_resets (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    token_hash ${t.text} not null, user_id ${t.text} not null,
    created_at ${t.text} not null, expires_at ${t.text} not null, used_at ${t.text},
    primary key (instance_id, token_hash),
    foreign key (instance_id, user_id) references users(instance_id, id) on delete cascade)`,
  `create index password_resets_user on password_resets(instance_id, user_id)`,
  `create index password_resets_expiry on password_resets(expires_at)`,
];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
