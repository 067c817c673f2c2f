// The seams between the business modules, so that each can be built and tested on its
// own: commerce (orders, payments, ledger) and lifecycle (the agreement engine per
// instance, the durable scheduler, test clocks) on one side; operations (notices,
// metering and settlement, SLA, tickets) on the other. Implementations live in
// ./commerce, ./lifecycle and ./operations; the composition root wires them together.
import type { Clock } from '../clock.ts';
import type { Repos } from '../ports.ts';

/** Money is integer fen (CNY minor units) everywhere outside @idaas/agreement. */
export type Fen = number;

/** The time an account lives in: the wall clock, or its test clock (Stripe-style). */
export interface AccountClocks {
  clockFor(accountId: string): Promise<Clock>;
  /** The test clock an account is bound to, or null. */
  testClockOf(accountId: string): Promise<string | null>;
}

/** What operations needs from the ledger. Idempotent by `idempotencyKey`. */
export interface LedgerPort {
  /**
   * Debits cash (vouchers first where the reason allows, G3.5) for a fee or usage.
   * `covered` is false when the cash balance does not cover it: the account is in arrears.
   */
  charge(input: {
    accountId: string;
    instanceId: string | null;
    amountFen: Fen;
    reason: 'settlement' | 'late-fee' | 'order' | 'adjustment';
    idempotencyKey: string;
    at: Date;
    detail?: string;
    tx?: Repos;
  }): Promise<{ entryId: string; covered: boolean; cashBalanceFen: Fen }>;
  /** Credits vouchers for this product only (never cash, G3.5), e.g. SLA credits (SLA2). */
  issueVoucher(input: {
    accountId: string;
    amountFen: Fen;
    reason: 'sla-credit' | 'promotion';
    idempotencyKey: string;
    at: Date;
    expiresAt: Date | null;
    tx?: Repos;
  }): Promise<{ entryId: string }>;
  balance(accountId: string): Promise<{ cashFen: Fen; voucherFen: Fen }>;
  /** Fees charged for an instance in [from, to) (SLA2 credit base; G10.6 liability cap). */
  feesFor(instanceId: string, from: Date, to: Date): Promise<Fen>;
}

/** Usage recorded from the identity runtime's own events (operations provides it; commerce bills it). */
export interface UsagePort {
  /**
   * Usage of an instance in the hour starting at `hourStart` (UTC, on the hour):
   * authentications, and monthly active users first seen in that hour (so summing hours
   * of a calendar month gives the month's MAU).
   */
  hour(
    instanceId: string,
    hourStart: Date,
    tx?: Repos,
  ): Promise<{ authentications: number; newActiveUsers: number }>;
}

export type LifecycleEventType =
  | 'order-created'
  | 'order-paid'
  | 'activate'
  | 'expire'
  | 'quota-exhausted'
  | 'renew'
  | 'arrears'
  | 'payment';

/** A transition of an instance, as the lifecycle module reports it (to notices, SLA …). */
export interface LifecycleTransition {
  instanceId: string;
  accountId: string;
  at: Date;
  from: string | null;
  to: string;
  cause: LifecycleEventType | 'timer';
  clause: string;
  effects: string[];
}

/**
 * Called inside the transaction that applies a transition, with that transaction's
 * repos: whatever a listener writes commits together with the transition, or not at
 * all (exactly once). Listeners must not do I/O outside the database; they enqueue jobs.
 */
export type TransitionListener = (t: LifecycleTransition, tx: Repos) => Promise<void>;

/** What commerce and operations need from lifecycle enforcement. */
export interface LifecyclePort {
  /**
   * Feeds an event to the instance's policy (in the agreement engine) at `at`: due timers
   * fire first, then the event. Pass `tx` to take part in the caller's transaction.
   */
  record(
    instanceId: string,
    event: { type: LifecycleEventType; termEnd?: Date },
    at: Date,
    tx?: Repos,
  ): Promise<LifecycleTransition[]>;
  onTransition(listener: TransitionListener): void;
}

/** A durable job: a row with a due time, claimed by one worker, retried with backoff. */
export interface JobRequest {
  kind: string;
  payload: Record<string, unknown>;
  runAt: Date;
  /** A job with the same key is not queued twice (e.g. `settle:<instance>:<hour>`). */
  dedupeKey?: string;
  /** The test clock whose time this job lives in; null/absent = the wall clock. */
  clockId?: string | null;
}

/**
 * Runs inside a transaction with the job's claim: DB effects commit exactly once. A
 * handler that talks to the outside (SMTP) does so at least once: it must be idempotent
 * towards its own records (e.g. a notice already marked sent is skipped).
 */
export type JobHandler = (job: {
  id: string;
  payload: Record<string, unknown>;
  now: Date;
  clockId: string | null;
  tx: Repos;
}) => Promise<void>;

/** The durable scheduler's job side (the lifecycle module implements it). */
export interface JobQueue {
  enqueue(job: JobRequest, tx?: Repos): Promise<void>;
  register(kind: string, handler: JobHandler): void;
}

/** What lifecycle, commerce and support need from notices (G11). */
export interface NoticePort {
  /**
   * Queues a notice to the account's contacts on the channels the template names,
   * in the account's language; deduplicated by `dedupeKey`.
   */
  notify(input: {
    accountId: string;
    instanceId: string | null;
    template: string;
    vars: Record<string, string | number>;
    clause: string | null;
    dedupeKey: string;
    at: Date;
    tx?: Repos;
  }): Promise<void>;
}
