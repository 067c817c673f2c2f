// Administration of conditional access policies (issue 6): create, change, delete,
// reorder, the default decision, and the dry-run that explains which policy would apply.
// Shared by the admin API (api/routes-access.ts) and the CLI (idaas access). Every change
// is audited once committed (G4.6); bad input changes nothing and names the field.
import { isIP } from 'node:net';
import {
  AppError,
  MAX_PRIORITY,
  evaluate,
  invalid,
  newId,
  type AccessConditions,
  type AccessDecisionKind,
  type AccessPolicy,
  type AccessPolicyCreate,
  type AccessPolicyPatch,
  type AppRef,
  type AuditActor,
  type AuditInput,
  type Evaluation,
  type Instance,
  type Repos,
  type User,
} from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { defaultDecision } from './access.ts';

/** Who changed something, and from where (the audit record's actor and request metadata). */
export interface ChangeOrigin {
  actor: AuditActor;
  meta?: Pick<AuditInput, 'ip' | 'userAgent' | 'host'>;
}

const PRIORITY_STEP = 10;

async function audit(
  sctx: ServerContext,
  instance: Instance,
  origin: ChangeOrigin,
  action: string,
  target: string | null,
  details: Record<string, unknown>,
): Promise<void> {
  await sctx.audit.record({
    instanceId: instance.id,
    actor: origin.actor,
    action,
    target: { type: 'access_policy', id: target },
    result: 'success',
    ...origin.meta,
    details,
  });
}

/** Checks that what the conditions name exists in the instance; errors name the entry. */
async function checkReferences(
  repos: Repos,
  instance: Instance,
  c: AccessConditions,
): Promise<void> {
  const apps = async (list: AppRef[], at: string) => {
    for (const [i, a] of list.entries()) {
      const found =
        a.kind === 'oidc'
          ? await repos.applications.getByClientId(instance.id, a.id)
          : await repos.samlApps.getByEntityId(instance.id, a.id);
      if (!found)
        throw invalid(
          `${at}[${i}]`,
          a.kind === 'oidc'
            ? `no OIDC application with client id "${a.id}"`
            : `no SAML application with entity id "${a.id}"`,
        );
    }
  };
  const users = async (list: string[], at: string) => {
    for (const [i, id] of list.entries())
      if (!(await repos.users.get(instance.id, id))) throw invalid(`${at}[${i}]`, 'no such user');
  };
  const groups = async (list: string[], at: string) => {
    for (const [i, id] of list.entries())
      if (!(await repos.groups.get(instance.id, id))) throw invalid(`${at}[${i}]`, 'no such group');
  };
  await apps(c.applications, 'conditions.applications');
  await users(c.users, 'conditions.users');
  await groups(c.groups, 'conditions.groups');
  await apps(c.exclude.applications, 'conditions.exclude.applications');
  await users(c.exclude.users, 'conditions.exclude.users');
  await groups(c.exclude.groups, 'conditions.exclude.groups');
}

function priorityTaken(
  policies: AccessPolicy[],
  priority: number,
  self: string | null,
): AccessPolicy | undefined {
  return policies.find((p) => p.priority === priority && p.id !== self);
}

const taken = (priority: number, by: AccessPolicy): AppError =>
  new AppError('conflict', `priority: ${priority} is taken by policy "${by.name}"`, {
    issues: [{ field: 'priority', message: `${priority} is taken by policy "${by.name}"` }],
  });

export async function listPolicies(
  sctx: ServerContext,
  instance: Instance,
): Promise<AccessPolicy[]> {
  return sctx.store.repos.accessPolicies.list(instance.id);
}

export async function getPolicy(
  sctx: ServerContext,
  instance: Instance,
  id: string,
): Promise<AccessPolicy> {
  const p = await sctx.store.repos.accessPolicies.get(instance.id, id);
  if (!p) throw new AppError('not_found', 'access policy not found');
  return p;
}

