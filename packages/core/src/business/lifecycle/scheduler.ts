// The durable scheduler: lifecycle timers and jobs from the database, for the wall clock
// (the background loop) or for one test clock (advance: everything due, in order,
// jumping from one due instant to the next, Stripe-style).
import type { Clock } from '../../clock.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Store } from '../../ports.ts';
import type { AccountClocks, LifecycleTransition } from '../contracts.ts';
import type { TestClockRecord } from '../lifecycle-ports.ts';
import type { DurableJobs } from './jobs.ts';
import type { LifecycleService } from './service.ts';

export interface SweepResult {
  transitions: number;
  jobs: number;
}

export interface SchedulerOptions {
  /** lifecycle rows per claim/transaction (default 500) */
  batch?: number;
  /** called when a row or a batch fails (the row stays due and is retried) */
  onError?: (err: unknown, what: string) => void;
}

export class Scheduler {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #lifecycle: LifecycleService;
  readonly #jobs: DurableJobs;
  readonly #batch: number;
  readonly #onError: (err: unknown, what: string) => void;
  /** set by stop(): sweeps in progress end after their current transaction */
  #halted = false;
  constructor(
    store: Store,
    clock: Clock,
    lifecycle: LifecycleService,
    jobs: DurableJobs,
    opts: SchedulerOptions = {},
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#lifecycle = lifecycle;
    this.#jobs = jobs;
    this.#batch = opts.batch ?? 500;
    this.#onError = opts.onError ?? (() => {});
  }

