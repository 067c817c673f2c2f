// Lifecycle enforcement: the agreement engine's state per instance, moved by events
// (orders, payments, arrears — from commerce) and by due timers (the scheduler). Every
// transition is one transaction: the row (version-checked), its timeline entries, the
// mirror on `instances.state`, the transition listeners' writes, and — at release or
// void — the deletion of every row of the instance with a receipt. The instance's data
// key is destroyed in the vault first (irreversible; a failed deletion is retried by
// the scheduler and finds the data already unreadable: ID3, G6.4, G6.5).
import { findPolicy, policyByKey, policyKey } from '@idaas/agreement';
import { initialState, type Entry } from '@idaas/agreement';
import type { Clock } from '../../clock.ts';
import { AppError, invalid } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { Repos, Store } from '../../ports.ts';
import type { AuditSink } from '../../security/audit.ts';
import { PLATFORM_SLUG } from '../../services/instances.ts';
import type {
  LifecycleEventType,
  LifecyclePort,
  LifecycleTransition,
  TransitionListener,
} from '../contracts.ts';
import type { LifecycleEventRecord, LifecycleRow } from '../lifecycle-ports.ts';
import { advance, nextDue, type Advanced } from './engine.ts';

/** States after which the instance and all its rows are gone. */
export const GONE_STATES: ReadonlySet<string> = new Set(['released', 'void']);

const EVENT_TYPES: ReadonlySet<string> = new Set([
  'order-created',
  'order-paid',
  'activate',
  'expire',
  'quota-exhausted',
  'renew',
  'arrears',
  'payment',
]);

export interface LifecycleDeps {
  store: Store;
  /** The wall clock (row bookkeeping); event and timer instants come from callers. */
  clock: Clock;
  /**
   * Where the release (or void) of an instance is recorded: on the platform instance's
   * chain, in the transaction that deletes the instance's own trail (G4.6 vs ID3).
   */
  audit?: AuditSink;
}

const isConflict = (e: unknown): boolean => e instanceof AppError && e.code === 'conflict';

/** Resolves `ID1`, `P5/postpaid` or `P5` + variant to a catalog policy key. */
export function resolvePolicy(policy: string, variant?: string): string {
  if (policyByKey(policy)) return policy;
  const [id, v] = policy.split('/');
  const hit = findPolicy(id ?? policy, v ?? variant);
  if (!hit.ok) throw invalid(hit.field, hit.error);
  return policyKey(hit.policy);
}

