// Outbound provisioning: per application, every change of the instance's users and groups
// (through SCIM, the admin API, the CLI or the console: DirectoryService reports them
// inside the write's transaction) is pushed to the application's own SCIM endpoint
// (create, update — deactivation included —, delete; group members).
//
// Delivery never holds a database transaction during its HTTP call (a target on the same
// SQLite database would otherwise wait for the writer lock we hold, forever):
//   1. the `scim.push` job claims the push: in the job's transaction it stores a lease
//      (a Pending record with a fresh token) and queues a guard job for when the lease
//      runs out; the transaction commits;
//   2. after the commit the HTTP calls run (serialised per target, in claim order);
//   3. the result is recorded in a new transaction: the remote id (Link), the lease
//      cleared; on failure a retry is queued with exponential backoff, and after the last
//      attempt the push goes to the dead-letter list (Dead records).
// If the process dies between 1 and 3, the guard job finds the lease still there and
// pushes again: at least once. Pushes are idempotent towards the target: the current
// local state is sent with PUT to the remote id we know, or the remote resource with our
// id as externalId (or the same userName/displayName) is adopted before any POST.
//
// A target (endpoint URL + bearer token) is sealed under the instance data key and never
// returned; so are links and dead letters.
import { randomBytes } from 'node:crypto';
import type { Instance, ResyncRecord } from '@idaas/core';
import { newId } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { getKey, type Json } from './filter.ts';
import { ScimError } from './errors.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimStore, type Kind } from './service.ts';

export const PUSH_JOB = 'scim.push';
export const MAX_ATTEMPTS = 8;
const LEASE_MS = 5 * 60_000;
const BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;
const HTTP_TIMEOUT_MS = 15_000;

export interface Target {
  url: string;
  token: string;
}

export interface TargetInfo {
  applicationId: string;
  url: string;
  updatedAt: Date;
}

export interface DeadLetter {
  id: string;
  applicationId: string;
  kind: Kind;
  resourceId: string;
  op: 'upsert' | 'delete';
  error: string;
  attempts: number;
  at: Date;
}

interface Push {
  instanceId: string;
  appId: string;
  kind: Kind;
  id: string;
  op: 'upsert' | 'delete';
  /** 1 for the first attempt. */
  attempt?: number;
  /** Set on a guard job: the lease token it guards. */
  lease?: string;
  /** The re-sync this push belongs to. */
  resync?: string;
}

const linkId = (appId: string, kind: Kind, id: string) => `${appId}:${kind}:${id}`;

/** Deliveries in flight per server (tests and shutdown wait for them). */
const inflight = new WeakMap<ServerContext, Set<Promise<void>>>();
/** Per target, the tail of its delivery chain (deliveries to one target run in order). */
const chains = new WeakMap<ServerContext, Map<string, Promise<void>>>();
/** Pushes already queued in the current transaction (keyed by its repos), to queue each once. */
const queued = new WeakMap<object, Set<string>>();
const registered = new WeakSet<ServerContext>();
/** Lease tokens whose delivery runs in this process right now. */
const active = new Set<string>();

export class Outbound {
  readonly #sctx: ServerContext;
  constructor(sctx: ServerContext) {
    this.#sctx = sctx;
  }

  /** Resolves once no delivery is in flight (deliveries started meanwhile included). */
  static async settled(sctx: ServerContext): Promise<void> {
    const set = inflight.get(sctx);
    while (set && set.size) await Promise.allSettled([...set]);
  }

