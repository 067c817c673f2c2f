// Admin API: user imports (issue 7) — a CSV file or JSON rows, validated in full first
// (400 listing every error by line and column, nothing written), then created in the
// background by durable jobs; progress by id, recent imports listed (to resume watching).
import { z } from 'zod';
import { AppError, type UserImport } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import {
  csvRows,
  IMPORT_MAX_ROWS,
  importRowSchema,
  startImport,
  validateRows,
} from '../imports/index.ts';
import { actorOfToken } from './authorize.ts';
import { route, type AnyRoute } from './route.ts';

const P = '/instances/{slug}/user-imports';
const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });

const ImportIn = z
  .strictObject({
    csv: z.string().min(1).optional().meta({
      description:
        'CSV text with a header line; columns username (required), email, email_verified, phone, display_name, status',
    }),
    rows: z.array(importRowSchema).max(IMPORT_MAX_ROWS).optional(),
  })
  .refine((v) => (v.csv === undefined) !== (v.rows === undefined), {
    message: 'give either csv or rows',
    path: ['csv'],
  })
  .meta({ id: 'UserImportRequest' });

const ImportOut = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'done']),
    total: z.number().int(),
    done: z.number().int().meta({ description: 'rows processed (created or failed)' }),
    created: z.number().int(),
    failed: z.number().int(),
    errors: z.array(
      z.object({ line: z.number().int(), column: z.string().nullable(), message: z.string() }),
    ),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'UserImport', description: 'A user import and its progress' });

const out = (i: UserImport) => ({
  id: i.id,
  status: i.status,
  total: i.total,
  done: i.done,
  created: i.done - i.failed,
  failed: i.failed,
  errors: i.errors,
  created_at: i.createdAt.toISOString(),
  updated_at: i.updatedAt.toISOString(),
});

export const importRoutes: AnyRoute[] = [
  route({
    method: 'post',
    path: P,
    operationId: 'createUserImport',
    summary:
      'Import users from CSV or JSON rows (validated in full, then created in the background)',
    description:
      'Every row is checked first (fields, duplicates in the file, existing users); any error answers 400 with `errors` by line and column and writes nothing. Imported users have no password.',
    tag: 'users',
    permission: 'users:write',
    body: ImportIn,
    status: 201,
    response: ImportOut,
    handler: async (call) => {
      const inst = await call.instance();
      const csv = call.body.csv !== undefined;
      const raw = csv ? csvRows(call.body.csv!) : (call.body.rows as Record<string, unknown>[]);
      const rows = await validateRows(call.sctx, inst, raw, csv);
      const actor = actorOfToken(call.admin);
      const imp = await startImport(call.sctx, inst, rows, `${actor.type}:${actor.id ?? ''}`);
      await call.sctx.audit.record({
        instanceId: inst.id,
        actor,
        action: 'user.import.start',
        target: { type: 'user_import', id: imp.id },
        result: 'success',
        ...requestMeta(call.ctx),
        details: { rows: rows.length, format: csv ? 'csv' : 'json' },
      });
      return out(imp);
    },
  }),
  route({
    method: 'get',
    path: P,
    operationId: 'listUserImports',
    summary: 'Recent user imports (most recent first)',
    tag: 'users',
    permission: 'users:read',
    response: z.object({ items: z.array(ImportOut) }),
    handler: async (call) => {
      const inst = await call.instance();
      return { items: (await call.sctx.store.repos.userImports.list(inst.id, 20)).map(out) };
    },
  }),
  route({
    method: 'get',
    path: `${P}/{id}`,
    operationId: 'getUserImport',
    summary: 'Progress of a user import',
    tag: 'users',
    permission: 'users:read',
    response: ImportOut,
    handler: async (call) => {
      const inst = await call.instance();
      const imp = await call.sctx.store.repos.userImports.get(inst.id, call.param('id'));
      if (!imp) throw new AppError('not_found', 'user import not found');
      return out(imp);
    },
  }),
];
