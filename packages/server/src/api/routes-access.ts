// Admin API: conditional access policies of an instance (issue 6) — list, create, get,
// update, delete, reorder, the default decision, and the dry-run.
import type { Context } from 'koa';
import { z } from 'zod';
import {
  ACCESS_DECISIONS,
  DEVICE_CONDITIONS,
  accessPolicyCreateSchema,
  accessPolicyPatchSchema,
  type AccessPolicy,
  type AuditActor,
} from '@idaas/core';
import { ADMIN_SCOPE } from '../bootstrap.ts';
import type { TokenInfo } from '../context.ts';
import { requestMeta } from '../audit/index.ts';
import { route, type AnyRoute } from './route.ts';
import {
  createPolicy,
  deletePolicy,
  dryRun,
  getDefault,
  getPolicy,
  listPolicies,
  reorderPolicies,
  setDefault,
  updatePolicy,
  type ChangeOrigin,
  type DryRunResult,
} from '../security/access-admin.ts';

const I = '/instances/{slug}/access-policies';
const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });
const Decision = z.enum(ACCESS_DECISIONS).meta({
  description: 'allow: sign in; deny: refuse; mfa: require a second factor',
});

const AppRefOut = z.object({ kind: z.enum(['oidc', 'saml']), id: z.string() });
const ConditionsOut = z
  .object({
    applications: z.array(AppRefOut),
    users: z.array(z.string()),
    groups: z.array(z.string()),
    networks: z.array(z.string()),
    device: z.enum(DEVICE_CONDITIONS),
    exclude: z.object({
      applications: z.array(AppRefOut),
      users: z.array(z.string()),
      groups: z.array(z.string()),
      networks: z.array(z.string()),
    }),
  })
  .meta({ id: 'AccessPolicyConditionsOut' });
const PolicyOut = z
  .object({
    id: z.string(),
    name: z.string(),
    priority: z.number().int(),
    enabled: z.boolean(),
    conditions: ConditionsOut,
    decision: Decision,
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'AccessPolicy', description: 'A conditional access policy (lower priority first)' });
const PolicyList = z
  .object({ items: z.array(PolicyOut), default_decision: Decision })
  .meta({ id: 'AccessPolicyList' });
const PolicyCreate = accessPolicyCreateSchema.meta({ id: 'AccessPolicyCreate' });
const PolicyPatch = accessPolicyPatchSchema.meta({ id: 'AccessPolicyPatch' });
const Reorder = z
  .strictObject({
    ids: z
      .array(z.string().min(1).max(64))
      .max(10_000)
      .meta({ description: 'Every policy id once, first to last; priorities become 10, 20, 30 …' }),
  })
  .meta({ id: 'AccessPolicyOrder' });
const DefaultOut = z
  .object({ decision: Decision, updated_at: timestamp.nullable() })
  .meta({ id: 'AccessDefaultDecision' });
const DefaultIn = z.strictObject({ decision: Decision }).meta({ id: 'AccessDefaultDecisionSet' });

const PolicyRefOut = z.object({ id: z.string(), name: z.string(), priority: z.number().int() });
const DryRunIn = z
  .strictObject({
    user: z.string().min(1).max(320).meta({ description: 'A user id or username' }),
    application: z
      .string()
      .min(1)
      .max(1024)
      .nullable()
      .optional()
      .meta({ description: 'An OIDC client id or a SAML SP entity id; absent: no application' }),
    application_kind: z
      .enum(['oidc', 'saml'])
      .optional()
      .meta({ description: 'Which kind application is (found out when absent)' }),
    ip: z.string().min(1).max(64).meta({ description: 'The client IP address, IPv4 or IPv6' }),
    new_device: z
      .boolean()
      .default(false)
      .meta({ description: 'true: a browser the user never signed in from' }),
  })
  .meta({ id: 'AccessDryRun' });
const DryRunOut = z
  .object({
    decision: Decision,
    policy: PolicyRefOut.nullable().meta({
      description: 'The policy that decided; null: the default',
    }),
    default_decision: Decision,
    explanation: z.array(z.string()),
    steps: z.array(
      z.object({
        policy: PolicyRefOut,
        outcome: z.enum(['matched', 'not-matched', 'disabled', 'not-reached']),
        decision: Decision,
        checks: z.array(
          z.object({
            condition: z.enum(['application', 'user', 'network', 'device']),
            ok: z.boolean(),
            reason: z.string(),
          }),
        ),
      }),
    ),
    facts: z.object({
      user_id: z.string(),
      group_ids: z.array(z.string()),
      application: AppRefOut.nullable(),
      ip: z.string(),
      device: z.enum(['new', 'known']),
    }),
  })
  .meta({ id: 'AccessDryRunResult' });

