// 0010: issue 5 follow-ups.
// - applications: `first_party` (sign-in never asks for consent), `internal` (created by
//   idaas itself, e.g. the SAML bridge client: hidden from application lists), and the
//   client authentication method at the token endpoint (null = by client type).
// - provisioning_resyncs: progress of full outbound re-syncs (SCIM) per application.
const common = (t: { text: string; int: string }): string[] => [
  `alter table applications add column first_party ${t.int} not null default 0`,
  `alter table applications add column internal ${t.int} not null default 0`,
  `alter table applications add column token_endpoint_auth_method ${t.text}`,
  `update applications set first_party = 1, internal = 1 where client_id = 'saml-bridge'`,
  `create table provisioning_resyncs (
    instance_id ${t.text} not null references instances(id) on delete cascade,
    id ${t.text} not null, application_id ${t.text} not null,
    total ${t.int} not null, done ${t.int} not null default 0, failed ${t.int} not null default 0,
    started_at ${t.text} not null, updated_at ${t.text} not null,
    primary key (instance_id, id))`,
  `create index provisioning_resyncs_app on provisioning_resyncs(instance_id, application_id, started_at)`,
];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
