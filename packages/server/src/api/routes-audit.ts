// Admin API: the audit trail of an instance (issue 6, G4.6) — query with filters and
// cursor pagination, export as JSON Lines or CSV (streamed, paged by `limit`/`cursor`),
// chain verification, retention settings. The platform's own events are on the chain of
// the platform instance (`/instances/platform/audit/…`).
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError, verifyInstanceAuditTrail, type AuditFilter } from '@idaas/core';
import { route, type AnyRoute } from './route.ts';
import { PageParams, pageOf } from './schemas.ts';
import { auditWire, csvHeader, csvRow, jsonLine } from '../audit/export.ts';
import {
  checkRetentionDays,
  defaultRetentionDays,
  effectiveRetentionDays,
  MAX_RETENTION_DAYS,
} from '../audit/maintenance.ts';

const I = '/instances/{slug}/audit';
const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });

const filters = {
  from: timestamp.optional().meta({ description: 'Records at or after this instant' }),
  to: timestamp.optional().meta({ description: 'Records before this instant' }),
  action: z
    .string()
    .regex(
      /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*(\.\*)?$/,
      'must be an action or a prefix ending in .*',
    )
    .max(200)
    .optional()
    .meta({ description: 'Exact action, or a prefix ending in `.*` (e.g. `login.*`)' }),
  actor_type: z
    .enum(['user', 'admin', 'subaccount', 'operator', 'client', 'system', 'anonymous'])
    .optional(),
  actor_id: z.string().min(1).max(200).optional(),
  on_behalf_of: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'The account a sub-account acted for (G5.6)' }),
  target_type: z.string().min(1).max(100).optional(),
  target_id: z.string().min(1).max(200).optional(),
  result: z.enum(['success', 'failure', 'denied']).optional(),
  ip: z.union([z.ipv4(), z.ipv6()], 'must be an IPv4 or IPv6 address').optional(),
};
const RecordsQuery = PageParams.extend(filters);
const ExportQuery = z.object({
  ...filters,
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  limit: z.coerce
    .number()
    .int('must be an integer')
    .min(1, `must be between 1 and 100000`)
    .max(100_000, 'must be between 1 and 100000')
    .default(100_000)
    .meta({ description: 'Most records in this export (oldest first); a Link rel="next" resumes' }),
  cursor: PageParams.shape.cursor,
});

