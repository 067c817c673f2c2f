// The audit trail on the server side: the sink every module records to, and the
// request metadata (IP address, user agent, host: G4.6) taken from a Koa context.
//
// The sink group-commits: `record()` stamps the record (id, instant) and queues it; one
// flusher writes everything queued — records of all instances — in one transaction
// (storage locks each chain head, multi-row inserts), and resolves the callers' promises
// after the commit. A failed write rejects the waiting promises (callers log it: an
// audit failure is never silent); when a batch spans several instances the failure is
// isolated by retrying each instance's records on their own.
//
// Inside an open store transaction a record JOINS it instead (written at once, in the
// transaction): it is committed exactly when the change it describes is, and rolled back
// with it. The alternative — queueing after commit — could lose the record of a committed
// change in a crash, and `record()` could not resolve "durable" without deadlocking the
// transaction waiting on it. Failure/denial records must therefore be made outside the
// failing transaction (the API dispatcher records after the handler has returned/thrown).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'koa';
import { newId, type AuditEntry, type AuditInput, type AuditSink } from '@idaas/core';
import type { ServerContext } from '../context.ts';

/** IP address, user agent and host of a request, for an audit record. */
export function requestMeta(ctx: Context): Pick<AuditInput, 'ip' | 'userAgent' | 'host'> {
  return {
    ip: ctx.ip || null,
    userAgent: ctx.get('user-agent').slice(0, 512) || null,
    host: ctx.host || null,
  };
}

/** The most records one flush writes in one transaction. */
export const MAX_AUDIT_BATCH = 5000;
/** Largest details object kept (serialized); larger ones are replaced by a marker. */
export const MAX_DETAILS_CHARS = 4096;

const SECRET_KEY =
  /pass(word|code|phrase)?$|secret|token|otp|totp|cookie|authorization|credential|private|^code$|recovery/i;

/** Details without secrets: values under secret-looking keys are replaced, size is bounded. */
export function sanitizeDetails(
  details: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (!details) return null;
  const clean = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? String(v) : v;
    if (depth > 5) return '[depth]';
    if (Array.isArray(v)) return v.slice(0, 100).map((x) => clean(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      out[k] = SECRET_KEY.test(k) ? '[redacted]' : clean(x, depth + 1);
    return out;
  };
  const out = clean(details, 0) as Record<string, unknown>;
  if (Object.keys(out).length === 0) return null;
  const text = JSON.stringify(out);
  return text.length > MAX_DETAILS_CHARS ? { truncated: true, size: text.length } : out;
}

export interface ChainedAuditSink extends AuditSink {
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Waiting {
  entry: AuditEntry;
  resolve(): void;
  reject(e: unknown): void;
}

export function createAuditSink(sctx: Omit<ServerContext, 'audit' | 'business'>): ChainedAuditSink {
  const { store, clock, logger } = sctx;
  // The async context the sink was made in (outside any transaction): the flusher runs
  // there, so that it never joins a transaction that happened to be open when the first
  // record of a batch was queued.
  const outside = AsyncLocalStorage.snapshot();
  let queue: Waiting[] = [];
  let current: Promise<void> | null = null;
  let closed = false;

  const inTransaction = (): boolean => {
    let inside = true;
    store.afterCommit(() => (inside = false)); // runs at once when there is no transaction
    return inside;
  };

  async function write(batch: Waiting[]): Promise<void> {
    try {
      await store.repos.audit.append(batch.map((w) => w.entry));
      for (const w of batch) w.resolve();
      return;
    } catch (err) {
      const groups = new Map<string, Waiting[]>();
      for (const w of batch) {
        const k = w.entry.input.instanceId;
        groups.set(k, [...(groups.get(k) ?? []), w]);
      }
      if (groups.size === 1) {
        logger.error({ err, records: batch.length }, 'audit records could not be written');
        for (const w of batch) w.reject(err);
        return;
      }
      for (const group of groups.values()) await write(group);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length) {
      const batch = queue.length <= MAX_AUDIT_BATCH ? queue : queue.slice(0, MAX_AUDIT_BATCH);
      queue = queue.length <= MAX_AUDIT_BATCH ? [] : queue.slice(MAX_AUDIT_BATCH);
      await write(batch);
    }
  }

  function kick(): void {
    if (current) return;
    current = new Promise<void>((resolve) => outside(() => setImmediate(resolve)))
      .then(drain)
      .finally(() => {
        current = null;
        if (queue.length) kick();
      });
  }

  async function flush(): Promise<void> {
    while (current || queue.length) {
      kick();
      await current;
    }
  }

  return {
    async record(e) {
      if (closed) throw new Error('the audit sink is closed');
      const entry: AuditEntry = {
        id: newId(clock),
        at: clock.now(),
        input: { ...e, details: sanitizeDetails(e.details) },
      };
      if (inTransaction()) {
        await store.repos.audit.append([entry]);
        return;
      }
      await new Promise<void>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        kick();
      });
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
