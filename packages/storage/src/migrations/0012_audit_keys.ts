// 0012: the platform signing keys that signed audit checkpoints (issue 6), public part
// only, kept after the keys themselves are rotated away and purged so old checkpoints
// stay verifiable. Each row carries an attestation (HMAC under the platform instance's
// data key): a row written with database access alone is not trusted. Platform-wide (the
// platform instance is never released), hence no instance_id.
const common = (): string[] => [
  `create table audit_checkpoint_keys (
    kid text primary key, alg text not null, public_jwk text not null,
    attestation text not null, first_used_at text not null)`,
];

export const sqlite = common();
export const postgres = common();
