// Durable jobs: rows with a due time, claimed by one worker (SKIP LOCKED on PostgreSQL),
// run inside the claim's transaction (database effects commit exactly once), retried
// with exponential backoff, and `dead` with the last error after `maxAttempts`.
import type { Clock } from '../../clock.ts';
import { AppError, invalid } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Repos, Store } from '../../ports.ts';
import type { JobHandler, JobQueue, JobRequest } from '../contracts.ts';
import type { JobRecord } from '../lifecycle-ports.ts';

export interface JobOptions {
  /** attempts before a job is dead (default 8) */
  maxAttempts?: number;
  /** first retry delay; doubles each attempt (default 1 s), capped by maxBackoffMs (1 h) */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export class DurableJobs implements JobQueue {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #opts: Required<JobOptions>;
  constructor(store: Store, clock: Clock, opts: JobOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#opts = { maxAttempts: 8, backoffMs: 1000, maxBackoffMs: 3_600_000, ...opts };
  }

  register(kind: string, handler: JobHandler): void {
    if (this.#handlers.has(kind)) throw new Error(`job kind ${kind} is already registered`);
    this.#handlers.set(kind, handler);
  }

  async enqueue(job: JobRequest, tx?: Repos): Promise<void> {
    if (!job.kind) throw invalid('kind', 'is required');
    if (Number.isNaN(job.runAt.getTime())) throw invalid('runAt', 'must be a valid instant');
    const at = this.#clock.now();
    const record: JobRecord = {
      id: newId(this.#clock),
      kind: job.kind,
      payload: job.payload,
      runAt: job.runAt,
      attempts: 0,
      maxAttempts: this.#opts.maxAttempts,
      status: 'queued',
      lastError: null,
      dedupeKey: job.dedupeKey ?? null,
      clockId: job.clockId ?? null,
      createdAt: at,
      updatedAt: at,
    };
    await (tx ?? this.#store.repos).jobs.insert(record);
  }

  /** Runs the clock's jobs due at `now`, one transaction each; returns how many ran (ok or failed). */
  async runDue(
    clockId: string | null,
    now: Date,
    limit = 1000,
    halted: () => boolean = () => false,
  ): Promise<number> {
    let n = 0;
    while (n < limit && !halted() && (await this.#runOne(clockId, now))) n++;
    return n;
  }

  async #runOne(clockId: string | null, now: Date): Promise<boolean> {
    let failed: { job: JobRecord; error: unknown } | null = null;
    let ran = false;
    try {
      await this.#store.transaction(async (tx) => {
        const [job] = await tx.jobs.claimDue(clockId, now, 1);
        if (!job) return;
        ran = true;
        const handler = this.#handlers.get(job.kind);
        try {
          if (!handler) throw new AppError('internal', `no handler for job kind ${job.kind}`);
          await handler({ id: job.id, payload: job.payload, now, clockId: job.clockId, tx });
        } catch (error) {
          failed = { job, error };
          throw error; // rolls the handler's writes back
        }
        await tx.jobs.finish(job.id, this.#clock.now());
      });
    } catch (e) {
      if (!failed) throw e;
    }
    if (failed) {
      const { job, error } = failed as { job: JobRecord; error: unknown };
      const attempts = job.attempts + 1;
      const delay = Math.min(this.#opts.backoffMs * 2 ** (attempts - 1), this.#opts.maxBackoffMs);
      await this.#store.repos.jobs.failed(
        job.id,
        {
          attempts,
          runAt: new Date(now.getTime() + delay),
          error: error instanceof Error ? error.message : String(error),
          dead: attempts >= job.maxAttempts,
        },
        this.#clock.now(),
      );
    }
    return ran;
  }
}
