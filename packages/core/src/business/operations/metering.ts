// Metering from the identity runtime's own events (G3.3, ID2): authentications per
// instance per UTC hour and monthly active users (distinct users per instance per
// calendar month in the agreement zone), buffered in memory and flushed in batches.
//
// What counts (docs/operations.md):
//  - an authentication = one `authenticated` event (an end user signed in), or one
//    `tokenIssued` event for a user on the `refresh_token` grant (the user's session
//    continued without a new sign-in). Tokens issued on `authorization_code` or the
//    device grant follow a sign-in already counted; client credentials have no user.
//  - an active user = a user with an `authenticated` or a user `tokenIssued` event in
//    the month; stored as a keyed hash of (instance, user id), never the id itself.
import { createHmac } from 'node:crypto';
import type { Repos, Store } from '../../ports.ts';
import type { UsagePort } from '../contracts.ts';
import { hourStart, monthKey } from './time.ts';

export interface MeterEvent {
  kind: 'authenticated' | 'tokenIssued';
  instanceId: string;
  userId: string | null;
  grantType?: string;
  at: Date;
}

export const COUNTED_TOKEN_GRANTS = new Set(['refresh_token']);

export class Meter implements UsagePort {
  readonly #store: Store;
  readonly #key: Buffer;
  /** `${instanceId} ${hourIso}` → authentications not yet written */
  #auth = new Map<string, number>();
  /** `${instanceId} ${month} ${ref}` → first seen (earliest instant in the batch) */
  #active = new Map<string, Date>();
  #flushing: Promise<void> = Promise.resolve();

  constructor(store: Store, hashKey: Buffer) {
    this.#store = store;
    this.#key = hashKey;
  }

  /** The keyed reference stored for a user (HMAC-SHA-256 of instance and user id). */
  userRef(instanceId: string, userId: string): string {
    return createHmac('sha256', this.#key).update(`${instanceId}\0${userId}`).digest('base64url');
  }

  record(e: MeterEvent): void {
    const counts =
      e.kind === 'authenticated' ||
      (e.userId !== null && COUNTED_TOKEN_GRANTS.has(e.grantType ?? ''));
    if (counts) {
      const k = `${e.instanceId} ${hourStart(e.at).toISOString()}`;
      this.#auth.set(k, (this.#auth.get(k) ?? 0) + 1);
    }
    if (e.userId) {
      const k = `${e.instanceId} ${monthKey(e.at)} ${this.userRef(e.instanceId, e.userId)}`;
      const seen = this.#active.get(k);
      if (!seen || e.at < seen) this.#active.set(k, e.at);
    }
  }

  get pending(): number {
    return this.#auth.size + this.#active.size;
  }

  /** Writes what is buffered in one transaction; on failure the batch is kept for the next flush. */
  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#flushOnce());
    this.#flushing = run.catch(() => {});
    return run;
  }

  async #flushOnce(): Promise<void> {
    if (this.#auth.size === 0 && this.#active.size === 0) return;
    const auth = this.#auth;
    const active = this.#active;
    this.#auth = new Map();
    this.#active = new Map();
    try {
      await this.#store.transaction(async (tx) => {
        for (const [k, n] of auth) {
          const [instanceId, hour] = k.split(' ') as [string, string];
          await tx.metering.addAuthentications(instanceId, new Date(hour), n);
        }
        const groups = new Map<string, { userRef: string; firstSeenAt: Date }[]>();
        for (const [k, at] of active) {
          const [instanceId, month, ref] = k.split(' ') as [string, string, string];
          const g = `${instanceId} ${month}`;
          groups.set(g, [...(groups.get(g) ?? []), { userRef: ref, firstSeenAt: at }]);
        }
        for (const [g, users] of groups) {
          const [instanceId, month] = g.split(' ') as [string, string];
          await tx.metering.addActiveUsers(instanceId, month, users);
        }
      });
    } catch (err) {
      // put the batch back (merged with what arrived meanwhile): counts stay exact
      for (const [k, n] of auth) this.#auth.set(k, (this.#auth.get(k) ?? 0) + n);
      for (const [k, at] of active) {
        const seen = this.#active.get(k);
        if (!seen || at < seen) this.#active.set(k, at);
      }
      throw err;
    }
  }

  /** UsagePort: the hour's authentications and newly seen monthly active users. */
  async hour(
    instanceId: string,
    hourStartAt: Date,
    tx?: Repos,
  ): Promise<{ authentications: number; newActiveUsers: number }> {
    const r = await (tx ?? this.#store.repos).metering.hour(instanceId, hourStartAt);
    return { authentications: r?.authentications ?? 0, newActiveUsers: r?.newActiveUsers ?? 0 };
  }

  monthlyActiveUsers(instanceId: string, month: string): Promise<number> {
    return this.#store.repos.metering.monthlyActiveUsers(instanceId, month);
  }
}
