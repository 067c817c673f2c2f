// User imports (issue 7): a CSV file (or JSON rows) validated in full first — every error
// reported by line and column, nothing written when any row is invalid — then created in
// chunks by durable jobs, so an import survives restarts and its progress (done / total /
// failed) can be watched, left and resumed. The rows hold personal data: they are sealed
// under the instance data key while the import runs and dropped when it is done.
// Imported users get no password (they set one through "forgot password" or an admin).
import { z } from 'zod';
import {
  AppError,
  createUserInput,
  newId,
  type ImportRowError,
  type Instance,
  type UserImport,
} from '@idaas/core';
import type { ServerContext } from '../context.ts';

export const IMPORT_JOB = 'user-import.chunk';
export const IMPORT_CHUNK = 100;
export const IMPORT_MAX_ROWS = 10_000;
/** Errors kept and shown per import. */
export const IMPORT_MAX_ERRORS = 200;

/** CSV columns (header names) and the user fields they set. */
export const IMPORT_COLUMNS = {
  username: 'username',
  email: 'email',
  email_verified: 'emailVerified',
  phone: 'phone',
  display_name: 'displayName',
  status: 'status',
} as const;
type Column = keyof typeof IMPORT_COLUMNS;

export interface ImportRow {
  line: number;
  username: string;
  email?: string;
  emailVerified?: boolean;
  phone?: string;
  displayName?: string;
  status?: 'enabled' | 'disabled' | 'locked';
}

/**
 * One 400 for a refused file: `errors` name the request field (`csv`, or `rows[i].column`
 * for JSON rows) and `row_errors` give line and column of each problem.
 */
const invalidFile = (errors: ImportRowError[], csv = true) =>
  new AppError(
    'validation_failed',
    `${csv ? 'csv' : 'rows'}: ${errors.length} error(s); first at line ${errors[0]!.line}${errors[0]!.column ? `, column ${errors[0]!.column}` : ''}: ${errors[0]!.message}`,
    {
      issues: errors.slice(0, IMPORT_MAX_ERRORS).map((e) => ({
        field: csv ? 'csv' : `rows[${e.line - 1}]${e.column ? `.${e.column}` : ''}`,
        message: csv
          ? `line ${e.line}${e.column ? `, column ${e.column}` : ''}: ${e.message}`
          : e.message,
      })),
      extra: { row_errors: errors.slice(0, IMPORT_MAX_ERRORS), row_error_count: errors.length },
    },
  );

/** RFC 4180 CSV: quoted fields with doubled quotes and embedded newlines; CRLF or LF. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) out.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (quoted)
    throw invalidFile([{ line: rowLine, column: null, message: 'unterminated quoted field' }]);
  if (cell !== '' || cells.length) endRow();
  return out;
}

const BOOL: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};

/** CSV text to rows; throws naming the header problem. */
export function csvRows(text: string): Record<string, string>[] & { lines?: number[] } {
  const records = parseCsv(text);
  if (records.length === 0)
    throw invalidFile([
      { line: 1, column: null, message: 'the file is empty (a header line is required)' },
    ]);
  const header = records[0]!.cells.map((h) => h.trim().toLowerCase());
  const errors: ImportRowError[] = [];
  header.forEach((h) => {
    if (!(h in IMPORT_COLUMNS))
      errors.push({
        line: 1,
        column: h || '(empty)',
        message: `is not a known column (known: ${Object.keys(IMPORT_COLUMNS).join(', ')})`,
      });
  });
  if (new Set(header).size !== header.length)
    errors.push({ line: 1, column: null, message: 'a column appears twice' });
  if (!header.includes('username'))
    errors.push({ line: 1, column: 'username', message: 'the username column is required' });
  if (errors.length) throw invalidFile(errors);
  const rows = records.slice(1).map((r) => {
    const o: Record<string, string> = { __line: String(r.line) };
    header.forEach((h, i) => (o[h] = r.cells[i] ?? ''));
    if (r.cells.length !== header.length) o.__width = String(r.cells.length);
    return o;
  });
  return rows;
}