  #dk(instance: Instance) {
    return this.#sctx.core.instances.dataKey(instance);
  }

  get #repos() {
    return this.#sctx.store.repos;
  }

  /** Sets (or replaces) the SCIM endpoint an application of the instance is provisioned at. */
  async setTarget(instance: Instance, applicationId: string, target: Target): Promise<void> {
    if (!(await this.#repos.applications.get(instance.id, applicationId)))
      throw new ScimError(404, `no application ${applicationId}`);
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new ScimError(400, 'url must be an http(s) URL', 'invalidValue');
    }
    if (!/^https?:$/.test(url.protocol))
      throw new ScimError(400, 'url must be an http(s) URL', 'invalidValue');
    if (this.#sctx.config.production && url.protocol !== 'https:')
      throw new ScimError(400, 'url must be https in production', 'invalidValue');
    if (!target.token) throw new ScimError(400, 'token is required', 'invalidValue');
    await this.#repos.scim.put({
      instanceId: instance.id,
      kind: 'Target',
      resourceId: applicationId,
      externalIdLookup: null,
      version: 1,
      data: this.#dk(instance).encrypt(JSON.stringify(target), `scim-Target:${applicationId}`),
      updatedAt: this.#sctx.clock.now(),
    });
  }

  /** Changes the URL and/or token of an existing target. */
  async updateTarget(
    instance: Instance,
    applicationId: string,
    patch: Partial<Target>,
  ): Promise<void> {
    const current = await this.#target(instance, applicationId);
    if (!current) throw new ScimError(404, `application ${applicationId} has no SCIM target`);
    await this.setTarget(instance, applicationId, { ...current, ...patch });
  }

  /** Removes an application's target; false when it had none. */
  async removeTarget(instance: Instance, applicationId: string): Promise<boolean> {
    const had = await this.#repos.scim.get(instance.id, 'Target', applicationId);
    await this.#repos.scim.delete(instance.id, 'Target', applicationId);
    return had !== null;
  }

  async #target(instance: Instance, appId: string): Promise<Target | null> {
    const r = await this.#repos.scim.get(instance.id, 'Target', appId);
    return r
      ? (JSON.parse(this.#dk(instance).decrypt(r.data, `scim-Target:${appId}`)) as Target)
      : null;
  }

  /** The targets of an instance (URL only: the token is never returned). */
  async targets(instance: Instance): Promise<TargetInfo[]> {
    const ids = await this.#repos.scim.listIds(instance.id, 'Target');
    const out: TargetInfo[] = [];
    for (const r of await this.#repos.scim.getMany(instance.id, 'Target', ids)) {
      const t = JSON.parse(
        this.#dk(instance).decrypt(r.data, `scim-Target:${r.resourceId}`),
      ) as Target;
      out.push({ applicationId: r.resourceId, url: t.url, updatedAt: r.updatedAt });
    }
    return out;
  }

  async target(instance: Instance, applicationId: string): Promise<TargetInfo | null> {
    return (await this.targets(instance)).find((t) => t.applicationId === applicationId) ?? null;
  }

  /** Queues a push of one change to every target of the instance (in the caller's transaction). */
  async changed(instance: Instance, kind: Kind, id: string, op: Push['op']): Promise<void> {
    const apps = await this.#repos.scim.listIds(instance.id, 'Target');
    if (!apps.length) return;
    const scope = this.#repos.jobs as object;
    let seen = queued.get(scope);
    if (!seen) queued.set(scope, (seen = new Set()));
    for (const appId of apps) {
      const key = `${instance.id}:${appId}:${kind}:${id}:${op}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // outside a transaction this runs at once: nothing is deduplicated there
      this.#sctx.store.afterCommit(() => seen.delete(key));
      await this.#enqueue({ instanceId: instance.id, appId, kind, id, op, attempt: 1 });
    }
  }

  async #enqueue(p: Push, delayMs = 0, from = this.#sctx.clock.now()): Promise<void> {
    await this.#sctx.business.ports.jobs.enqueue({
      kind: PUSH_JOB,
      payload: { ...p },
      runAt: new Date(from.getTime() + delayMs),
    });
  }

  /** Queues every user and group of the instance for one target (a full re-sync). */
  async resync(instance: Instance, appId: string): Promise<ResyncRecord> {
    if (!(await this.#target(instance, appId)))
      throw new ScimError(404, `application ${appId} has no SCIM target`);
    const repos = this.#repos;
    const at = this.#sctx.clock.now();
    const record: ResyncRecord = {
      instanceId: instance.id,
      id: newId(this.#sctx.clock),
      applicationId: appId,
      total: 0,
      done: 0,
      failed: 0,
      startedAt: at,
      updatedAt: at,
    };
    const pushes: Push[] = [];
    for (const kind of ['User', 'Group'] as const) {
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; next: string | null } =
          kind === 'User'
            ? await repos.users.list(instance.id, { limit: 1000, cursor })
            : await repos.groups.list(instance.id, { limit: 1000, cursor });
        for (const r of page.items)
          pushes.push({
            instanceId: instance.id,
            appId,
            kind,
            id: r.id,
            op: 'upsert',
            attempt: 1,
            resync: record.id,
          });
        cursor = page.next;
      } while (cursor);
    }
    record.total = pushes.length;
    await this.#sctx.store.transaction(async () => {
      await repos.scim.resyncInsert(record);
      for (const p of pushes) await this.#enqueue(p);
    });
    return record;
  }

  resyncs(instance: Instance, appId?: string): Promise<ResyncRecord[]> {
    return this.#repos.scim.resyncList(instance.id, appId);
  }

  /** Pushes that failed their last attempt (the dead-letter list), for this instance. */
  async deadLetters(instance: Instance, appId?: string): Promise<DeadLetter[]> {
    const ids = await this.#repos.scim.listIds(instance.id, 'Dead');
    const out: DeadLetter[] = [];
    for (const r of await this.#repos.scim.getMany(instance.id, 'Dead', ids)) {
      const d = JSON.parse(this.#dk(instance).decrypt(r.data, `scim-Dead:${r.resourceId}`)) as {
        push: Push;
        error: string;
        attempts: number;
      };
      if (appId && d.push.appId !== appId) continue;
      out.push({
        id: r.resourceId,
        applicationId: d.push.appId,
        kind: d.push.kind,
        resourceId: d.push.id,
        op: d.push.op,
        error: d.error,
        attempts: d.attempts,
        at: r.updatedAt,
      });
    }
    return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id));
  }

  async #dead(instance: Instance, id: string): Promise<Push> {
    const r = await this.#repos.scim.get(instance.id, 'Dead', id);
    if (!r) throw new ScimError(404, `no dead letter ${id}`);
    return (
      JSON.parse(this.#dk(instance).decrypt(r.data, `scim-Dead:${id}`)) as {
        push: Push;
      }
    ).push;
  }

  /** Queues a dead push again (a fresh set of attempts) and removes it from the list. */
  async retryDead(instance: Instance, id: string): Promise<void> {
    const push = await this.#dead(instance, id);
    await this.#sctx.store.transaction(async () => {
      await this.#repos.scim.delete(instance.id, 'Dead', id);
      const { resync: _r, lease: _l, ...rest } = push;
      await this.#enqueue({ ...rest, attempt: 1 });
    });
  }

  /** Drops a dead push for good. */
  async discardDead(instance: Instance, id: string): Promise<void> {
    await this.#dead(instance, id);
    await this.#repos.scim.delete(instance.id, 'Dead', id);
  }

  /** The job handler, and the directory listener that queues pushes (once per server). */
  register(): void {
    if (registered.has(this.#sctx)) return;
    registered.add(this.#sctx);
    this.#sctx.business.ports.jobs.register(PUSH_JOB, (job) =>
      this.#claim(job.payload as unknown as Push, job.now),
    );
    this.#sctx.core.directory.onChange((c) => this.changed(c.instance, c.kind, c.id, c.op));
  }

  /** Step 1, in the job's transaction: take a lease, queue its guard, deliver after commit. */
  async #claim(p: Push, now: Date): Promise<void> {
    const repos = this.#repos;
    const instance = await repos.instances.get(p.instanceId);
    if (!instance || !instance.dataKeyWrapped) return;
    const dk = this.#dk(instance);
    const lid = linkId(p.appId, p.kind, p.id);
    if (p.lease) {
      const pending = await repos.scim.get(instance.id, 'Pending', lid);
      const token = pending
        ? (JSON.parse(dk.decrypt(pending.data, `scim-Pending:${lid}`)) as { token: string }).token
        : null;
      if (token !== p.lease) return; // delivered (or superseded by a newer push) meanwhile
      if (active.has(token)) {
        // still being delivered by this process (slow target): look again later
        await this.#enqueue(p, LEASE_MS, now);
        return;
      }
    }
    const target = await this.#target(instance, p.appId);
    if (!target) {
      if (p.resync) await repos.scim.resyncCount(instance.id, p.resync, 'failed', this.#now());
      return; // target removed since
    }
    const token = randomBytes(16).toString('base64url');
    await repos.scim.put({
      instanceId: instance.id,
      kind: 'Pending',
      resourceId: lid,
      externalIdLookup: null,
      version: 1,
      data: dk.encrypt(JSON.stringify({ token }), `scim-Pending:${lid}`),
      updatedAt: this.#now(),
    });
    const attempt = p.attempt ?? 1;
    // the guard: due when the lease runs out, counted from the instant the job ran at
    await this.#enqueue({ ...p, attempt: attempt + 1, lease: token }, LEASE_MS, now);
    this.#sctx.store.afterCommit(() => this.#schedule(instance, target, p, token, attempt));
  }

  #now() {
    return this.#sctx.clock.now();
  }

  #schedule(instance: Instance, target: Target, p: Push, token: string, attempt: number): void {
    let perTarget = chains.get(this.#sctx);
    if (!perTarget) chains.set(this.#sctx, (perTarget = new Map()));
    let set = inflight.get(this.#sctx);
    if (!set) inflight.set(this.#sctx, (set = new Set()));
    const key = `${p.instanceId}:${p.appId}`;
    active.add(token);
    const run = (perTarget.get(key) ?? Promise.resolve())
      .then(() => this.#deliver(instance, target, p, token, attempt))
      .finally(() => active.delete(token));
    const tail = run.catch(() => undefined);
    perTarget.set(key, tail);
    set.add(tail);
    void tail.finally(() => {
      set.delete(tail);
      if (perTarget.get(key) === tail) perTarget.delete(key);
    });
  }

  /** Steps 2 and 3: the HTTP calls (no transaction open), then the result in a new one. */
  async #deliver(
    instance: Instance,
    target: Target,
    p: Push,
    token: string,
    attempt: number,
  ): Promise<void> {
    const repos = this.#repos;
    const dk = this.#dk(instance);
    const lid = linkId(p.appId, p.kind, p.id);
    let outcome: { ok: true; remoteId: string | null } | { ok: false; error: string };
    try {
      outcome = { ok: true, remoteId: await this.#push(instance, target, p) };
    } catch (e) {
      outcome = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    const log = this.#sctx.logger;
    // audited in the transaction that records the outcome (never attribute values)
    const audit = (
      action: string,
      result: 'success' | 'failure',
      details: Record<string, unknown>,
    ) =>
      this.#sctx.audit.record({
        instanceId: instance.id,
        actor: { type: 'system', id: null },
        action,
        target: { type: p.kind === 'User' ? 'user' : 'group', id: p.id },
        result,
        details: {
          application: p.appId,
          op: p.op,
          attempt,
          ...(p.resync ? { resync: p.resync } : {}),
          ...details,
        },
      });
    await this.#sctx.store.transaction(async () => {
      const pending = await repos.scim.get(instance.id, 'Pending', lid);
      const mine =
        pending &&
        (JSON.parse(dk.decrypt(pending.data, `scim-Pending:${lid}`)) as { token: string }).token ===
          token;
      if (mine) await repos.scim.delete(instance.id, 'Pending', lid);
      const at = this.#now();
      if (outcome.ok) {
        if (outcome.remoteId === null) await repos.scim.delete(instance.id, 'Link', lid);
        else
          await repos.scim.put({
            instanceId: instance.id,
            kind: 'Link',
            resourceId: lid,
            externalIdLookup: null,
            version: 1,
            data: dk.encrypt(JSON.stringify({ id: outcome.remoteId }), `scim-Link:${lid}`),
            updatedAt: at,
          });
        if (p.resync) await repos.scim.resyncCount(instance.id, p.resync, 'done', at);
        await audit('scim.outbound.delivered', 'success', {});
        return;
      }
      if (!mine) return; // a newer push of the same resource took over
      if (attempt >= MAX_ATTEMPTS) {
        const id = newId(this.#sctx.clock);
        await repos.scim.put({
          instanceId: instance.id,
          kind: 'Dead',
          resourceId: id,
          externalIdLookup: null,
          version: 1,
          data: dk.encrypt(
            JSON.stringify({ push: p, error: outcome.error, attempts: attempt }),
            `scim-Dead:${id}`,
          ),
          updatedAt: at,
        });
        if (p.resync) await repos.scim.resyncCount(instance.id, p.resync, 'failed', at);
        await audit('scim.outbound.dead_lettered', 'failure', { dead_letter: id });
        return;
      }
      const { lease: _l, ...rest } = p;
      await this.#enqueue(
        { ...rest, attempt: attempt + 1 },
        Math.min(BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS),
      );
    });
    if (!outcome.ok)
      log.warn(
        { event: 'scim.outbound.failed', instance: instance.slug, app: p.appId, attempt },
        'SCIM outbound push failed',
      );
  }

  /** The HTTP part of a push: returns the remote id (null when deleted there). */
  async #push(instance: Instance, target: Target, p: Push): Promise<string | null> {
    const repos = this.#repos;
    const dk = this.#dk(instance);
    const lid = linkId(p.appId, p.kind, p.id);
    const linkRec = await repos.scim.get(instance.id, 'Link', lid);
    let remoteId = linkRec
      ? (JSON.parse(dk.decrypt(linkRec.data, `scim-Link:${lid}`)) as { id: string }).id
      : null;
    const base = target.url.replace(/\/+$/, '');
    const path = p.kind === 'User' ? 'Users' : 'Groups';
    const call = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${target.token}`,
          accept: 'application/scim+json',
          ...(body ? { 'content-type': 'application/scim+json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      const text = await res.text();
      let parsed: Json | null = null;
      try {
        parsed = text ? (JSON.parse(text) as Json) : null;
      } catch {
        parsed = null;
      }
      return { status: res.status, body: parsed };
    };
    const fail = (what: string, r: { status: number; body: Json | null }) =>
      new Error(
        `${what} → ${r.status}${r.body?.detail ? ` ${String(r.body.detail).slice(0, 200)}` : ''}`,
      );

    const local = new ScimStore(this.#sctx, instance, '');
    let res: Json | null = null;
    if (p.op === 'upsert') {
      try {
        res =
          p.kind === 'User' ? (await local.getUser(p.id)).res : (await local.getGroup(p.id)).res;
      } catch (e) {
        if (!(e instanceof ScimError && e.status === 404)) throw e;
      }
    }
    if (!res) {
      // deleted here: delete there
      if (remoteId) {
        const r = await call('DELETE', `${base}/${path}/${encodeURIComponent(remoteId)}`);
        if (r.status >= 300 && r.status !== 404) throw fail('DELETE', r);
      }
      return null;
    }
    const body: Json = { ...res };
    delete body.id;
    delete body.meta;
    delete body.groups;
    body.externalId = p.id; // the remote side knows us by our id
    if (p.kind === 'Group') {
      const members: Json[] = [];
      for (const m of (getKey(res, 'members') as Json[] | undefined) ?? []) {
        const l = await repos.scim.get(
          instance.id,
          'Link',
          linkId(p.appId, 'User', m.value as string),
        );
        if (l)
          members.push({
            value: (JSON.parse(dk.decrypt(l.data, `scim-Link:${l.resourceId}`)) as { id: string })
              .id,
          });
        else if (
          await repos.scim.get(instance.id, 'Pending', linkId(p.appId, 'User', m.value as string))
        )
          throw new Error(`member ${m.value as string} is not provisioned yet`);
      }
      body.members = members;
    } else {
      for (const k of ['emails', 'phoneNumbers'] as const)
        if (Array.isArray(body[k])) body[k] = (body[k] as Json[]).map((e) => ({ ...e }));
    }
    body.schemas = res.schemas ?? [p.kind === 'User' ? USER : GROUP];
    if (remoteId) {
      const r = await call('PUT', `${base}/${path}/${encodeURIComponent(remoteId)}`, body);
      if (r.status === 404) remoteId = null;
      else if (r.status >= 300) throw fail('PUT', r);
      else return remoteId;
    }
    // adopt a resource the target already has (same externalId, or same name)
    const key =
      p.kind === 'User'
        ? `userName eq ${JSON.stringify(res.userName)}`
        : `displayName eq ${JSON.stringify(res.displayName)}`;
    const q = await call(
      'GET',
      `${base}/${path}?filter=${encodeURIComponent(`externalId eq ${JSON.stringify(p.id)} or ${key}`)}`,
    );
    const found =
      q.status === 200 ? ((q.body?.Resources as Json[] | undefined) ?? [])[0] : undefined;
    if (found) {
      const id = found.id as string;
      const r = await call('PUT', `${base}/${path}/${encodeURIComponent(id)}`, body);
      if (r.status >= 300) throw fail('PUT', r);
      return id;
    }
    const r = await call('POST', `${base}/${path}`, body);
    if (r.status !== 201 && r.status !== 200) throw fail('POST', r);
    if (typeof r.body?.id !== 'string') throw new Error('POST → no id in the response');
    return r.body.id;
  }
}
