// Storage ports of lifecycle enforcement: the agreement engine's state per instance,
// due timers, lifecycle events, deletion receipts, durable jobs, test clocks.
import type { InstanceState as EngineState } from '@idaas/agreement';

/** One instance's lifecycle: the engine state (plain JSON) and its next due instant. */
export interface LifecycleRow {
  instanceId: string;
  accountId: string;
  /** policy key, e.g. `ID1`, `P5/postpaid` */
  policy: string;
  /** the engine's state (null before the first event) */
  state: string | null;
  /** the clause of the last transition */
  clause: string | null;
  engine: EngineState;
  /** when the next timer (or the term end's expiry) falls due; null = nothing scheduled */
  nextDueAt: Date | null;
  /** the test clock whose time this row lives in; null = the wall clock */
  clockId: string | null;
  /** optimistic concurrency: bumped by every save */
  version: number;
  updatedAt: Date;
}

/** An entry of an instance's timeline (kept for the account after release). */
export interface LifecycleEventRecord {
  id: string;
  instanceId: string;
  accountId: string;
  at: Date;
  state: string;
  cause: string;
  clause: string;
  effects: string[];
  createdAt: Date;
}

export interface LifecycleRepo {
  /** Inserts the row unless one exists for the instance; true when inserted. */
  insert(row: LifecycleRow): Promise<boolean>;
  /** `lock`: SELECT … FOR UPDATE on PostgreSQL (inside a transaction). */
  get(instanceId: string, opts?: { lock?: boolean }): Promise<LifecycleRow | null>;
  /**
   * Saves rows read at `version`; each is written with `version + 1`. Throws
   * AppError('conflict') when any row changed meanwhile (nothing of the call is kept
   * by the surrounding transaction then).
   */
  save(rows: LifecycleRow[], at: Date): Promise<void>;
  delete(instanceId: string): Promise<boolean>;
  /**
   * Rows of a clock (null = wall clock) due at or before `now`, oldest first, locked
   * for this transaction: FOR UPDATE SKIP LOCKED on PostgreSQL (other workers take
   * other rows); on SQLite the transaction itself holds the only write lock.
   */
  claimDue(clockId: string | null, now: Date, limit: number): Promise<LifecycleRow[]>;
  /** The earliest next_due_at of a clock's rows, or null. */
  nextDueAt(clockId: string | null): Promise<Date | null>;
  /** Mirrors engine states onto `instances.state`. */
  mirrorStates(states: { instanceId: string; state: string }[], at: Date): Promise<void>;
  appendEvents(events: LifecycleEventRecord[]): Promise<void>;
  events(instanceId: string): Promise<LifecycleEventRecord[]>;
}

export type JobStatus = 'queued' | 'done' | 'dead';

export interface JobRecord {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  status: JobStatus;
  lastError: string | null;
  dedupeKey: string | null;
  clockId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface JobRepo {
  /** Inserts the job unless one with the same dedupe key exists; true when inserted. */
  insert(job: JobRecord): Promise<boolean>;
  get(id: string): Promise<JobRecord | null>;
  /** Queued jobs of a clock due at or before `now`, locked like LifecycleRepo.claimDue. */
  claimDue(clockId: string | null, now: Date, limit: number): Promise<JobRecord[]>;
  /** Marks a job done (if still queued at `attempts`). */
  finish(id: string, at: Date): Promise<void>;
  /** After a failed attempt: queued again at `runAt`, or dead when `dead`. */
  failed(
    id: string,
    f: { attempts: number; runAt: Date; error: string; dead: boolean },
    at: Date,
  ): Promise<void>;
  /** The earliest run_at of a clock's queued jobs, or null. */
  nextRunAt(clockId: string | null): Promise<Date | null>;
  list(q: { status?: JobStatus; kind?: string; limit: number }): Promise<JobRecord[]>;
}

export interface TestClockRecord {
  id: string;
  name: string;
  now: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface TestClockRepo {
  insert(c: TestClockRecord): Promise<void>;
  get(id: string, opts?: { lock?: boolean }): Promise<TestClockRecord | null>;
  setNow(id: string, now: Date, at: Date): Promise<void>;
  /** The test clock an account is bound to (accounts.clock_id), or null. */
  clockOfAccount(accountId: string): Promise<string | null>;
  /** Binds an account to a test clock (or to the wall clock with null). */
  bindAccount(accountId: string, clockId: string | null): Promise<void>;
}

/** What was deleted at a release or void (ID3, G6.4): kept for the account. */
export interface DeletionReceipt {
  id: string;
  accountId: string;
  instanceId: string;
  instanceSlug: string;
  at: Date;
  clause: string;
  /** rows deleted per kind, and `data_key` 1 when the key was destroyed */
  what: Record<string, number>;
  createdAt: Date;
}

export interface DeletionReceiptRepo {
  insert(r: DeletionReceipt): Promise<void>;
  byAccount(accountId: string): Promise<DeletionReceipt[]>;
  byInstance(instanceId: string): Promise<DeletionReceipt | null>;
}

export interface InstanceDataRepo {
  /**
   * Deletes every row of an instance (directory, applications, keys, OIDC models,
   * usage, lifecycle row) and the instance itself; returns counts per kind.
   */
  purge(instanceId: string): Promise<Record<string, number>>;
}

export interface LifecycleRepos {
  lifecycles: LifecycleRepo;
  jobs: JobRepo;
  testClocks: TestClockRepo;
  receipts: DeletionReceiptRepo;
  instanceData: InstanceDataRepo;
}