export const importRowSchema = z.strictObject({
  username: z.string(),
  email: z.string().optional(),
  email_verified: z.union([z.boolean(), z.string()]).optional(),
  phone: z.string().optional(),
  display_name: z.string().optional(),
  status: z.string().optional(),
});

/**
 * Validates every row (fields, duplicates within the file, users that already exist);
 * returns the rows or throws one 400 listing every error by line and column.
 */
export async function validateRows(
  sctx: ServerContext,
  instance: Instance,
  raw: Record<string, unknown>[],
  csv: boolean,
): Promise<ImportRow[]> {
  const errors: ImportRowError[] = [];
  const rows: ImportRow[] = [];
  if (raw.length === 0)
    throw invalidFile([{ line: csv ? 2 : 1, column: null, message: 'there are no rows' }], csv);
  if (raw.length > IMPORT_MAX_ROWS)
    throw invalidFile([
      { line: 1, column: null, message: `at most ${IMPORT_MAX_ROWS} rows per import` },
    ]);
  const seenUser = new Map<string, number>();
  const seenEmail = new Map<string, number>();
  for (const [i, r] of raw.entries()) {
    const line = csv ? Number(r.__line) : i + 1;
    if (csv && r.__width !== undefined) {
      errors.push({
        line,
        column: null,
        message: `has ${String(r.__width)} cells; the header has ${Object.keys(r).filter((k) => !k.startsWith('__')).length}`,
      });
      continue;
    }
    const input: Record<string, unknown> = {};
    let bad = false;
    for (const [col, field] of Object.entries(IMPORT_COLUMNS) as [Column, string][]) {
      let v = r[col];
      if (v === undefined || v === null) continue;
      if (typeof v === 'string') {
        v = v.trim();
        if (v === '') continue;
      }
      if (col === 'email_verified' && typeof v === 'string') {
        const b = BOOL[v.toLowerCase()];
        if (b === undefined) {
          errors.push({ line, column: col, message: 'must be true or false' });
          bad = true;
          continue;
        }
        v = b;
      }
      input[field] = v;
    }
    if (!csv)
      for (const k of Object.keys(r))
        if (!(k in IMPORT_COLUMNS)) {
          errors.push({ line, column: k, message: 'is not a known field' });
          bad = true;
        }
    const parsed = createUserInput.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        const column =
          (Object.entries(IMPORT_COLUMNS).find(([, f]) => f === field)?.[0] as
            string | undefined) ??
          (field || null);
        errors.push({
          line,
          column,
          message: /received undefined$/.test(issue.message) ? 'is required' : issue.message,
        });
      }
      continue;
    }
    if (bad) continue;
    const v = parsed.data;
    const uKey = v.username.toLowerCase();
    const dupU = seenUser.get(uKey);
    if (dupU !== undefined)
      errors.push({ line, column: 'username', message: `repeats line ${dupU}` });
    else seenUser.set(uKey, line);
    if (v.email) {
      const eKey = v.email.toLowerCase();
      const dupE = seenEmail.get(eKey);
      if (dupE !== undefined)
        errors.push({ line, column: 'email', message: `repeats line ${dupE}` });
      else seenEmail.set(eKey, line);
    }
    rows.push({
      line,
      username: v.username,
      ...(v.email ? { email: v.email } : {}),
      ...(v.emailVerified !== undefined ? { emailVerified: v.emailVerified } : {}),
      ...(v.phone ? { phone: v.phone } : {}),
      ...(v.displayName ? { displayName: v.displayName } : {}),
      ...(v.status ? { status: v.status } : {}),
    });
  }
  // existing users (only for rows valid so far)
  const repo = sctx.store.repos.users;
  for (const row of rows) {
    if (errors.length >= IMPORT_MAX_ERRORS) break;
    if (await repo.getByUsername(instance.id, row.username))
      errors.push({ line: row.line, column: 'username', message: 'already exists' });
    if (row.email && (await repo.getByEmail(instance.id, row.email)))
      errors.push({ line: row.line, column: 'email', message: 'already exists' });
  }
  if (errors.length)
    throw invalidFile(
      errors.sort((a, b) => a.line - b.line),
      csv,
    );
  return rows;
}