export function wirePolicy(p: AccessPolicy): z.input<typeof PolicyOut> {
  return {
    id: p.id,
    name: p.name,
    priority: p.priority,
    enabled: p.enabled,
    conditions: p.conditions,
    decision: p.decision,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

/** The dry-run result on the wire (the API's and `idaas access dry-run --json`). */
export function wireDryRun(r: DryRunResult): z.input<typeof DryRunOut> {
  return {
    decision: r.decision,
    policy: r.policy,
    default_decision: r.defaultDecision,
    explanation: r.explanation,
    steps: r.steps,
    facts: {
      user_id: r.user.id,
      group_ids: r.groupIds,
      application: r.application,
      ip: r.ip,
      device: r.deviceKnown ? 'known' : 'new',
    },
  };
}

/** The audit actor of an admin token (the operator, a service client, or an instance admin). */
function actorOf(admin: TokenInfo): AuditActor {
  if (!admin.scopes.includes(ADMIN_SCOPE)) return { type: 'admin', id: admin.sub };
  return admin.sub ? { type: 'operator', id: admin.sub } : { type: 'client', id: admin.clientId };
}
const origin = (ctx: Context, admin: TokenInfo): ChangeOrigin => ({
  actor: actorOf(admin),
  meta: requestMeta(ctx),
});

export const accessRoutes: AnyRoute[] = [
  // the fixed paths first: they would otherwise match /access-policies/{id}
  route({
    method: 'get',
    path: `${I}/default`,
    operationId: 'getAccessDefault',
    summary: 'The decision when no policy matches (allow unless set)',
    tag: 'access',
    permission: 'policies:read',
    response: DefaultOut,
    handler: async ({ sctx, instance }) => {
      const d = await getDefault(sctx, await instance());
      return { decision: d.decision, updated_at: d.updatedAt?.toISOString() ?? null };
    },
  }),
  route({
    method: 'put',
    path: `${I}/default`,
    operationId: 'setAccessDefault',
    summary: 'Set the decision when no policy matches',
    tag: 'access',
    permission: 'policies:write',
    body: DefaultIn,
    response: DefaultOut,
    handler: async ({ sctx, ctx, admin, instance, body }) => {
      const d = await setDefault(sctx, await instance(), body.decision, origin(ctx, admin));
      return { decision: d.decision, updated_at: d.updatedAt.toISOString() };
    },
  }),
  route({
    method: 'post',
    path: `${I}/reorder`,
    operationId: 'reorderAccessPolicies',
    summary: 'Put the policies in a new order (priorities 10, 20, 30 …)',
    tag: 'access',
    permission: 'policies:write',
    body: Reorder,
    response: PolicyList,
    handler: async ({ sctx, ctx, admin, instance, body }) => {
      const inst = await instance();
      const items = await reorderPolicies(sctx, inst, body.ids, origin(ctx, admin));
      return {
        items: items.map(wirePolicy),
        default_decision: (await getDefault(sctx, inst)).decision,
      };
    },
  }),
  route({
    method: 'post',
    path: `${I}/dry-run`,
    operationId: 'dryRunAccessPolicies',
    summary: 'Which policy would apply to a sign-in, and why (changes nothing)',
    tag: 'access',
    permission: 'policies:read',
    body: DryRunIn,
    response: DryRunOut,
    handler: async ({ sctx, instance, body }) => {
      const r = await dryRun(sctx, await instance(), {
        user: body.user,
        application: body.application ?? null,
        ...(body.application_kind ? { applicationKind: body.application_kind } : {}),
        ip: body.ip,
        newDevice: body.new_device,
      });
      return wireDryRun(r);
    },
  }),
  route({
    method: 'get',
    path: I,
    operationId: 'listAccessPolicies',
    summary: 'List the access policies in priority order, with the default decision',
    tag: 'access',
    permission: 'policies:read',
    response: PolicyList,
    handler: async ({ sctx, instance }) => {
      const inst = await instance();
      const items = await listPolicies(sctx, inst);
      return {
        items: items.map(wirePolicy),
        default_decision: (await getDefault(sctx, inst)).decision,
      };
    },
  }),
  route({
    method: 'post',
    path: I,
    operationId: 'createAccessPolicy',
    summary: 'Create an access policy (without a priority: after the last one)',
    tag: 'access',
    permission: 'policies:write',
    body: PolicyCreate,
    status: 201,
    response: PolicyOut,
    errors: [409],
    handler: async ({ sctx, ctx, admin, instance, body }) =>
      wirePolicy(await createPolicy(sctx, await instance(), body, origin(ctx, admin))),
  }),
  route({
    method: 'get',
    path: `${I}/{id}`,
    operationId: 'getAccessPolicy',
    summary: 'Get an access policy',
    tag: 'access',
    permission: 'policies:read',
    response: PolicyOut,
    handler: async ({ sctx, instance, param }) =>
      wirePolicy(await getPolicy(sctx, await instance(), param('id'))),
  }),
  route({
    method: 'patch',
    path: `${I}/{id}`,
    operationId: 'updateAccessPolicy',
    summary: 'Change an access policy (conditions, when given, are replaced as a whole)',
    tag: 'access',
    permission: 'policies:write',
    body: PolicyPatch,
    response: PolicyOut,
    errors: [409],
    handler: async ({ sctx, ctx, admin, instance, param, body }) =>
      wirePolicy(await updatePolicy(sctx, await instance(), param('id'), body, origin(ctx, admin))),
  }),
  route({
    method: 'delete',
    path: `${I}/{id}`,
    operationId: 'deleteAccessPolicy',
    summary: 'Delete an access policy',
    tag: 'access',
    permission: 'policies:write',
    status: 204,
    handler: async ({ sctx, ctx, admin, instance, param }) => {
      await deletePolicy(sctx, await instance(), param('id'), origin(ctx, admin));
    },
  }),
];