export async function createPolicy(
  sctx: ServerContext,
  instance: Instance,
  input: AccessPolicyCreate,
  origin: ChangeOrigin,
): Promise<AccessPolicy> {
  const created = await sctx.store.transaction(async (tx) => {
    await checkReferences(tx, instance, input.conditions);
    const existing = await tx.accessPolicies.list(instance.id);
    let priority = input.priority;
    if (priority === undefined) {
      priority = existing.length
        ? existing[existing.length - 1]!.priority + PRIORITY_STEP
        : PRIORITY_STEP;
      if (priority > MAX_PRIORITY)
        throw invalid('priority', `is required: the last policy already has the highest priority`);
    } else {
      const by = priorityTaken(existing, priority, null);
      if (by) throw taken(priority, by);
    }
    const now = sctx.clock.now();
    const p: AccessPolicy = {
      instanceId: instance.id,
      id: newId(sctx.clock),
      name: input.name,
      priority,
      enabled: input.enabled,
      conditions: input.conditions,
      decision: input.decision,
      createdAt: now,
      updatedAt: now,
    };
    await tx.accessPolicies.insert(p);
    return p;
  });
  await audit(sctx, instance, origin, 'access_policy.create', created.id, {
    name: created.name,
    priority: created.priority,
    enabled: created.enabled,
    decision: created.decision,
  });
  return created;
}

export async function updatePolicy(
  sctx: ServerContext,
  instance: Instance,
  id: string,
  patch: AccessPolicyPatch,
  origin: ChangeOrigin,
): Promise<AccessPolicy> {
  const { before, after } = await sctx.store.transaction(async (tx) => {
    const before = await tx.accessPolicies.get(instance.id, id);
    if (!before) throw new AppError('not_found', 'access policy not found');
    if (patch.conditions) await checkReferences(tx, instance, patch.conditions);
    if (patch.priority !== undefined && patch.priority !== before.priority) {
      const by = priorityTaken(await tx.accessPolicies.list(instance.id), patch.priority, id);
      if (by) throw taken(patch.priority, by);
    }
    const after: AccessPolicy = {
      ...before,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.conditions !== undefined ? { conditions: patch.conditions } : {}),
      ...(patch.decision !== undefined ? { decision: patch.decision } : {}),
      updatedAt: sctx.clock.now(),
    };
    await tx.accessPolicies.update(after);
    return { before, after };
  });
  const changed = (['name', 'priority', 'enabled', 'decision'] as const).filter(
    (k) => before[k] !== after[k],
  );
  await audit(sctx, instance, origin, 'access_policy.update', id, {
    name: after.name,
    changed: [
      ...changed,
      ...(JSON.stringify(before.conditions) !== JSON.stringify(after.conditions)
        ? ['conditions']
        : []),
    ],
    priority: after.priority,
    enabled: after.enabled,
    decision: after.decision,
  });
  return after;
}

export async function deletePolicy(
  sctx: ServerContext,
  instance: Instance,
  id: string,
  origin: ChangeOrigin,
): Promise<void> {
  const gone = await sctx.store.transaction(async (tx) => {
    const p = await tx.accessPolicies.get(instance.id, id);
    if (!p) throw new AppError('not_found', 'access policy not found');
    await tx.accessPolicies.delete(instance.id, id);
    return p;
  });
  await audit(sctx, instance, origin, 'access_policy.delete', id, {
    name: gone.name,
    priority: gone.priority,
    decision: gone.decision,
  });
}

/**
 * Puts the policies in the order of `ids` (every policy of the instance, once each):
 * priorities become 10, 20, 30, …
 */
