// Verification of an instance's audit chain against its head and signed checkpoints, and
// the making of checkpoints (a JWS by the platform instance's current ES256 signing key).
//
// Trust in a checkpoint: its row stores kid and public JWK, but a row is only data — with
// database write access one could re-sign a forged head with a key of one's own. So a
// checkpoint is accepted only when its key is, or was, a signing key of the platform
// instance, and its signature is checked against THAT key, not against the stored one:
//  - a current platform key is genuine when its private part opens under the platform's
//    data key (sealed under the master key, bound to the kid) — its public part is
//    derived from the opened private key, never read from the row;
//  - a key that has since been rotated away and purged is remembered in
//    `audit_checkpoint_keys` when it first signs a checkpoint, with an attestation: an
//    HMAC of kid, alg and key material under the platform's data key. A row written
//    without the master key does not attest.
// The root of trust is therefore the master key, which is not in the database. Someone
// holding the master key AND database write access can still forge; against that only
// copies of checkpoints kept elsewhere help (the CLI's `--json` output, exports).
import { timingSafeEqual } from 'node:crypto';
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import type { Clock } from '../clock.ts';
import type { Instance } from '../domain.ts';
import type { DataKey } from '../envelope.ts';
import { privateJwk } from '../keys.ts';
import { DataKeys } from '../services/context.ts';
import type { Core } from '../services/index.ts';
import { PLATFORM_SLUG } from '../services/instances.ts';
import type { AuditCheckpoint, AuditRepo } from './audit-ports.ts';
import { ChainVerifier, genesisHash, type ChainBreak } from './audit-chain.ts';

export const CHECKPOINT_TYP = 'idaas-audit-checkpoint+jwt';

export interface AuditVerification {
  instanceId: string;
  ok: boolean;
  /** Where verification started (0, or the retention anchor). */
  fromSeq: number;
  /** The last record that verified. */
  throughSeq: number;
  checked: number;
  headSeq: number;
  checkpoints: number;
  broken: ChainBreak | null;
}

interface CheckpointPayload {
  typ: string;
  instance: string;
  seq: number;
  id: string | null;
  hash: string;
  at: string;
}

