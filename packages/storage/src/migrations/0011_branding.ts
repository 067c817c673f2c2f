// 0011: the console and portal (issue 7) — branding of an instance's hosted pages (colours
// checked for WCAG AA contrast, an optional PNG/JPEG logo as a data URL) and user imports
// (a resumable long operation: progress counters, row errors by line and column, and the
// validated rows sealed under the instance data key until the import is done).
const common = (t: { text: string; int: string }): string[] => [
  `create table branding (
    instance_id ${t.text} primary key references instances(id) on delete cascade,
    primary_color ${t.text} not null, background_color ${t.text} not null,
    logo ${t.text}, updated_at ${t.text} not null)`,
  `create table user_imports (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, status ${t.text} not null,
    total ${t.int} not null, done ${t.int} not null, failed ${t.int} not null,
    errors ${t.text} not null, rows_sealed ${t.text}, created_by ${t.text},
    created_at ${t.text} not null, updated_at ${t.text} not null,
    primary key (instance_id, id))`,
];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