const sealPurpose = (id: string) => `user-import:${id}`;

/** Starts an import of validated rows: the record and its first chunk job, together. */
export async function startImport(
  sctx: ServerContext,
  instance: Instance,
  rows: ImportRow[],
  createdBy: string | null,
): Promise<UserImport> {
  const dk = sctx.core.instances.dataKey(instance);
  const now = sctx.clock.now();
  const id = newId(sctx.clock);
  const record: UserImport = {
    instanceId: instance.id,
    id,
    status: 'queued',
    total: rows.length,
    done: 0,
    failed: 0,
    errors: [],
    rowsSealed: dk.encrypt(JSON.stringify(rows), sealPurpose(id)),
    createdBy,
    createdAt: now,
    updatedAt: now,
  };
  await sctx.store.transaction(async (tx) => {
    await tx.userImports.insert(record);
    await sctx.business.ports.jobs.enqueue(
      {
        kind: IMPORT_JOB,
        payload: { instanceId: instance.id, importId: id },
        runAt: now,
        dedupeKey: `${IMPORT_JOB}:${id}:0`,
      },
      tx,
    );
  });
  return record;
}

const registered = new WeakSet<ServerContext>();

/** The job handler (once per server): one chunk per job, then the next chunk's job. */
export function registerImportJobs(sctx: ServerContext): void {
  if (registered.has(sctx)) return;
  registered.add(sctx);
  sctx.business.ports.jobs.register(IMPORT_JOB, async (job) => {
    const { instanceId, importId } = job.payload as { instanceId: string; importId: string };
    const tx = job.tx;
    const instance = await tx.instances.get(instanceId);
    const imp = instance ? await tx.userImports.get(instanceId, importId) : null;
    if (!instance || !imp || imp.status === 'done' || !imp.rowsSealed || !instance.dataKeyWrapped)
      return;
    const dk = sctx.core.instances.dataKey(instance);
    const rows = JSON.parse(dk.decrypt(imp.rowsSealed, sealPurpose(imp.id))) as ImportRow[];
    const chunk = rows.slice(imp.done, imp.done + IMPORT_CHUNK);
    const errors = [...imp.errors];
    const created: string[] = [];
    let failed = imp.failed;
    for (const row of chunk) {
      const { line, ...input } = row;
      try {
        const u = await sctx.core.directory.createUser(instance, input);
        created.push(u.id);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err; // retried by the queue
        failed++;
        if (errors.length < IMPORT_MAX_ERRORS) {
          const issue = err.issues[0];
          errors.push({
            line,
            column: issue
              ? (Object.entries(IMPORT_COLUMNS).find(([, f]) => f === issue.field)?.[0] ??
                issue.field)
              : null,
            message: issue?.message.replace(/^[a-zA-Z]+: /, '') ?? err.code,
          });
        }
      }
    }
    const done = imp.done + chunk.length;
    const finished = done >= rows.length;
    await tx.userImports.update(instanceId, importId, {
      status: finished ? 'done' : 'running',
      done,
      failed,
      errors,
      rowsSealed: finished ? null : imp.rowsSealed,
      updatedAt: sctx.clock.now(),
    });
    await sctx.audit.record({
      instanceId,
      actor: { type: 'system', id: null },
      action: 'user.import.chunk',
      target: { type: 'user_import', id: importId },
      result: chunk.length - created.length === 0 ? 'success' : 'failure',
      details: {
        created: created.length,
        failed: chunk.length - created.length,
        userIds: created,
        done,
        total: rows.length,
      },
    });
    if (!finished)
      await sctx.business.ports.jobs.enqueue(
        {
          kind: IMPORT_JOB,
          payload: { instanceId, importId },
          runAt: job.now,
          dedupeKey: `${IMPORT_JOB}:${importId}:${done}`,
        },
        tx,
      );
  });
}
