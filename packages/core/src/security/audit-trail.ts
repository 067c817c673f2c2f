// Verification of an instance's audit chain against its head and signed checkpoints, and
// the making of checkpoints (a JWS by the platform instance's current ES256 signing key,
// stored with its public JWK so it still verifies after the key has been rotated away).
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import type { Clock } from '../clock.ts';
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

/** Checks one checkpoint's signature and that its payload is what its row says. */
async function checkCheckpoint(c: AuditCheckpoint): Promise<string | null> {
  try {
    const key = await importJWK(c.publicJwk as JWK, c.alg);
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

/** Verifies the chain of `instanceId`: records, head and checkpoints; names the first break. */
export async function verifyAuditTrail(
  repo: AuditRepo,
  instanceId: string,
  opts: { pageSize?: number } = {},
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
    const bad = await checkCheckpoint(c);
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
  const platform = await core.instances.get(PLATFORM_SLUG);
  const published = await core.signingKeys.published(platform);
  const key = published.find((k) => k.alg === 'ES256' && k.status === 'active') ?? published[0];
  if (!key) throw new Error('the platform instance has no signing key for audit checkpoints');
  const priv = (await core.signingKeys.privateJwks(platform)).find((j) => j.kid === key.kid);
  if (!priv) throw new Error('the platform signing key could not be opened');
  const at = clock.now();
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
  const { d: _d, ...pub } = key.publicJwk as Record<string, unknown>;
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
