// Authorization of admin API calls from the route table (issue 6, G5.6), and their audit
// records (G4.6).
//
// - The operator (idaas:admin) may call every route.
// - A platform user's token with idaas:account acts as an account member:
//   `platform:operate` routes are refused; `account:member` routes need membership of
//   the account in the path (the handler's `authorize` then checks the sub-account's
//   actions); instance routes need the route's permission on the instance in the path,
//   through the roles the member holds there (roles.ts). Routes with an instance
//   permission but no `{slug}` are refused unless they restrict themselves to what the
//   caller may see (`ownInstancesOnly`). `instance:member` routes (the caller's own
//   permissions) need any role on the instance in the path.
// - A refusal is a 403 naming the missing permission; it is logged and audited.
import type { Context } from 'koa';
import {
  AppError,
  PLATFORM_SLUG,
  RolesService,
  isInstancePermission,
  type Access,
  type AdminPrincipal,
  type AuditActor,
  type AuditInput,
  type AuditResult,
  type Instance,
} from '@idaas/core';
import { ADMIN_SCOPE } from '../bootstrap.ts';
import type { ServerContext, TokenInfo } from '../context.ts';
import { requestMeta } from '../audit/index.ts';
import type { AnyRoute } from './route.ts';

const services = new WeakMap<ServerContext, RolesService>();

/** The roles service of a server context (one per context). */
export function rolesOf(sctx: ServerContext): RolesService {
  let s = services.get(sctx);
  if (!s) {
    s = new RolesService({ store: sctx.store, clock: sctx.clock });
    services.set(sctx, s);
  }
  return s;
}

export function principalOfToken(admin: TokenInfo): AdminPrincipal {
  return admin.scopes.includes(ADMIN_SCOPE)
    ? { type: 'operator', userId: admin.sub, clientId: admin.clientId }
    : { type: 'member', userId: admin.sub! };
}

/** What the dispatcher decided about a call; also what its audit record says. */
export interface Decision {
  principal: AdminPrincipal;
  actor: AuditActor;
  /** The instance named by `{slug}`, when it exists. */
  instance: Instance | null;
  /** The caller's access to that instance (null when the route names none). */
  access: Access | null;
}

function operatorActor(admin: TokenInfo): AuditActor {
  return admin.sub ? { type: 'operator', id: admin.sub } : { type: 'client', id: admin.clientId };
}

/** The actor of a call that failed before (or without) a decision. */
export function actorOfToken(admin: TokenInfo | null): AuditActor {
  if (!admin) return { type: 'anonymous', id: null };
  if (admin.scopes.includes(ADMIN_SCOPE)) return operatorActor(admin);
  return { type: 'admin', id: admin.sub };
}

export class Denied extends AppError {
  readonly actor: AuditActor;
  readonly instance: Instance | null;
  constructor(detail: string, permission: string, actor: AuditActor, instance: Instance | null) {
    super('forbidden', `forbidden: ${detail}`, {
      issues: [{ field: 'authorization', message: `lacks ${permission}` }],
    });
    this.actor = actor;
    this.instance = instance;
  }
}

/**
 * Decides whether the token may call the route with these path parameters; throws
 * `Denied` (403) naming the missing permission otherwise.
 */
