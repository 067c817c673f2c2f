// 0003: SAML 2.0 identity provider — per-instance SAML applications (service providers),
// the IdP's signing key and certificate, and seen AuthnRequest ids (replay defence).
const common = (t: { text: string; int: string }): string[] => [
  `create table saml_apps (
    id ${t.text} primary key, instance_id ${t.text} not null references instances(id) on delete cascade,
    name ${t.text} not null, entity_id ${t.text} not null, acs ${t.text} not null,
    slo_url ${t.text}, slo_binding ${t.text}, name_id_format ${t.text} not null,
    attributes ${t.text} not null, sign_response ${t.int} not null, sign_assertion ${t.int} not null,
    want_signed_requests ${t.int} not null, sp_signing_cert ${t.text}, sp_encryption_cert ${t.text},
    encrypt_assertion ${t.int} not null, created_at ${t.text} not null, updated_at ${t.text} not null)`,
  `create unique index saml_apps_entity on saml_apps(instance_id, entity_id)`,
  `create table saml_keys (
    instance_id ${t.text} primary key references instances(id) on delete cascade,
    private_key_encrypted ${t.text} not null, certificate ${t.text} not null,
    created_at ${t.text} not null)`,
  `create table saml_request_ids (
    instance_id ${t.text} not null, request_id ${t.text} not null, expires_at ${t.text} not null,
    primary key (instance_id, request_id))`,
  `create index saml_request_ids_expiry on saml_request_ids(expires_at)`,
];

export const sqlite = common({ text: 'text', int: 'integer' });
export const postgres = common({ text: 'text', int: 'integer' });
