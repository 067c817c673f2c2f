// 0005: the audit trail (issue 6, G4.6). One hash chain per instance: records numbered
// by `seq`, each carrying SHA-256(previous hash ‖ canonical record); a head row per
// instance (last seq and hash, the retention anchor, the retention setting) updated in
// the same transaction as the inserts; signed checkpoints of the head. Personal data (IP
// address, user agent, details) is sealed under the instance data key in `personal`,
// with a blind index of the IP address for exact filtering.
const common = (t: { text: string; int: string; records: string }): string[] => [
  `create table audit_heads (
    instance_id ${t.text} primary key references instances(id) on delete cascade,
    seq ${t.int} not null default 0, hash ${t.text} not null, last_id ${t.text},
    pruned_through_seq ${t.int} not null default 0, pruned_hash ${t.text} not null,
    retention_days integer, updated_at ${t.text} not null)`,
  `create table audit_records (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    seq ${t.int} not null, id ${t.text} not null, at ${t.text} not null,
    actor_type ${t.text} not null, actor_id ${t.text}, on_behalf_of ${t.text},
    action ${t.text} not null, target_type ${t.text}, target_id ${t.text},
    result ${t.text} not null, host ${t.text}, ip_lookup ${t.text}, personal ${t.text},
    hash ${t.text} not null,
    primary key (instance_id, seq))${t.records}`,
  `create index audit_records_at on audit_records(instance_id, at)`,
  `create table audit_checkpoints (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    seq ${t.int} not null, record_id ${t.text}, hash ${t.text} not null, at ${t.text} not null,
    kid ${t.text} not null, alg ${t.text} not null, public_jwk ${t.text} not null,
    jws ${t.text} not null,
    primary key (instance_id, seq))`,
];

export const sqlite = common({ text: 'text', int: 'integer', records: ' without rowid' });
export const postgres = common({ text: 'text', int: 'bigint', records: '' });