const AuditRecordOut = z
  .object({
    seq: z.number().int(),
    id: z.string(),
    at: timestamp,
    actor_type: z.string(),
    actor_id: z.string().nullable(),
    on_behalf_of: z.string().nullable(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    result: z.string(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    host: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    digest: z.string().meta({ description: 'SHA-256 chain hash (hex) of this record' }),
  })
  .meta({ id: 'AuditRecord', description: 'One record of an instance audit trail' });
const AuditPage = pageOf(AuditRecordOut, 'AuditRecordPage');

const Verification = z
  .object({
    ok: z.boolean(),
    from_seq: z
      .number()
      .int()
      .meta({ description: 'Verification started after this record (retention anchor)' }),
    through_seq: z.number().int().meta({ description: 'The last record that verified' }),
    checked: z.number().int(),
    head_seq: z.number().int(),
    checkpoints: z.number().int(),
    broken: z
      .object({ seq: z.number().int(), id: z.string().nullable(), reason: z.string() })
      .nullable()
      .meta({ description: 'The first broken record, or null' }),
  })
  .meta({ id: 'AuditVerification' });

const Settings = z
  .object({
    retention_days: z.number().int(),
    default_retention_days: z.number().int(),
    min_retention_days: z.number().int().meta({
      description: 'The legal minimum configured for this service (AUDIT_MIN_RETENTION_DAYS)',
    }),
    pruned_through_seq: z.number().int(),
    head_seq: z.number().int(),
  })
  .meta({ id: 'AuditSettings' });
const SettingsIn = z
  .strictObject({
    retention_days: z
      .number()
      .int('must be a whole number of days')
      .max(MAX_RETENTION_DAYS)
      .nullable()
      .meta({
        description: 'Days records are kept; null = the default. Never below the legal minimum.',
      }),
  })
  .meta({ id: 'AuditSettingsUpdate' });

type FilterQuery = { [K in keyof typeof filters]?: string | undefined };

function toFilter(q: FilterQuery): AuditFilter {
  return {
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    action: q.action,
    actorType: q.actor_type,
    actorId: q.actor_id,
    onBehalfOf: q.on_behalf_of,
    targetType: q.target_type,
    targetId: q.target_id,
    result: q.result,
    ip: q.ip,
  };
}

const encodeCursor = (seq: number) => Buffer.from(`s${seq}`, 'utf8').toString('base64url');
function decodeCursor(c: string | undefined): number | null {
  if (!c) return null;
  const m = /^s(\d{1,15})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m)
    throw new AppError(
      'validation_failed',
      'cursor: must be a next_cursor value from a previous page',
      {
        issues: [{ field: 'cursor', message: 'must be a next_cursor value from a previous page' }],
      },
    );
  return Number(m[1]);
}

/** Rows per storage query while exporting. */
const EXPORT_PAGE = 1000;

export const auditRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: `${I}/records`,
    operationId: 'listAuditRecords',
    summary: 'Query the audit trail (newest first), with filters',
    tag: 'audit',
    permission: 'audit:read',
    query: RecordsQuery,
    response: AuditPage,
    handler: async ({ sctx, instance, query }) => {
      const inst = await instance();
      const rows = await sctx.store.repos.audit.query(inst.id, toFilter(query), {
        order: 'desc',
        beforeSeq: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const more = rows.length > query.limit;
      const items = more ? rows.slice(0, query.limit) : rows;
      return {
        items: items.map(auditWire),
        next_cursor: more ? encodeCursor(items[items.length - 1]!.seq) : null,
      };
    },
  }),
  route({
    method: 'get',
    path: `${I}/records/export`,
    operationId: 'exportAuditRecords',
    summary: 'Export the audit trail as JSON Lines or CSV (oldest first, streamed)',
    description:
      'At most `limit` records per response. With `limit` ≤ 1000, a Link rel="next" header gives the next part when more match; ' +
      'bigger exports are split by time (`from`, `to`). ' +
      'CSV fields starting with = + - @ are prefixed with an apostrophe (no formula injection).',
    tag: 'audit',
    permission: 'audit:read',
    query: ExportQuery,
    produces: ['application/x-ndjson', 'text/csv'],
    handler: async ({ ctx, sctx, instance, query }) => {
      const inst = await instance();
      const filter = toFilter(query);
      const start = decodeCursor(query.cursor);
      const repo = sctx.store.repos.audit;
      const csv = query.format === 'csv';
      // the first page is read before answering: errors become a problem response, and
      // whether a next page exists is known in time for the Link header
      const first = await repo.query(inst.id, filter, {
        order: 'asc',
        afterSeq: start,
        limit: Math.min(EXPORT_PAGE, query.limit) + 1,
      });
      let lastSeq: number | null = null;
      async function* lines(): AsyncGenerator<string> {
        if (csv) yield csvHeader();
        let page = first;
        let sent = 0;
        for (;;) {
          const room = query.limit - sent;
          for (const v of page.slice(0, Math.min(room, EXPORT_PAGE))) {
            yield csv ? csvRow(auditWire(v)) : jsonLine(auditWire(v));
            lastSeq = v.seq;
            sent++;
          }
          if (sent >= query.limit || page.length <= EXPORT_PAGE) return;
          page = await repo.query(inst.id, filter, {
            order: 'asc',
            afterSeq: lastSeq,
            limit: Math.min(EXPORT_PAGE, query.limit - sent) + 1,
          });
        }
      }
      // a next page exists when more rows match than this response may carry: counted up
      // front for small exports; big ones end with a Link to resume after their last row
      if (first.length > query.limit && query.limit <= EXPORT_PAGE) {
        const params = new URLSearchParams(ctx.querystring);
        params.set('cursor', encodeCursor(first[query.limit - 1]!.seq));
        ctx.set('Link', `<${sctx.config.publicUrl}${ctx.path}?${params.toString()}>; rel="next"`);
      }
      const name = `audit-${inst.slug}.${csv ? 'csv' : 'jsonl'}`;
      ctx.status = 200;
      ctx.type = csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="${name}"`);
      ctx.body = Readable.from(lines(), { objectMode: false });
    },
  }),
  route({
    method: 'get',
    path: `${I}/verify`,
    operationId: 'verifyAuditTrail',
    summary: 'Verify the hash chain and signed checkpoints; names the first broken record',
    tag: 'audit',
    permission: 'audit:read',
    response: Verification,
    handler: async ({ sctx, instance }) => {
      const inst = await instance();
      const r = await verifyInstanceAuditTrail(sctx.core, inst.id);
      return {
        ok: r.ok,
        from_seq: r.fromSeq,
        through_seq: r.throughSeq,
        checked: r.checked,
        head_seq: r.headSeq,
        checkpoints: r.checkpoints,
        broken: r.broken,
      };
    },
  }),
  route({
    method: 'get',
    path: `${I}/settings`,
    operationId: 'getAuditSettings',
    summary: 'Audit retention of an instance',
    tag: 'audit',
    permission: 'audit:read',
    response: Settings,
    handler: async ({ sctx, instance }) => {
      const inst = await instance();
      const head = await sctx.store.repos.audit.head(inst.id);
      return {
        retention_days: effectiveRetentionDays(sctx.config, head),
        default_retention_days: defaultRetentionDays(sctx.config),
        min_retention_days: sctx.config.audit.minRetentionDays,
        pruned_through_seq: head?.prunedThroughSeq ?? 0,
        head_seq: head?.seq ?? 0,
      };
    },
  }),
  route({
    method: 'put',
    path: `${I}/settings`,
    operationId: 'putAuditSettings',
    summary: 'Set the audit retention of an instance (never below the legal minimum, G4.6)',
    tag: 'audit',
    permission: 'policies:write',
    body: SettingsIn,
    response: Settings,
    handler: async ({ sctx, instance, body }) => {
      const inst = await instance();
      if (body.retention_days !== null) checkRetentionDays(sctx.config, body.retention_days);
      await sctx.store.repos.audit.setRetention(inst.id, body.retention_days, sctx.clock.now());
      const head = await sctx.store.repos.audit.head(inst.id);
      return {
        retention_days: effectiveRetentionDays(sctx.config, head),
        default_retention_days: defaultRetentionDays(sctx.config),
        min_retention_days: sctx.config.audit.minRetentionDays,
        pruned_through_seq: head?.prunedThroughSeq ?? 0,
        head_seq: head?.seq ?? 0,
      };
    },
  }),
];
