// Admin API: a user's second factors (list; reset all or one). Secrets never leave the
// store: the listing names kinds, labels and dates only.
import { z } from 'zod';
import { AppError } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import { removeFactor, resetAll } from '../mfa/service.ts';
import { actorOfToken } from './authorize.ts';
import { route, type AnyRoute, type Call } from './route.ts';

const U = '/instances/{slug}/users/{id}/mfa';
const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });

const MfaFactorOut = z
  .object({
    id: z.string(),
    kind: z.enum(['totp', 'webauthn', 'email', 'sms']),
    name: z.string(),
    device_type: z.enum(['singleDevice', 'multiDevice']).nullable(),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
  })
  .meta({ id: 'MfaFactor', description: 'An enrolled second factor of a user (no secrets)' });
const MfaStatus = z
  .object({
    items: z.array(MfaFactorOut),
    recovery_codes_remaining: z.number().int().min(0),
  })
  .meta({ id: 'MfaStatus' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function target(call: Call<any, any>) {
  const inst = await call.instance();
  const user = await call.sctx.store.repos.users.get(inst.id, call.param('id'));
  if (!user) throw new AppError('not_found', 'user not found');
  return { inst, user };
}

export const mfaRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: U,
    operationId: 'getUserMfa',
    summary: "List a user's second factors",
    tag: 'mfa',
    permission: 'users:read',
    response: MfaStatus,
    handler: async (call) => {
      const { inst, user } = await target(call);
      const repos = call.sctx.store.repos;
      const factors = await repos.mfaFactors.list(inst.id, user.id);
      return {
        items: factors.map((f) => ({
          id: f.id,
          kind: f.kind,
          name: f.name,
          device_type: f.deviceType,
          created_at: f.createdAt.toISOString(),
          last_used_at: f.lastUsedAt?.toISOString() ?? null,
        })),
        recovery_codes_remaining: await repos.mfaRecoveryCodes.remaining(inst.id, user.id),
      };
    },
  }),
  route({
    method: 'delete',
    path: U,
    operationId: 'resetUserMfa',
    summary: "Reset a user's second factors (all factors and recovery codes)",
    tag: 'mfa',
    permission: 'users:mfa-reset',
    status: 204,
    handler: async (call) => {
      const { inst, user } = await target(call);
      const n = await resetAll(call.sctx, inst, user.id);
      await call.sctx.audit.record({
        instanceId: inst.id,
        actor: actorOfToken(call.admin),
        action: 'mfa.reset',
        target: { type: 'user', id: user.id },
        result: 'success',
        ...requestMeta(call.ctx),
        details: { factors: n },
      });
    },
  }),
  route({
    method: 'delete',
    path: `${U}/{factor_id}`,
    operationId: 'deleteUserMfaFactor',
    summary: 'Remove one second factor of a user',
    tag: 'mfa',
    permission: 'users:mfa-reset',
    status: 204,
    handler: async (call) => {
      const { inst, user } = await target(call);
      const f = await removeFactor(call.sctx, inst, user.id, call.param('factor_id'));
      if (!f) throw new AppError('not_found', 'factor not found');
      await call.sctx.audit.record({
        instanceId: inst.id,
        actor: actorOfToken(call.admin),
        action: 'mfa.reset',
        target: { type: 'user', id: user.id },
        result: 'success',
        ...requestMeta(call.ctx),
        details: { factor: f.kind, factorId: f.id },
      });
    },
  }),
];