  /** Lifecycle rows of a clock due at `now`, batch by batch; returns the transitions. */
  async sweepLifecycles(clockId: string | null, now: Date): Promise<LifecycleTransition[]> {
    const all: LifecycleTransition[] = [];
    for (;;) {
      let claimed: number;
      try {
        const r = await this.#lifecycle.sweep(clockId, now, this.#batch);
        claimed = r.claimed;
        all.push(...r.transitions);
      } catch (err) {
        // A batch failed (a listener, a conflict): retry its rows one by one so that one
        // bad row does not hold the others back; it stays due and is retried later.
        this.#onError(err, 'lifecycle batch');
        const ok = await this.#oneByOne(clockId, now, all);
        if (!ok) return all;
        continue;
      }
      if (claimed < this.#batch || this.#halted) return all;
    }
  }

  async #oneByOne(clockId: string | null, now: Date, out: LifecycleTransition[]): Promise<boolean> {
    const rows = await this.#store.transaction((tx) =>
      tx.lifecycles.claimDue(clockId, now, this.#batch),
    );
    let progress = false;
    for (const row of rows) {
      try {
        out.push(...(await this.#lifecycle.fireOne(row.instanceId, now)));
        progress = true;
      } catch (err) {
        this.#onError(err, `lifecycle of instance ${row.instanceId}`);
      }
    }
    return progress && rows.length === this.#batch;
  }

  /** Everything due for a clock at `now`: lifecycle timers, then jobs, until quiet. */
  async sweep(clockId: string | null, now: Date): Promise<SweepResult> {
    const total: SweepResult = { transitions: 0, jobs: 0 };
    for (let round = 0; round < 1000; round++) {
      const t = (await this.sweepLifecycles(clockId, now)).length;
      const j = await this.#jobs.runDue(clockId, now, 1000, () => this.#halted);
      total.transitions += t;
      total.jobs += j;
      if ((t === 0 && j === 0) || this.#halted) break;
    }
    return total;
  }

  /** The earliest instant anything is due on a clock (lifecycle timer or job), or null. */
  async nextDue(clockId: string | null): Promise<Date | null> {
    const [a, b] = await Promise.all([
      this.#store.repos.lifecycles.nextDueAt(clockId),
      this.#store.repos.jobs.nextRunAt(clockId),
    ]);
    if (!a) return b;
    if (!b) return a;
    return a <= b ? a : b;
  }

  /**
   * Moves a test clock to `to`, running everything due on it in order: the clock is set
   * to each due instant before what is due then runs; then to `to`. Never backwards.
   */
  async advance(
    clockId: string,
    to: Date,
  ): Promise<SweepResult & { clock: TestClockRecord; steps: number }> {
    if (Number.isNaN(to.getTime())) throw invalid('to', 'must be an RFC 3339 instant');
    const clock = await this.#store.repos.testClocks.get(clockId);
    if (!clock)
      throw new AppError('not_found', `clock ${JSON.stringify(clockId)} not found`, {
        issues: [{ field: 'clock', message: 'not found' }],
      });
    if (to < clock.now)
      throw invalid(
        'to',
        `must not be before the clock's current time ${clock.now.toISOString()} (clocks only move forward)`,
      );
    const total: SweepResult = { transitions: 0, jobs: 0 };
    let now = clock.now;
    let steps = 0;
    for (;;) {
      const next = await this.nextDue(clockId);
      if (!next || next > to) break;
      if (++steps > 100_000)
        throw new AppError('internal', `clock ${clockId}: more than 100000 due instants`);
      if (next > now) {
        now = next;
        await this.#store.repos.testClocks.setNow(clockId, now, this.#clock.now());
      }
      const r = await this.sweep(clockId, now);
      total.transitions += r.transitions;
      total.jobs += r.jobs;
      if (r.transitions === 0 && r.jobs === 0 && next <= now) {
        // something due could not run (a failing row or job): it stays due; go on in time
        const later = await this.nextDue(clockId);
        if (later && later <= now) break;
      }
    }
    await this.#store.repos.testClocks.setNow(clockId, to, this.#clock.now());
    return { ...total, steps, clock: { ...clock, now: to, updatedAt: this.#clock.now() } };
  }

  /**
   * The background loop for the wall clock: a sweep every `intervalMs` (the next one
   * starts `intervalMs` after the previous ended). Returns a function that stops it,
   * waiting for the sweep in progress.
   */
  start(intervalMs: number): () => Promise<void> {
    let stopped = false;
    this.#halted = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let running: Promise<void> = Promise.resolve();
    const tick = () => {
      timer = null;
      running = this.sweep(null, this.#clock.now())
        .then(
          () => {},
          (err: unknown) => this.#onError(err, 'sweep'),
        )
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, intervalMs);
        });
    };
    timer = setTimeout(tick, 0);
    return async () => {
      stopped = true;
      this.#halted = true;
      if (timer) clearTimeout(timer);
      await running;
    };
  }
}

/** Test clocks (Stripe-style) and the clock each account lives in. */
export class TestClocks implements AccountClocks {
  readonly #store: Store;
  readonly #clock: Clock;
  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async create(input: { name?: string; at?: Date }): Promise<TestClockRecord> {
    if (input.at && Number.isNaN(input.at.getTime()))
      throw invalid('at', 'must be an RFC 3339 instant');
    if (input.name !== undefined && (input.name.length < 1 || input.name.length > 200))
      throw invalid('name', 'must be 1-200 characters');
    const wall = this.#clock.now();
    const c: TestClockRecord = {
      id: newId(this.#clock),
      name: input.name ?? 'test clock',
      now: input.at ?? wall,
      createdAt: wall,
      updatedAt: wall,
    };
    await this.#store.repos.testClocks.insert(c);
    return c;
  }

  async get(id: string): Promise<TestClockRecord> {
    const c = await this.#repos().testClocks.get(id);
    if (!c) throw notFound(`clock ${JSON.stringify(id)}`);
    return c;
  }

  /** The store's repos: inside a listener or job handler they are its transaction's. */
  #repos() {
    return this.#store.repos;
  }

  async testClockOf(accountId: string): Promise<string | null> {
    return this.#repos().testClocks.clockOfAccount(accountId);
  }

  async clockFor(accountId: string): Promise<Clock> {
    const id = await this.testClockOf(accountId);
    if (!id) return this.#clock;
    const c = await this.#repos().testClocks.get(id);
    if (!c) return this.#clock;
    const ms = c.now.getTime();
    return { now: () => new Date(ms) };
  }

  /** A clock that reads a test clock's stored time at each call (async callers re-read). */
  async nowOf(clockId: string | null): Promise<Date> {
    if (!clockId) return this.#clock.now();
    return (await this.get(clockId)).now;
  }
}