export async function reorderPolicies(
  sctx: ServerContext,
  instance: Instance,
  ids: string[],
  origin: ChangeOrigin,
): Promise<AccessPolicy[]> {
  const out = await sctx.store.transaction(async (tx) => {
    const existing = await tx.accessPolicies.list(instance.id);
    const known = new Set(existing.map((p) => p.id));
    const seen = new Set<string>();
    for (const [i, id] of ids.entries()) {
      if (!known.has(id)) throw invalid(`ids[${i}]`, 'no such access policy');
      if (seen.has(id)) throw invalid(`ids[${i}]`, 'is listed twice');
      seen.add(id);
    }
    const missing = existing.filter((p) => !seen.has(p.id));
    if (missing.length)
      throw invalid(
        'ids',
        `must list every policy once; missing: ${missing.map((p) => p.id).join(', ')}`,
      );
    await tx.accessPolicies.setPriorities(
      instance.id,
      ids.map((id, i) => ({ id, priority: (i + 1) * PRIORITY_STEP })),
      sctx.clock.now(),
    );
    return tx.accessPolicies.list(instance.id);
  });
  await audit(sctx, instance, origin, 'access_policy.reorder', null, {
    order: out.map((p) => ({ id: p.id, priority: p.priority })),
  });
  return out;
}

export async function getDefault(
  sctx: ServerContext,
  instance: Instance,
): Promise<{ decision: AccessDecisionKind; updatedAt: Date | null }> {
  const d = await sctx.store.repos.accessPolicies.getDefault(instance.id);
  return d ?? { decision: await defaultDecision(sctx, instance), updatedAt: null };
}

export async function setDefault(
  sctx: ServerContext,
  instance: Instance,
  decision: AccessDecisionKind,
  origin: ChangeOrigin,
): Promise<{ decision: AccessDecisionKind; updatedAt: Date }> {
  const before = (await getDefault(sctx, instance)).decision;
  const at = sctx.clock.now();
  await sctx.store.repos.accessPolicies.setDefault(instance.id, decision, at);
  await audit(sctx, instance, origin, 'access_policy.default.set', null, {
    decision,
    previous: before,
  });
  return { decision, updatedAt: at };
}

export interface DryRunInput {
  /** A user id or username. */
  user: string;
  /** An OIDC client id or SAML SP entity id; null/absent for a sign-in without application. */
  application?: string | null;
  /** Which kind `application` is; found out when absent (OIDC first). */
  applicationKind?: 'oidc' | 'saml';
  ip: string;
  newDevice: boolean;
}

export interface DryRunResult extends Evaluation {
  defaultDecision: AccessDecisionKind;
  user: User;
  application: AppRef | null;
  groupIds: string[];
  ip: string;
  deviceKnown: boolean;
}

/** Which policy would apply to a sign-in with these facts, and why. Changes nothing. */
export async function dryRun(
  sctx: ServerContext,
  instance: Instance,
  input: DryRunInput,
): Promise<DryRunResult> {
  const repos = sctx.store.repos;
  if (isIP(input.ip) === 0) throw invalid('ip', 'must be an IPv4 or IPv6 address');
  const user =
    (await repos.users.get(instance.id, input.user)) ??
    (await repos.users.getByUsername(instance.id, input.user));
  if (!user) throw invalid('user', 'no user with this id or username');
  let application: AppRef | null = null;
  if (input.application) {
    const id = input.application;
    const oidc =
      input.applicationKind !== 'saml' &&
      (await repos.applications.getByClientId(instance.id, id)) !== null;
    const saml =
      !oidc &&
      input.applicationKind !== 'oidc' &&
      (await repos.samlApps.getByEntityId(instance.id, id)) !== null;
    if (!oidc && !saml)
      throw invalid(
        'application',
        input.applicationKind === 'oidc'
          ? 'no OIDC application with this client id'
          : input.applicationKind === 'saml'
            ? 'no SAML application with this entity id'
            : 'no OIDC application with this client id nor SAML application with this entity id',
      );
    application = { kind: oidc ? 'oidc' : 'saml', id };
  }
  const [policies, def, groupIds] = await Promise.all([
    repos.accessPolicies.list(instance.id),
    defaultDecision(sctx, instance),
    repos.accessPolicies.groupIdsOf(instance.id, user.id),
  ]);
  const facts = {
    application,
    userId: user.id,
    groupIds,
    ip: input.ip,
    deviceKnown: !input.newDevice,
  };
  return {
    ...evaluate(policies, def, facts),
    defaultDecision: def,
    user,
    application,
    groupIds,
    ip: input.ip,
    deviceKnown: facts.deviceKnown,
  };
}