export async function authorizeCall(
  sctx: ServerContext,
  r: AnyRoute,
  admin: TokenInfo,
  params: ReadonlyMap<string, string>,
): Promise<Decision> {
  const permission = r.permission;
  if (!permission)
    // a route without a declared permission is a programming error: refuse it to everyone
    throw new AppError('internal', `route ${r.operationId} declares no permission`);
  const principal = principalOfToken(admin);
  const slug = params.get('slug');
  const repos = sctx.store.repos;
  const instance = slug !== undefined ? await repos.instances.getBySlug(slug) : null;

  if (principal.type === 'operator') {
    const access = instance ? await rolesOf(sctx).permissionsOf(instance, principal) : null;
    return { principal, actor: operatorActor(admin), instance, access };
  }

  const userId = principal.userId;
  const anyMember: AuditActor = { type: 'admin', id: userId };
  if (permission === 'platform:operate')
    throw new Denied(
      `requires platform:operate (the operator's) for ${r.operationId}`,
      permission,
      anyMember,
      instance,
    );

  if (permission === 'account:member') {
    const accountId = params.get('account_id');
    if (accountId === undefined) return { principal, actor: anyMember, instance, access: null };
    const m = await repos.accountMembers.get(accountId, userId);
    if (!m)
      throw new Denied(
        `requires account:member of account ${accountId}`,
        permission,
        anyMember,
        instance,
      );
    const actor: AuditActor =
      m.role === 'owner'
        ? { type: 'admin', id: userId, onBehalfOf: accountId }
        : { type: 'subaccount', id: userId, onBehalfOf: accountId };
    return { principal, actor, instance, access: null };
  }

  if (permission === 'instance:member') {
    // about the caller itself: any role on the instance will do; none (or no such
    // instance) is refused alike, so members learn nothing about others' instances
    const access =
      instance && slug !== undefined
        ? await rolesOf(sctx).permissionsOf(instance, principal)
        : null;
    if (!instance || !access || access.permissions.size === 0)
      throw new Denied(
        `requires ${permission} on instance ${slug ?? '(none named)'} (any role there)`,
        permission,
        access?.actor ?? anyMember,
        instance,
      );
    return { principal, actor: access.actor, instance, access };
  }

  if (!isInstancePermission(permission))
    throw new AppError('internal', `route ${r.operationId}: unknown permission ${permission}`);
  if (slug === undefined) {
    if (r.ownInstancesOnly) return { principal, actor: anyMember, instance: null, access: null };
    throw new Denied(
      `requires ${permission} (this route names no instance, so only the operator may call it)`,
      permission,
      anyMember,
      null,
    );
  }
  // an instance that does not exist is refused like one the member holds nothing on:
  // members learn nothing about other customers' instances
  const access = instance ? await rolesOf(sctx).permissionsOf(instance, principal) : null;
  if (!instance || !access || !access.permissions.has(permission))
    throw new Denied(
      `requires ${permission} on instance ${slug}`,
      permission,
      access?.actor ?? anyMember,
      instance,
    );
  return { principal, actor: access.actor, instance, access };
}

const platformIds = new WeakMap<ServerContext, string>();

async function platformInstanceId(sctx: ServerContext): Promise<string | null> {
  const known = platformIds.get(sctx);
  if (known) return known;
  const p = await sctx.store.repos.instances.getBySlug(PLATFORM_SLUG);
  if (!p) return null;
  platformIds.set(sctx, p.id);
  return p.id;
}

/** Audits one admin API call (never its body). Failures to record are logged, not thrown. */
export async function auditCall(
  sctx: ServerContext,
  ctx: Context,
  e: {
    route: AnyRoute;
    params: ReadonlyMap<string, string>;
    actor: AuditActor;
    instance: Instance | null;
    result: AuditResult;
    status: number;
    code?: string;
  },
): Promise<void> {
  try {
    const instanceId = e.instance?.id ?? (await platformInstanceId(sctx));
    if (!instanceId) return;
    const slug = e.params.get('slug');
    const others = [...e.params].filter(([k]) => k !== 'slug');
    const last = others[others.length - 1];
    const record: AuditInput = {
      instanceId,
      actor: e.actor,
      action: `api.${e.route.operationId}`,
      target: last
        ? { type: last[0], id: last[1] }
        : slug !== undefined
          ? { type: 'instance', id: slug }
          : { type: e.route.tag, id: null },
      result: e.result,
      ...requestMeta(ctx),
      details: {
        method: e.route.method.toUpperCase(),
        path: e.route.path,
        ...(slug !== undefined ? { instance: slug } : {}),
        params: Object.fromEntries(e.params),
        permission: e.route.permission ?? null,
        status: e.status,
        ...(e.code ? { error: e.code } : {}),
      },
    };
    await sctx.audit.record(record);
  } catch (err) {
    (ctx.state.log ?? sctx.logger).error(
      { err },
      'could not record the audit record of an API call',
    );
  }
}

/** A page of the instances a member holds permissions on (ordered by slug). */
export async function memberInstancesPage(
  sctx: ServerContext,
  userId: string,
  q: { limit: number; cursor?: string | undefined; q?: string | undefined },
): Promise<{ items: Instance[]; next: string | null }> {
  const after = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : '';
  const needle = q.q?.toLowerCase();
  const all = (await rolesOf(sctx).instancesOf(userId)).filter(
    (i) =>
      i.slug > after &&
      (!needle ||
        i.slug.toLowerCase().includes(needle) ||
        i.displayName.toLowerCase().includes(needle)),
  );
  const items = all.slice(0, q.limit);
  const next =
    all.length > q.limit ? Buffer.from(items[items.length - 1]!.slug).toString('base64url') : null;
  return { items, next };
}
