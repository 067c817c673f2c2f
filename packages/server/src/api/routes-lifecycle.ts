// Admin API routes of the lifecycle module (declared like ./routes.ts; joined in ./index.ts):
// test clocks (create, get, advance), an instance's lifecycle (state, clause, next
// transition, timeline), the export offered before release (G4.7, ID3), deletion
// receipts; and the enforcement of the instance state on the directory's write routes.
import { z } from 'zod';
import {
  AppError,
  invalid,
  type Instance,
  type LifecycleRow,
  type ListQuery,
  type Page,
} from '@idaas/core';
import { advance, parseDuration } from '@idaas/core/business/lifecycle/index';
import type { ServerContext } from '../context.ts';
import { route, type AnyRoute } from './route.ts';
import { ApplicationOut, GroupOut, InstanceOut, OrgUnitOut, UserOut, wire } from './schemas.ts';
import { AuditTrailExport, auditTrailSummary } from '../audit/summary.ts';

const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });
const rfc3339 = z.iso.datetime({ offset: true }).meta({ description: 'RFC 3339 instant' });

/** States in which the instance's directory is read-only for administrators (ID1, ID2, ID3). */
export const READ_ONLY_STATES: ReadonlySet<string> = new Set([
  'pending-payment',
  'restricted',
  'suspended',
  'terminated',
  'void',
  'released',
]);

/**
 * Refuses a write to an instance's directory unless the instance serves (active, grace,
 * downgraded): 403 problem naming the state and the clause of the last transition.
 */
export async function refuseWritesUnlessServing(sctx: ServerContext, slug: string): Promise<void> {
  const instance = await sctx.store.repos.instances.getBySlug(slug);
  if (!instance || !READ_ONLY_STATES.has(instance.state)) return;
  const lc = await sctx.store.repos.lifecycles.get(instance.id);
  const clause = lc?.clause ?? null;
  throw new AppError(
    'instance_unavailable',
    `instance "${slug}" is ${instance.state}${clause ? ` (clause ${clause})` : ''}: administrator access is read-only`,
    { extra: { state: instance.state, clause } },
  );
}

const ClockOut = z
  .object({
    id: z.string(),
    clock_id: z.string().meta({ description: 'The same as id (for scripts)' }),
    name: z.string(),
    now: timestamp,
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'TestClock' });

const ClockCreate = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    at: rfc3339.optional().meta({ description: 'Start time (default: now)' }),
  })
  .meta({ id: 'TestClockCreate' });

const ClockAdvance = z
  .strictObject({
    to: rfc3339.optional(),
    by: z
      .string()
      .optional()
      .meta({ description: 'A duration: 90m, 36h, 7d, 1d12h or ISO 8601 (P1DT2H)' }),
  })
  .meta({ id: 'TestClockAdvance' });

const AdvanceOut = ClockOut.extend({
  transitions: z.number().int().meta({ description: 'Lifecycle transitions that happened' }),
  jobs: z.number().int().meta({ description: 'Jobs run (billing, notices, …)' }),
  steps: z.number().int().meta({ description: 'Due instants visited' }),
}).meta({ id: 'TestClockAdvanced' });

const TimelineEntry = z
  .object({
    at: timestamp,
    state: z.string(),
    cause: z.string(),
    clause: z.string(),
    effects: z.array(z.string()),
  })
  .meta({ id: 'LifecycleEntry' });

const LifecycleOut = z
  .object({
    instance: z.string().meta({ description: 'The instance slug' }),
    state: z.string(),
    clause: z.string().nullable().meta({ description: 'Clause of the last transition' }),
    policy: z.string().nullable(),
    next_transition_at: timestamp.nullable(),
    next_event: z
      .object({ at: timestamp, state: z.string(), cause: z.string(), clause: z.string() })
      .nullable()
      .meta({
        description:
          'What happens at next_transition_at unless something intervenes (e.g. a payment): the state entered and its clause',
      }),
    clock_id: z.string().nullable(),
    timeline: z.array(TimelineEntry),
  })
  .meta({ id: 'Lifecycle' });

const ExportOut = z
  .object({
    format: z.literal('idaas-export/1'),
    exported_at: timestamp,
    instance: InstanceOut,
    users: z.array(UserOut),
    groups: z.array(GroupOut.extend({ member_ids: z.array(z.string()) })),
    org_units: z.array(OrgUnitOut.extend({ member_ids: z.array(z.string()) })),
    applications: z.array(ApplicationOut),
    audit_trail: AuditTrailExport,
  })
  .meta({ id: 'InstanceExport' });

type ClockRec = { id: string; name: string; now: Date; createdAt: Date; updatedAt: Date };
const clockOut = (c: ClockRec) => ({
  id: c.id,
  clock_id: c.id,
  name: c.name,
  now: c.now.toISOString(),
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});

async function all<T>(list: (q: ListQuery) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const p = await list({ limit: 200, cursor });
    out.push(...p.items);
    cursor = p.next;
  } while (cursor);
  return out;
}

/** The first transition the engine would make when the next timer fires (pure: nothing saved). */
function nextEventOf(lc: LifecycleRow | null) {
  if (!lc?.nextDueAt) return null;
  const e = advance(lc.engine, null, lc.nextDueAt.getTime()).entries[0];
  return e
    ? { at: new Date(e.at).toISOString(), state: e.state, cause: e.cause, clause: e.clause }
    : null;
}

