// The audit trail as the instance export carries it (G4.6 vs ID3: release deletes the
// trail with the instance; G4.7 lets the customer export first): where to download the
// records (streamed JSON Lines), the chain's head hash, the verification result and the
// latest signed checkpoint — so that the customer's copy can later be checked against a
// head the platform signed. The records themselves are not inlined (they can be many).
import { z } from 'zod';
import { verifyInstanceAuditTrail, type Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { API_PREFIX } from '../api/openapi.ts';

export const AuditTrailExport = z
  .object({
    records_url: z.string().meta({
      description:
        'The records, oldest first, as JSON Lines (GET with a token holding audit:read; resume with its Link rel="next")',
    }),
    head_seq: z.number().int(),
    head_digest: z
      .string()
      .meta({ description: "SHA-256 chain digest of the last record (its records' `digest`)" }),
    pruned_through_seq: z
      .number()
      .int()
      .meta({ description: 'Records up to this seq were deleted by retention' }),
    verification: z.object({
      ok: z.boolean(),
      checked: z.number().int(),
      checkpoints: z.number().int(),
      broken: z
        .object({ seq: z.number(), id: z.string().nullable(), reason: z.string() })
        .nullable(),
    }),
    last_checkpoint: z
      .object({ seq: z.number().int(), digest: z.string(), kid: z.string(), jws: z.string() })
      .nullable()
      .meta({ description: "The latest head signed by the platform's key (compact JWS)" }),
  })
  .meta({ id: 'AuditTrailExport' });

export async function auditTrailSummary(
  sctx: Pick<ServerContext, 'core' | 'store' | 'config'>,
  inst: Instance,
): Promise<z.infer<typeof AuditTrailExport>> {
  const repo = sctx.store.repos.audit;
  const v = await verifyInstanceAuditTrail(sctx.core, inst.id);
  const head = await repo.head(inst.id);
  const last = (await repo.checkpoints(inst.id)).at(-1) ?? null;
  return {
    records_url: `${sctx.config.publicUrl}${API_PREFIX}/instances/${encodeURIComponent(inst.slug)}/audit/records/export?format=jsonl`,
    head_seq: head?.seq ?? 0,
    head_digest: head?.hash ?? '',
    pruned_through_seq: head?.prunedThroughSeq ?? 0,
    verification: { ok: v.ok, checked: v.checked, checkpoints: v.checkpoints, broken: v.broken },
    last_checkpoint: last
      ? { seq: last.seq, digest: last.hash, kid: last.kid, jws: last.jws }
      : null,
  };
}