/** The public key material of a JWK (private or public), in a fixed order. */
export function publicKeyMaterial(jwk: Record<string, unknown>): Record<string, unknown> {
  return jwk.kty === 'RSA'
    ? { kty: 'RSA', n: jwk.n, e: jwk.e }
    : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

const ATTEST_PURPOSE = 'audit-checkpoint-key';
const attestationOf = (dk: DataKey, kid: string, alg: string, jwk: Record<string, unknown>) =>
  dk.lookup(ATTEST_PURPOSE, JSON.stringify([kid, alg, publicKeyMaterial(jwk)]));
const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
const sameKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  JSON.stringify(publicKeyMaterial(a)) === JSON.stringify(publicKeyMaterial(b));

/** Public keys (by kid) that checkpoints may be signed with: the platform's, now or before. */
export type TrustedCheckpointKeys = Map<
  string,
  { alg: string; publicJwk: Record<string, unknown> }
>;

async function platformKey(core: Core): Promise<{ platform: Instance; dk: DataKey }> {
  const platform = await core.instances.get(PLATFORM_SLUG);
  return { platform, dk: new DataKeys(core.deps.kek).of(platform) };
}

/**
 * The keys a checkpoint may be signed with: every current signing key of the platform
 * instance whose private part opens (public part derived from it), and every key in the
 * checkpoint-key registry whose attestation verifies under the platform's data key.
 */
export async function trustedCheckpointKeys(core: Core): Promise<TrustedCheckpointKeys> {
  const { platform, dk } = await platformKey(core);
  const out: TrustedCheckpointKeys = new Map();
  for (const k of await core.deps.store.repos.audit.checkpointKeys())
    if (sameText(k.attestation, attestationOf(dk, k.kid, k.alg, k.publicJwk)))
      out.set(k.kid, { alg: k.alg, publicJwk: publicKeyMaterial(k.publicJwk) });
  for (const k of await core.signingKeys.list(platform)) {
    try {
      out.set(k.kid, { alg: k.alg, publicJwk: publicKeyMaterial(privateJwk(k, dk)) });
    } catch {
      // a row whose private part does not open under the platform key is not a platform key
    }
  }
  return out;
}

/**
 * Checks one checkpoint: its key must be a trusted platform key (when `trusted` is given),
 * its signature must verify with that key, and its payload must be what its row says.
 */
async function checkCheckpoint(
  c: AuditCheckpoint,
  trusted: TrustedCheckpointKeys | null,
): Promise<string | null> {
  let jwk = c.publicJwk;
  if (trusted) {
    const t = trusted.get(c.kid);
    if (!t || t.alg !== c.alg)
      return `it is signed by key ${c.kid}, which is not and never was a signing key of the platform instance (forged, or its key record was removed)`;
    if (!sameKey(t.publicJwk, c.publicJwk))
      return `its stored public key is not the platform key ${c.kid}`;
    jwk = t.publicJwk;
  }
  try {
    const key = await importJWK(jwk as JWK, c.alg);
    const { payload, protectedHeader } = await compactVerify(c.jws, key, { algorithms: [c.alg] });
    if (protectedHeader.kid !== c.kid) return 'its kid differs from the stored one';
    const p = JSON.parse(new TextDecoder().decode(payload)) as CheckpointPayload;
    if (
      p.typ !== CHECKPOINT_TYP ||
      p.instance !== c.instanceId ||
      p.seq !== c.seq ||
      p.hash !== c.hash ||
      p.id !== c.recordId
    )
      return 'its signed payload differs from the stored columns';
    return null;
  } catch {
    return 'its signature does not verify';
  }
}

/**
 * Verifies the chain of `instanceId`: records, head and checkpoints; names the first break.
 * `trustedKeys` (from `trustedCheckpointKeys`) decides which keys checkpoints may be signed
 * with; null checks signatures against the keys stored beside them only (no trust: for
 * tests of the chain itself). Use `verifyInstanceAuditTrail` in the service.
 */
export async function verifyAuditTrail(
  repo: AuditRepo,
  instanceId: string,
  opts: { pageSize?: number; trustedKeys: TrustedCheckpointKeys | null },
): Promise<AuditVerification> {
  const pageSize = opts.pageSize ?? 5000;
  const head = (await repo.head(instanceId)) ?? {
    seq: 0,
    hash: genesisHash(instanceId),
    lastId: null,
    prunedThroughSeq: 0,
    prunedHash: genesisHash(instanceId),
  };
  const checkpoints = await repo.checkpoints(instanceId);
  const report = (broken: ChainBreak | null, v: ChainVerifier | null): AuditVerification => ({
    instanceId,
    ok: broken === null,
    fromSeq: head.prunedThroughSeq,
    throughSeq: v?.last.seq ?? head.prunedThroughSeq,
    checked: v?.checked ?? 0,
    headSeq: head.seq,
    checkpoints: checkpoints.length,
    broken,
  });
  for (const c of checkpoints) {
    const bad = await checkCheckpoint(c, opts.trustedKeys);
    if (bad)
      return report(
        {
          seq: c.seq,
          id: c.recordId,
          reason: `the signed checkpoint at seq ${c.seq} is invalid: ${bad}`,
        },
        null,
      );
  }
  const anchor = { seq: head.prunedThroughSeq, hash: head.prunedHash };
  if (anchor.seq === 0 && anchor.hash !== genesisHash(instanceId))
    return report(
      { seq: 0, id: null, reason: 'the chain does not start at its genesis hash' },
      null,
    );
  const v = new ChainVerifier(
    instanceId,
    anchor,
    checkpoints.filter((c) => c.seq >= anchor.seq),
  );
  if (v.broken) return report(v.broken, v);
  let after = anchor.seq;
  for (;;) {
    const rows = await repo.scan(instanceId, after, pageSize);
    for (const r of rows) {
      const b = v.push(r);
      if (b) return report(b, v);
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1]!.seq;
  }
  return report(v.finish(head), v);
}

/** Verifies an instance's chain, trusting only checkpoints signed by platform keys. */
export async function verifyInstanceAuditTrail(
  core: Core,
  instanceId: string,
  opts: { pageSize?: number } = {},
): Promise<AuditVerification> {
  return verifyAuditTrail(core.deps.store.repos.audit, instanceId, {
    ...opts,
    trustedKeys: await trustedCheckpointKeys(core),
  });
}

/**
 * Signs the current head of `instanceId`'s chain with the platform instance's active
 * ES256 key and stores the checkpoint. Null when the chain is empty or its head is
 * already checkpointed.
 */
export async function createAuditCheckpoint(
  core: Core,
  instanceId: string,
  clock: Clock,
): Promise<AuditCheckpoint | null> {
  const repo = core.deps.store.repos.audit;
  const head = await repo.head(instanceId);
  if (!head || head.seq === 0) return null;
  const existing = await repo.checkpoints(instanceId);
  if (existing.some((c) => c.seq === head.seq)) return null;
  const { platform, dk } = await platformKey(core);
  const published = await core.signingKeys.published(platform);
  const key = published.find((k) => k.alg === 'ES256' && k.status === 'active') ?? published[0];
  if (!key) throw new Error('the platform instance has no signing key for audit checkpoints');
  const priv = privateJwk(key, dk);
  const at = clock.now();
  // the public part comes from the opened private key, never from the row
  const pub = { ...publicKeyMaterial(priv), kid: key.kid, alg: key.alg, use: 'sig' };
  // remember the key (attested) before its first checkpoint: it must outlive the key
  await repo.addCheckpointKey({
    kid: key.kid,
    alg: key.alg,
    publicJwk: pub,
    attestation: attestationOf(dk, key.kid, key.alg, pub),
    firstUsedAt: at,
  });
  const payload: CheckpointPayload = {
    typ: CHECKPOINT_TYP,
    instance: instanceId,
    seq: head.seq,
    id: head.lastId,
    hash: head.hash,
    at: at.toISOString(),
  };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: CHECKPOINT_TYP })
    .sign(await importJWK(priv as JWK, key.alg));
  const checkpoint: AuditCheckpoint = {
    instanceId,
    seq: head.seq,
    recordId: head.lastId,
    hash: head.hash,
    at,
    kid: key.kid,
    alg: key.alg,
    publicJwk: pub,
    jws,
  };
  await repo.addCheckpoint(checkpoint);
  return checkpoint;
}
