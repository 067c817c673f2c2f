// 0007: multi-factor authentication (issue 6) — enrolled factors (TOTP secrets sealed
// under the instance data key, WebAuthn credentials), recovery codes (keyed hashes,
// single use) and server-side single-use challenges (WebAuthn challenges, one-time codes).
const common = (t: { text: string; int: string }): string[] => [
  `create table mfa_factors (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, user_id ${t.text} not null, kind ${t.text} not null,
    name ${t.text} not null, secret_encrypted ${t.text}, credential_id ${t.text},
    public_key ${t.text}, counter ${t.int} not null, transports ${t.text} not null,
    device_type ${t.text}, backed_up ${t.int} not null, last_used_step ${t.int},
    created_at ${t.text} not null, last_used_at ${t.text},
    primary key (instance_id, id),
    foreign key (instance_id, user_id) references users(instance_id, id) on delete cascade)`,
  `create index mfa_factors_user on mfa_factors(instance_id, user_id)`,
  `create unique index mfa_factors_credential on mfa_factors(instance_id, credential_id)`,
  `create table mfa_recovery_codes (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    user_id ${t.text} not null, code_hash ${t.text} not null,
    created_at ${t.text} not null, used_at ${t.text},
    primary key (instance_id, user_id, code_hash),
    foreign key (instance_id, user_id) references users(instance_id, id) on delete cascade)`,
  `create table mfa_challenges (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, user_id ${t.text}, kind ${t.text} not null, value ${t.text} not null,
    attempts ${t.int} not null, expires_at ${t.text} not null, consumed_at ${t.text},
    created_at ${t.text} not null,
    primary key (instance_id, id))`,
  `create index mfa_challenges_expiry on mfa_challenges(expires_at)`,
];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'bigint' });
