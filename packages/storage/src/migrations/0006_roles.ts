// 0006: delegated administration (issue 6, G5.6) — custom roles per instance and the
// roles platform users hold on instances (built-in role names or custom ones).
const common = (t: { text: string }): string[] => [
  `create table custom_roles (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    name ${t.text} not null, description ${t.text}, permissions ${t.text} not null,
    created_at ${t.text} not null, updated_at ${t.text} not null,
    primary key (instance_id, name))`,
  `create table role_assignments (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    user_id ${t.text} not null, role ${t.text} not null, granted_by ${t.text},
    created_at ${t.text} not null,
    primary key (instance_id, user_id, role))`,
  `create index role_assignments_user on role_assignments(user_id)`,
];

export const sqlite = common({ text: 'text' });
export const postgres = common({ text: 'text' });
