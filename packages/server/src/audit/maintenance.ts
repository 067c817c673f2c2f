// Background upkeep of the audit trail: retention (G4.6: default 180 days, per instance,
// never below AUDIT_MIN_RETENTION_DAYS) and signed checkpoints of every chain head.
// One pass every AUDIT_CHECKPOINT_INTERVAL_MS; `runAuditMaintenance` is also what the CLI
// and tests call.
import { AppError, createAuditCheckpoint, type AuditCheckpoint, type AuditHead } from '@idaas/core';
import type { Config } from '../config.ts';
import type { ServerContext } from '../context.ts';

/** The retention every instance gets unless set: 180 days (G4.6), or the legal minimum if higher. */
export const DEFAULT_RETENTION_DAYS = 180;
export const MAX_RETENTION_DAYS = 3650;

export function defaultRetentionDays(config: Config): number {
  return Math.max(DEFAULT_RETENTION_DAYS, config.audit.minRetentionDays);
}

/** The retention in force for a chain: its setting, never below the configured legal minimum. */
export function effectiveRetentionDays(config: Config, head: AuditHead | null): number {
  const set = head?.retentionDays ?? defaultRetentionDays(config);
  return Math.max(set, config.audit.minRetentionDays);
}

/** Refuses a retention below the legal minimum (or absurdly long), naming the field. */
export function checkRetentionDays(config: Config, days: number, field = 'retention_days'): void {
  const min = config.audit.minRetentionDays;
  const problem =
    !Number.isInteger(days) || days < min
      ? `must be a whole number of days, at least ${min} (the legal minimum, G4.6)`
      : days > MAX_RETENTION_DAYS
        ? `must be at most ${MAX_RETENTION_DAYS} days`
        : null;
  if (problem)
    throw new AppError('validation_failed', `${field}: ${problem}`, {
      issues: [{ field, message: problem }],
    });
}

export interface MaintenanceReport {
  pruned: { instanceId: string; deleted: number; throughSeq: number }[];
  checkpoints: AuditCheckpoint[];
  failures: { instanceId: string; error: string }[];
}

type Sctx = Pick<ServerContext, 'store' | 'core' | 'clock' | 'config' | 'logger' | 'audit'>;

/** Prunes expired records of one chain (keeping an anchor) and records that it did. */
export async function pruneInstance(
  sctx: Sctx,
  head: AuditHead,
): Promise<{ deleted: number; throughSeq: number }> {
  const now = sctx.clock.now();
  const days = effectiveRetentionDays(sctx.config, head);
  const before = new Date(now.getTime() - days * 86_400_000);
  const r = await sctx.store.repos.audit.prune(head.instanceId, before, now);
  if (r.deleted > 0)
    await sctx.audit.record({
      instanceId: head.instanceId,
      actor: { type: 'system', id: 'audit-retention' },
      action: 'audit.retention.prune',
      target: { type: 'audit-trail', id: head.instanceId },
      result: 'success',
      details: { deleted: r.deleted, through_seq: r.throughSeq, retention_days: days },
    });
  return r;
}

/** One pass: retention on every chain, then a signed checkpoint of every head that moved. */
export async function runAuditMaintenance(sctx: Sctx): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { pruned: [], checkpoints: [], failures: [] };
  for (const head of await sctx.store.repos.audit.heads()) {
    try {
      const r = await pruneInstance(sctx, head);
      if (r.deleted > 0) report.pruned.push({ instanceId: head.instanceId, ...r });
    } catch (err) {
      report.failures.push({ instanceId: head.instanceId, error: (err as Error).message });
      sctx.logger.error({ err, instanceId: head.instanceId }, 'audit retention sweep failed');
    }
  }
  await sctx.audit.flush?.();
  for (const head of await sctx.store.repos.audit.heads()) {
    try {
      const c = await createAuditCheckpoint(sctx.core, head.instanceId, sctx.clock);
      if (c) report.checkpoints.push(c);
    } catch (err) {
      report.failures.push({ instanceId: head.instanceId, error: (err as Error).message });
      sctx.logger.error({ err, instanceId: head.instanceId }, 'audit checkpoint failed');
    }
  }
  return report;
}

/** Runs maintenance every AUDIT_CHECKPOINT_INTERVAL_MS; returns a function that stops it. */
export function startAuditMaintenance(sctx: Sctx): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = runAuditMaintenance(sctx)
      .catch((err: unknown) => sctx.logger.error({ err }, 'audit maintenance failed'))
      .finally(() => (running = null));
  }, sctx.config.audit.checkpointIntervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
