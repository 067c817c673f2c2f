// idaas audit verify|export|checkpoint|sweep: the tamper-evident audit trail of an
// instance (issue 6, G4.6). `verify` exits 1 and names the first broken record (its
// sequence number, id and the reason) when the chain, its head or a signed checkpoint
// disagree.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  createAuditCheckpoint,
  verifyInstanceAuditTrail,
  type AuditVerification,
} from '@idaas/core';
import { auditWire, csvHeader, csvRow, jsonLine } from '@idaas/server/audit/export';
import { runAuditMaintenance } from '@idaas/server/audit/maintenance';
import { fail, print } from '../output.ts';
import { flagError, instanceBySlug, parseSubcommand, required, withContext } from '../context.ts';
import { onInstance, operatorOnly, type PermissionTable } from '../permissions.ts';

const SUBS = ['verify', 'export', 'checkpoint', 'sweep'] as const;
const USAGE = `usage: idaas audit <command> [options]
  verify --instance S [--json]
      Checks the hash chain of instance S against its head and signed checkpoints
      (accepted only when signed by a key the platform instance has, or had).
      Exit 0 when intact; exit 1 naming the first broken record (seq, id, reason).
  export --instance S [--format jsonl|csv] [--from T] [--to T] [--output FILE]
      The records (oldest first) as JSON Lines (default) or CSV, to stdout or FILE.
  checkpoint --instance S [--json]
      Signs the current head of the chain with the platform signing key.
  sweep [--json]
      One maintenance pass: retention on every chain (G4.6), then checkpoints.
Configuration comes from the environment (DATABASE_URL, IDAAS_KEK, ...), as for idaas start.`;

function human(slug: string, r: AuditVerification): string {
  const range = `records ${r.fromSeq + 1}–${r.headSeq}`;
  if (r.ok)
    return `audit trail of ${slug}: intact (${r.checked} ${range === 'records 1–0' ? 'records' : range}, ${r.checkpoints} signed checkpoints)`;
  const b = r.broken!;
  return `audit trail of ${slug}: BROKEN at seq ${b.seq} (id ${b.id ?? 'unknown'}): ${b.reason}`;
}

function instant(v: string | undefined, flag: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d\d-\d\dT/.test(v) || Number.isNaN(d.getTime()))
    throw flagError(flag, 'must be an RFC 3339 instant, e.g. 2026-05-01T00:00:00Z');
  return d;
}

export async function run(argv: string[]): Promise<number> {
  try {
    const parsed = parseSubcommand(
      argv,
      { name: 'audit', subs: SUBS, usage: USAGE },
      {
        instance: { type: 'string' },
        format: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        output: { type: 'string' },
      },
    );
    if (!parsed) return 0;
    const { sub, values, json } = parsed;
    const slug = sub === 'sweep' ? null : required(values.instance, '--instance');
    const format = values.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw flagError('--format', 'must be jsonl or csv');
    const from = instant(values.from, '--from');
    const to = instant(values.to, '--to');
    return await withContext(async ({ core, sctx }) => {
      const instance = slug === null ? null : await instanceBySlug(core, slug);
      if (sub === 'verify') {
        const r = await verifyInstanceAuditTrail(core, instance!.id);
        print(json, r, () => human(slug!, r));
        return r.ok ? 0 : 1;
      }
      if (sub === 'checkpoint') {
        const c = await createAuditCheckpoint(core, instance!.id, sctx.clock);
        const head = await sctx.store.repos.audit.head(instance!.id);
        const out = c
          ? { created: true, seq: c.seq, hash: c.hash, kid: c.kid, jws: c.jws }
          : { created: false, seq: head?.seq ?? 0 };
        print(json, out, () =>
          c
            ? `checkpoint of ${slug} at seq ${c.seq} signed by key ${c.kid}: ${c.hash}`
            : `no checkpoint needed for ${slug} (head seq ${out.seq} is empty or already signed)`,
        );
        return 0;
      }
      if (sub === 'sweep') {
        const r = await runAuditMaintenance(sctx);
        const out = {
          pruned: r.pruned,
          checkpoints: r.checkpoints.map((c) => ({ instance_id: c.instanceId, seq: c.seq })),
          failures: r.failures,
        };
        print(
          json,
          out,
          () =>
            `pruned ${r.pruned.reduce((n, p) => n + p.deleted, 0)} records in ${r.pruned.length} chains; ` +
            `${r.checkpoints.length} checkpoints; ${r.failures.length} failures`,
        );
        return r.failures.length ? 1 : 0;
      }
      // export
      const sink = values.output ? createWriteStream(values.output) : process.stdout;
      const write = async (s: string) => {
        if (!sink.write(s)) await once(sink, 'drain');
      };
      if (format === 'csv') await write(csvHeader());
      let after: number | null = null;
      for (;;) {
        const rows = await sctx.store.repos.audit.query(
          instance!.id,
          { from, to },
          { order: 'asc', afterSeq: after, limit: 1000 },
        );
        for (const v of rows)
          await write(format === 'csv' ? csvRow(auditWire(v)) : jsonLine(auditWire(v)));
        if (rows.length < 1000) break;
        after = rows[rows.length - 1]!.seq;
      }
      if (sink !== process.stdout) {
        sink.end();
        await once(sink, 'finish');
      }
      return 0;
    });
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  verify: onInstance('audit:read'),
  export: onInstance('audit:read'),
  // signs the chain head with the platform key: the operator's maintenance
  checkpoint: operatorOnly(true),
  sweep: operatorOnly(true),
};
