// 0009: conditional access (issue 6) — per-instance policies (priority unique per
// instance), the instance's default decision, and known devices of users (a hash of the
// random device id of a browser's signed cookie, with first and last seen).
const common = (t: { text: string; int: string }): string[] => [
  `create table access_policies (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, name ${t.text} not null, priority ${t.int} not null,
    enabled ${t.int} not null, conditions ${t.text} not null, decision ${t.text} not null,
    created_at ${t.text} not null, updated_at ${t.text} not null,
    primary key (instance_id, id))`,
  `create unique index access_policies_priority on access_policies(instance_id, priority)`,
  `create table access_settings (
    instance_id ${t.text} primary key references instances(id) on delete cascade,
    default_decision ${t.text} not null, updated_at ${t.text} not null)`,
  `create table access_devices (
    instance_id ${t.text} not null, user_id ${t.text} not null, device_hash ${t.text} not null,
    first_seen ${t.text} not null, last_seen ${t.text} not null,
    primary key (instance_id, user_id, device_hash),
    foreign key (instance_id, user_id) references users(instance_id, id) on delete cascade)`,
];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