/** An instance's state, clause and next transition (no lifecycle row: always its own state). */
export async function lifecycleView(sctx: ServerContext, instance: Instance) {
  const lc = await sctx.business.lifecycle.service.get(instance.id);
  const timeline = lc ? await sctx.business.lifecycle.service.timeline(instance.id) : [];
  return {
    instance: instance.slug,
    state: instance.state as string,
    clause: lc?.clause ?? null,
    policy: lc?.policy ?? null,
    next_transition_at: lc?.nextDueAt ? lc.nextDueAt.toISOString() : null,
    next_event: nextEventOf(lc),
    clock_id: lc?.clockId ?? null,
    timeline: timeline.map((e) => ({
      at: e.at.toISOString(),
      state: e.state,
      cause: e.cause,
      clause: e.clause,
      effects: e.effects,
    })),
  };
}

/** Resolves `{to}` or `{by}` against the clock's current time. */
export function advanceTarget(now: Date, to: string | undefined, by: string | undefined): Date {
  if ((to === undefined) === (by === undefined))
    throw invalid(to === undefined ? 'to' : 'by', 'give exactly one of to and by');
  if (to !== undefined) {
    const ms = Date.parse(to);
    if (Number.isNaN(ms)) throw invalid('to', 'must be an RFC 3339 instant');
    return new Date(ms);
  }
  const ms = parseDuration(by!);
  if (ms === null) throw invalid('by', 'must be a duration like 90m, 36h, 7d, 1d12h or P1DT2H');
  return new Date(now.getTime() + ms);
}

export const lifecycleRoutes: AnyRoute[] = [
  route({
    method: 'post',
    path: '/clocks',
    operationId: 'createTestClock',
    permission: 'platform:operate',
    summary: 'Create a test clock (simulated time for accounts bound to it)',
    tag: 'lifecycle',
    body: ClockCreate,
    status: 201,
    response: ClockOut,
    handler: async ({ sctx, body }) =>
      clockOut(
        await sctx.business.lifecycle.clocks.create({
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.at !== undefined ? { at: new Date(Date.parse(body.at)) } : {}),
        }),
      ),
  }),
  route({
    method: 'get',
    path: '/clocks/{id}',
    operationId: 'getTestClock',
    permission: 'platform:operate',
    summary: 'Get a test clock',
    tag: 'lifecycle',
    response: ClockOut,
    handler: async ({ sctx, param }) =>
      clockOut(await sctx.business.lifecycle.clocks.get(param('id'))),
  }),
  route({
    method: 'post',
    path: '/clocks/{id}/advance',
    operationId: 'advanceTestClock',
    permission: 'platform:operate',
    summary: 'Advance a test clock, running everything due on it in order',
    description:
      'Give `to` (an instant) or `by` (a duration). Lifecycle timers and jobs (billing, notices) due up to the target run in time order, the clock set to each due instant first. Clocks never move backwards.',
    tag: 'lifecycle',
    body: ClockAdvance,
    response: AdvanceOut,
    handler: async ({ sctx, param, body }) => {
      const { clocks, scheduler } = sctx.business.lifecycle;
      const clock = await clocks.get(param('id'));
      const r = await scheduler.advance(clock.id, advanceTarget(clock.now, body.to, body.by));
      return { ...clockOut(r.clock), transitions: r.transitions, jobs: r.jobs, steps: r.steps };
    },
  }),
  route({
    method: 'get',
    path: '/instances/{slug}/lifecycle',
    operationId: 'getInstanceLifecycle',
    permission: 'instance:read',
    summary: "An instance's lifecycle: state, clause, next transition, timeline",
    tag: 'lifecycle',
    response: LifecycleOut,
    handler: async ({ sctx, instance }) => lifecycleView(sctx, await instance()),
  }),
  route({
    method: 'get',
    path: '/instances/{slug}/export',
    operationId: 'exportInstance',
    permission: 'instance:write',
    summary: "Export an instance's directory (offered before release, G4.7)",
    description:
      'Users (without password hashes), groups and org units with their members, applications (without secrets), ' +
      'and the audit trail (access logs, G4.6): a link to its records, its head hash, verification result and latest signed checkpoint.',
    tag: 'lifecycle',
    response: ExportOut,
    handler: async ({ sctx, instance }) => {
      const inst = await instance();
      const { directory, applications } = sctx.core;
      const users = await all((q) => directory.listUsers(inst, q));
      const groups = await all((q) => directory.listGroups(inst, q));
      const units = await all((q) => directory.listOrgUnits(inst, q));
      const apps = await all((q) => applications.list(inst, q));
      const ids = async (list: (q: ListQuery) => Promise<Page<{ id: string }>>) =>
        (await all(list)).map((u) => u.id);
      return {
        format: 'idaas-export/1' as const,
        exported_at: sctx.clock.now().toISOString(),
        instance: wire.instance(inst, sctx.config.publicUrl),
        users: users.map(wire.user),
        groups: await Promise.all(
          groups.map(async (g) => ({
            ...wire.group(g),
            member_ids: await ids((q) => directory.groupMembers(inst, g.id, q)),
          })),
        ),
        org_units: await Promise.all(
          units.map(async (o) => ({
            ...wire.orgUnit(o),
            member_ids: await ids((q) => directory.orgUnitMembers(inst, o.id, q)),
          })),
        ),
        applications: apps.map(wire.application),
        // the access logs go with the instance at release (ID3): how to keep them (G4.6)
        audit_trail: await auditTrailSummary(sctx, inst),
      };
    },
  }),
  // (an account's deletion receipts: routes-account-receipts.ts, members and the operator)
];
