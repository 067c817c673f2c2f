// Outbound provisioning: per application, user and group changes made through this
// instance's SCIM server are pushed to the application's own SCIM endpoint (create,
// update — deactivation included —, delete) by durable jobs of the database-backed queue
// (retries with exponential backoff; after the last attempt a job is dead and listed by
// `deadLetters`). `resync` queues every user and group of the instance for one target.
// A target (endpoint URL + bearer token) is sealed under the instance data key; the
// remote id of each pushed resource is kept as a sealed link.
import type { Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { getKey, type Json } from './filter.ts';
import { ScimError } from './errors.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimStore, type Kind } from './service.ts';

export const PUSH_JOB = 'scim.push';

export interface Target {
  url: string;
  token: string;
}

interface Push {
  instanceId: string;
  appId: string;
  kind: Kind;
  id: string;
  op: 'upsert' | 'delete';
}

const linkId = (appId: string, kind: Kind, id: string) => `${appId}:${kind}:${id}`;

export class Outbound {
  readonly #sctx: ServerContext;
  constructor(sctx: ServerContext) {
    this.#sctx = sctx;
  }

  #dk(instance: Instance) {
    return this.#sctx.core.instances.dataKey(instance);
  }

  /** Sets (or replaces) the SCIM endpoint an application of the instance is provisioned at. */
  async setTarget(instance: Instance, applicationId: string, target: Target): Promise<void> {
    if (!(await this.#sctx.store.repos.applications.get(instance.id, applicationId)))
      throw new ScimError(404, `no application ${applicationId}`);
    if (!/^https?:\/\//.test(target.url))
      throw new ScimError(400, 'url must be http(s)', 'invalidValue');
    await this.#sctx.store.repos.scim.put({
      instanceId: instance.id,
      kind: 'Target',
      resourceId: applicationId,
      externalIdLookup: null,
      version: 1,
      data: this.#dk(instance).encrypt(JSON.stringify(target), `scim-Target:${applicationId}`),
      updatedAt: this.#sctx.clock.now(),
    });
  }

  async removeTarget(instance: Instance, applicationId: string): Promise<void> {
    await this.#sctx.store.repos.scim.delete(instance.id, 'Target', applicationId);
  }

  async #target(instance: Instance, appId: string): Promise<Target | null> {
    const r = await this.#sctx.store.repos.scim.get(instance.id, 'Target', appId);
    return r
      ? (JSON.parse(this.#dk(instance).decrypt(r.data, `scim-Target:${appId}`)) as Target)
      : null;
  }

  /** Queues a push of one change to every target of the instance (in the caller's transaction). */
  async changed(instance: Instance, kind: Kind, id: string, op: Push['op']): Promise<void> {
    const apps = await this.#sctx.store.repos.scim.listIds(instance.id, 'Target');
    for (const appId of apps) await this.#enqueue({ instanceId: instance.id, appId, kind, id, op });
  }

  async #enqueue(p: Push): Promise<void> {
    await this.#sctx.business.ports.jobs.enqueue({
      kind: PUSH_JOB,
      payload: { ...p },
      runAt: this.#sctx.clock.now(),
    });
  }

  /** Queues every user and group of the instance for one target (a full re-sync). */
  async resync(instance: Instance, appId: string): Promise<number> {
    if (!(await this.#target(instance, appId)))
      throw new ScimError(404, `application ${appId} has no SCIM target`);
    const repos = this.#sctx.store.repos;
    let n = 0;
    for (const kind of ['User', 'Group'] as const) {
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; next: string | null } =
          kind === 'User'
            ? await repos.users.list(instance.id, { limit: 1000, cursor })
            : await repos.groups.list(instance.id, { limit: 1000, cursor });
        for (const r of page.items) {
          await this.#enqueue({ instanceId: instance.id, appId, kind, id: r.id, op: 'upsert' });
          n++;
        }
        cursor = page.next;
      } while (cursor);
    }
    return n;
  }

  /** Pushes that failed their last attempt (the dead-letter list), for this instance. */
  async deadLetters(
    instance: Instance,
  ): Promise<{ id: string; payload: Json; error: string | null; attempts: number }[]> {
    const dead = await this.#sctx.store.repos.jobs.list({
      status: 'dead',
      kind: PUSH_JOB,
      limit: 1000,
    });
    return dead
      .filter((j) => j.payload.instanceId === instance.id)
      .map((j) => ({ id: j.id, payload: j.payload, error: j.lastError, attempts: j.attempts }));
  }

  register(): void {
    this.#sctx.business.ports.jobs.register(PUSH_JOB, (job) =>
      this.#push(job.payload as unknown as Push),
    );
  }

  async #push(p: Push): Promise<void> {
    const repos = this.#sctx.store.repos;
    const instance = await repos.instances.get(p.instanceId);
    if (!instance) return;
    const target = await this.#target(instance, p.appId);
    if (!target) return; // target removed since
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
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Json) : null };
    };
    const fail = (what: string, r: { status: number; body: Json | null }) =>
      new Error(`${what} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);

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
        await repos.scim.delete(instance.id, 'Link', lid);
      }
      return;
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
    }
    if (!remoteId) {
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
        remoteId = found.id as string;
        const r = await call('PUT', `${base}/${path}/${encodeURIComponent(remoteId)}`, body);
        if (r.status >= 300) throw fail('PUT', r);
      } else {
        const r = await call('POST', `${base}/${path}`, body);
        if (r.status !== 201 && r.status !== 200) throw fail('POST', r);
        remoteId = r.body?.id as string;
      }
      await repos.scim.put({
        instanceId: instance.id,
        kind: 'Link',
        resourceId: lid,
        externalIdLookup: null,
        version: 1,
        data: dk.encrypt(JSON.stringify({ id: remoteId }), `scim-Link:${lid}`),
        updatedAt: this.#sctx.clock.now(),
      });
    }
  }
}
