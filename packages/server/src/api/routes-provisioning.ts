// Admin API: outbound SCIM provisioning of an instance's applications — the target
// (endpoint URL + bearer token; the token is write-only, never returned), dead letters
// (pushes that failed their last attempt: list, retry, discard) and full re-syncs (start,
// progress). Permissions provisioning:read / provisioning:write.
import { z } from 'zod';
import { AppError, type Instance, type ResyncRecord } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { route, type AnyRoute } from './route.ts';
import { Outbound, type DeadLetter, type TargetInfo } from '../scim/outbound.ts';
import { ScimError } from '../scim/errors.ts';

const I = '/instances/{slug}';
const A = `${I}/applications/{id}/provisioning`;
const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });

const url = z
  .string()
  .max(2048)
  .meta({ description: "The application's SCIM 2.0 base URL (…/scim/v2)" });
const token = z
  .string()
  .min(1)
  .max(4096)
  .meta({ description: 'Bearer token for the target (write-only: never returned)' });

const TargetOut = z
  .object({ application_id: z.string(), url: z.string(), updated_at: timestamp })
  .meta({ id: 'ProvisioningTarget', description: 'Where an application is provisioned' });
const TargetList = z.object({ items: z.array(TargetOut) }).meta({ id: 'ProvisioningTargetList' });
const TargetCreate = z.strictObject({ url, token }).meta({ id: 'ProvisioningTargetCreate' });
const TargetPatch = z
  .strictObject({ url: url.optional(), token: token.optional() })
  .meta({ id: 'ProvisioningTargetPatch' });

const DeadOut = z
  .object({
    id: z.string(),
    application_id: z.string(),
    kind: z.enum(['User', 'Group']),
    resource_id: z.string(),
    op: z.enum(['upsert', 'delete']),
    error: z.string(),
    attempts: z.int(),
    at: timestamp,
  })
  .meta({ id: 'ProvisioningDeadLetter', description: 'A push that failed its last attempt' });
const DeadList = z.object({ items: z.array(DeadOut) }).meta({ id: 'ProvisioningDeadLetterList' });

const ResyncOut = z
  .object({
    id: z.string(),
    application_id: z.string(),
    total: z.int(),
    done: z.int(),
    failed: z.int(),
    pending: z.int(),
    finished: z.boolean(),
    started_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'ProvisioningResync', description: 'A full re-sync and its progress' });
const ResyncList = z.object({ items: z.array(ResyncOut) }).meta({ id: 'ProvisioningResyncList' });

const targetWire = (t: TargetInfo): z.input<typeof TargetOut> => ({
  application_id: t.applicationId,
  url: t.url,
  updated_at: t.updatedAt.toISOString(),
});
const deadWire = (d: DeadLetter): z.input<typeof DeadOut> => ({
  id: d.id,
  application_id: d.applicationId,
  kind: d.kind,
  resource_id: d.resourceId,
  op: d.op,
  error: d.error,
  attempts: d.attempts,
  at: d.at.toISOString(),
});
const resyncWire = (r: ResyncRecord): z.input<typeof ResyncOut> => ({
  id: r.id,
  application_id: r.applicationId,
  total: r.total,
  done: r.done,
  failed: r.failed,
  pending: Math.max(0, r.total - r.done - r.failed),
  finished: r.done + r.failed >= r.total,
  started_at: r.startedAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

/** Outbound's SCIM-flavoured errors as admin API errors (fields named as sent). */
async function api<T>(fn: () => Promise<T>, field?: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ScimError)) throw e;
    if (e.status === 404) throw new AppError('not_found', e.message);
    const f = field ?? (/^(\w+)/.exec(e.message)?.[1] || 'body');
    throw new AppError('validation_failed', e.message, {
      issues: [{ field: f, message: e.message }],
    });
  }
}

async function app(sctx: ServerContext, inst: Instance, id: string): Promise<void> {
  const a = await sctx.store.repos.applications.get(inst.id, id);
  if (!a || a.internal) throw new AppError('not_found', 'application not found');
}

