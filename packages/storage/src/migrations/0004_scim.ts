// 0004: SCIM 2.0 provisioning. The SCIM attributes our directory lacks (externalId,
// name, titles, typed emails/phones, the enterprise extension, …) are personal data: one
// ENCRYPTED JSON blob per resource under the instance data key. Plain columns hold only
// what is not personal: a blind index of externalId for exact lookups and the version
// behind ETags.
const common = (t: { text: string; int: string }): string[] => [
  `create table scim_resources (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    kind ${t.text} not null, resource_id ${t.text} not null,
    external_id_lookup ${t.text}, version ${t.int} not null default 1,
    data ${t.text} not null, updated_at ${t.text} not null,
    primary key (instance_id, kind, resource_id))`,
  `create index scim_resources_external on scim_resources(instance_id, kind, external_id_lookup)`,
];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