export class LifecycleService implements LifecyclePort {
  readonly #deps: LifecycleDeps;
  readonly #listeners: TransitionListener[] = [];
  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
  }

  onTransition(listener: TransitionListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Creates the lifecycle of an instance (no event yet) unless it has one; returns it.
   * Commerce calls it when an order creates an instance, then records `order-created`.
   */
  async ensure(
    input: { instanceId: string; accountId: string; policy: string; clockId?: string | null },
    at?: Date,
    tx?: Repos,
  ): Promise<LifecycleRow> {
    const repos = tx ?? this.#deps.store.repos;
    const key = resolvePolicy(input.policy);
    const engine = initialState(policyByKey(key)!);
    const row: LifecycleRow = {
      instanceId: input.instanceId,
      accountId: input.accountId,
      policy: key,
      state: null,
      clause: null,
      engine,
      nextDueAt: null,
      clockId: input.clockId ?? null,
      version: 0,
      updatedAt: at ?? this.#deps.clock.now(),
    };
    if (await repos.lifecycles.insert(row)) return row;
    return (await repos.lifecycles.get(input.instanceId))!;
  }

  get(instanceId: string, tx?: Repos): Promise<LifecycleRow | null> {
    return (tx ?? this.#deps.store.repos).lifecycles.get(instanceId);
  }

  timeline(instanceId: string): Promise<LifecycleEventRecord[]> {
    return this.#deps.store.repos.lifecycles.events(instanceId);
  }

  async record(
    instanceId: string,
    event: { type: LifecycleEventType; termEnd?: Date },
    at: Date,
    tx?: Repos,
  ): Promise<LifecycleTransition[]> {
    if (!EVENT_TYPES.has(event.type))
      throw invalid('type', `must be one of ${[...EVENT_TYPES].join(', ')}`);
    if (event.termEnd !== undefined) {
      if (event.type !== 'order-paid' && event.type !== 'renew')
        throw invalid('termEnd', 'only order-paid and renew events carry a term end');
      if (!(event.termEnd.getTime() > at.getTime()))
        throw invalid('termEnd', 'must be after the event');
    }
    if (tx) return this.#recordIn(tx, instanceId, event, at);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#deps.store.transaction((t) => this.#recordIn(t, instanceId, event, at));
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
      }
    }
  }

  async #recordIn(
    tx: Repos,
    instanceId: string,
    event: { type: LifecycleEventType; termEnd?: Date },
    at: Date,
  ): Promise<LifecycleTransition[]> {
    const row = await tx.lifecycles.get(instanceId, { lock: true });
    if (!row)
      throw new AppError('not_found', `instance ${instanceId} has no lifecycle`, {
        issues: [{ field: 'instanceId', message: 'has no lifecycle' }],
      });
    const adv = advance(
      row.engine,
      event.termEnd === undefined
        ? { type: event.type }
        : { type: event.type, termEnd: event.termEnd.getTime() },
      at.getTime(),
    );
    return this.#commit(tx, [{ row, adv }]);
  }

  /**
   * One scheduler pass over a clock's due rows (at most `limit`), in ONE transaction:
   * claimed with SKIP LOCKED on PostgreSQL, fired up to `now`, saved with a version check.
   */
  async sweep(
    clockId: string | null,
    now: Date,
    limit: number,
  ): Promise<{ claimed: number; transitions: LifecycleTransition[] }> {
    return this.#deps.store.transaction(async (tx) => {
      const rows = await tx.lifecycles.claimDue(clockId, now, limit);
      const items = rows.map((row) => ({ row, adv: advance(row.engine, null, now.getTime()) }));
      return { claimed: rows.length, transitions: await this.#commit(tx, items) };
    });
  }

  /** Fires what is due for one instance (its own transaction): isolates a failing row. */
  async fireOne(instanceId: string, now: Date): Promise<LifecycleTransition[]> {
    return this.#deps.store.transaction(async (tx) => {
      const row = await tx.lifecycles.get(instanceId, { lock: true });
      if (!row || row.nextDueAt === null || row.nextDueAt > now) return [];
      return this.#commit(tx, [{ row, adv: advance(row.engine, null, now.getTime()) }]);
    });
  }

  async #commit(
    tx: Repos,
    items: { row: LifecycleRow; adv: Advanced }[],
  ): Promise<LifecycleTransition[]> {
    if (items.length === 0) return [];
    const wall = this.#deps.clock.now();
    const gone = items.filter((i) => i.adv.entries.some((e) => GONE_STATES.has(e.state)));
    // Crypto-shredding first: irreversible, so a failure below cannot leave the data readable.
    await Promise.all(gone.map(({ row }) => this.#deps.store.vault.destroy(row.instanceId)));

    const saves: LifecycleRow[] = [];
    const events: LifecycleEventRecord[] = [];
    const mirror: { instanceId: string; state: string }[] = [];
    const transitions: LifecycleTransition[] = [];
    for (const { row, adv } of items) {
      const last: Entry | undefined = adv.entries[adv.entries.length - 1];
      const due = nextDue(adv.state);
      saves.push({
        ...row,
        state: adv.state.state,
        clause: last?.clause ?? row.clause,
        engine: adv.state,
        nextDueAt: due === null ? null : new Date(due),
      });
      let from = row.state;
      for (const e of adv.entries) {
        const at = new Date(e.at);
        events.push({
          id: newId(this.#deps.clock),
          instanceId: row.instanceId,
          accountId: row.accountId,
          at,
          state: e.state,
          cause: e.cause,
          clause: e.clause,
          effects: [...e.effects],
          createdAt: wall,
        });
        transitions.push({
          instanceId: row.instanceId,
          accountId: row.accountId,
          at,
          from,
          to: e.state,
          cause: e.cause,
          clause: e.clause,
          effects: [...e.effects],
        });
        from = e.state;
      }
      if (adv.entries.length > 0 && adv.state.state !== null && !GONE_STATES.has(adv.state.state))
        mirror.push({ instanceId: row.instanceId, state: adv.state.state });
    }
    await tx.lifecycles.save(saves, wall); // throws on a concurrent change: all rolls back
    await tx.lifecycles.appendEvents(events);
    await tx.lifecycles.mirrorStates(mirror, wall);
    for (const t of transitions) for (const l of this.#listeners) await l(t, tx);
    for (const { row, adv } of gone) {
      const entry = adv.entries.find((e) => GONE_STATES.has(e.state))!;
      const instance = await tx.instances.get(row.instanceId);
      if (!instance) {
        // no instance row (never created, or removed by an earlier run): only the timers go
        await tx.lifecycles.delete(row.instanceId);
        continue;
      }
      const what = await tx.instanceData.purge(row.instanceId);
      const receiptId = newId(this.#deps.clock);
      if (instance)
        await tx.receipts.insert({
          id: receiptId,
          accountId: row.accountId,
          instanceId: row.instanceId,
          instanceSlug: instance.slug,
          at: new Date(entry.at),
          clause: entry.clause,
          what: { ...what, data_key: 1 },
          createdAt: wall,
        });
      // the fact of the deletion outlives the instance's own (deleted) audit trail
      const platform = this.#deps.audit ? await tx.instances.getBySlug(PLATFORM_SLUG) : null;
      if (this.#deps.audit && platform && platform.id !== row.instanceId)
        await this.#deps.audit.record({
          instanceId: platform.id,
          actor: { type: 'system', id: 'lifecycle' },
          action: 'instance.released',
          target: { type: 'instance', id: row.instanceId },
          result: 'success',
          details: {
            slug: instance.slug,
            state: entry.state,
            account_id: row.accountId,
            receipt_id: receiptId,
            clause: entry.clause,
            at: new Date(entry.at).toISOString(),
            // rows per table (as a list: table names like mfa_recovery_codes would read as secrets)
            deleted: Object.entries({ ...what, data_key: 1 }).map(([table, rows]) => ({
              table,
              rows,
            })),
          },
        });
    }
    return transitions;
  }
}