export const provisioningRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: `${I}/provisioning/targets`,
    operationId: 'listProvisioningTargets',
    permission: 'provisioning:read',
    summary: 'List the outbound SCIM targets of the instance (tokens are never returned)',
    tag: 'provisioning',
    response: TargetList,
    handler: async ({ sctx, instance }) => ({
      items: (await new Outbound(sctx).targets(await instance())).map(targetWire),
    }),
  }),
  route({
    method: 'post',
    path: A,
    operationId: 'createProvisioningTarget',
    permission: 'provisioning:write',
    summary:
      'Provision an application: its SCIM endpoint and token (changes are pushed from now on; start a re-sync for what exists)',
    tag: 'provisioning',
    body: TargetCreate,
    status: 201,
    response: TargetOut,
    errors: [409],
    handler: async ({ sctx, instance, param, body }) => {
      const inst = await instance();
      await app(sctx, inst, param('id'));
      const out = new Outbound(sctx);
      if (await out.target(inst, param('id')))
        throw new AppError('conflict', 'the application already has a target (PATCH it)');
      await api(() => out.setTarget(inst, param('id'), body), 'url');
      return targetWire((await out.target(inst, param('id')))!);
    },
  }),
  route({
    method: 'get',
    path: A,
    operationId: 'getProvisioningTarget',
    permission: 'provisioning:read',
    summary: "An application's SCIM target (without its token)",
    tag: 'provisioning',
    response: TargetOut,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await app(sctx, inst, param('id'));
      const t = await new Outbound(sctx).target(inst, param('id'));
      if (!t) throw new AppError('not_found', 'the application has no provisioning target');
      return targetWire(t);
    },
  }),
  route({
    method: 'patch',
    path: A,
    operationId: 'updateProvisioningTarget',
    permission: 'provisioning:write',
    summary: "Change an application's SCIM endpoint and/or token",
    tag: 'provisioning',
    body: TargetPatch,
    response: TargetOut,
    handler: async ({ sctx, instance, param, body }) => {
      const inst = await instance();
      await app(sctx, inst, param('id'));
      const out = new Outbound(sctx);
      const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      await api(() => out.updateTarget(inst, param('id'), patch), 'url');
      return targetWire((await out.target(inst, param('id')))!);
    },
  }),
  route({
    method: 'delete',
    path: A,
    operationId: 'deleteProvisioningTarget',
    permission: 'provisioning:write',
    summary: 'Stop provisioning an application (queued pushes are dropped)',
    tag: 'provisioning',
    status: 204,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await app(sctx, inst, param('id'));
      if (!(await new Outbound(sctx).removeTarget(inst, param('id'))))
        throw new AppError('not_found', 'the application has no provisioning target');
    },
  }),
  route({
    method: 'post',
    path: `${A}/resyncs`,
    operationId: 'startProvisioningResync',
    permission: 'provisioning:write',
    summary: 'Push every user and group to the application again (a full re-sync)',
    tag: 'provisioning',
    status: 201,
    response: ResyncOut,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await app(sctx, inst, param('id'));
      return resyncWire(await api(() => new Outbound(sctx).resync(inst, param('id'))));
    },
  }),
  route({
    method: 'get',
    path: `${A}/resyncs`,
    operationId: 'listProvisioningResyncs',
    permission: 'provisioning:read',
    summary: "An application's re-syncs with their progress, newest first",
    tag: 'provisioning',
    response: ResyncList,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await app(sctx, inst, param('id'));
      return { items: (await new Outbound(sctx).resyncs(inst, param('id'))).map(resyncWire) };
    },
  }),
  route({
    method: 'get',
    path: `${I}/provisioning/resyncs/{id}`,
    operationId: 'getProvisioningResync',
    permission: 'provisioning:read',
    summary: 'Progress of one re-sync',
    tag: 'provisioning',
    response: ResyncOut,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      const r = await sctx.store.repos.scim.resyncGet(inst.id, param('id'));
      if (!r) throw new AppError('not_found', 're-sync not found');
      return resyncWire(r);
    },
  }),
  route({
    method: 'get',
    path: `${I}/provisioning/dead-letters`,
    operationId: 'listProvisioningDeadLetters',
    permission: 'provisioning:read',
    summary: 'Pushes that failed their last attempt, oldest first',
    tag: 'provisioning',
    response: DeadList,
    handler: async ({ sctx, instance }) => ({
      items: (await new Outbound(sctx).deadLetters(await instance())).map(deadWire),
    }),
  }),
  route({
    method: 'post',
    path: `${I}/provisioning/dead-letters/{id}/retry`,
    operationId: 'retryProvisioningDeadLetter',
    permission: 'provisioning:write',
    summary: 'Queue a dead push again (a fresh set of attempts); it leaves the list',
    tag: 'provisioning',
    status: 204,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await api(() => new Outbound(sctx).retryDead(inst, param('id')));
    },
  }),
  route({
    method: 'delete',
    path: `${I}/provisioning/dead-letters/{id}`,
    operationId: 'discardProvisioningDeadLetter',
    permission: 'provisioning:write',
    summary: 'Drop a dead push for good',
    tag: 'provisioning',
    status: 204,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await api(() => new Outbound(sctx).discardDead(inst, param('id')));
    },
  }),
];
