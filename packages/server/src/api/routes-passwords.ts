// Admin API: the password policy of an instance, and the forced password change of a user.
import { z } from 'zod';
import { PLATFORM_MIN_LENGTH, type PasswordPolicy } from '@idaas/core';
import { requestMeta } from '../audit/index.ts';
import { actorOfToken } from './authorize.ts';
import { route, type AnyRoute } from './route.ts';

const I = '/instances/{slug}';
const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });

const fields = {
  min_length: z
    .number()
    .int()
    .min(8)
    .max(64)
    .meta({
      description: `Minimum length in code points after NFKC (platform instance: at least ${PLATFORM_MIN_LENGTH})`,
    }),
  max_length: z
    .number()
    .int()
    .min(64)
    .max(256)
    .meta({ description: 'Maximum length (at least 64)' }),
  require_uppercase: z.boolean(),
  require_lowercase: z.boolean(),
  require_digit: z.boolean(),
  require_symbol: z.boolean(),
  reject_breached: z
    .boolean()
    .meta({ description: 'Refuse passwords of the offline common/breached list' }),
  reject_username: z
    .boolean()
    .meta({ description: 'Refuse passwords containing the username or the email name' }),
  history_count: z
    .number()
    .int()
    .min(0)
    .max(24)
    .meta({ description: 'Previous passwords that may not be reused (0: none kept)' }),
};

const PolicyOut = z
  .object({ ...fields, custom: z.boolean().meta({ description: 'false: the defaults apply' }) })
  .meta({
    id: 'PasswordPolicy',
    description: 'The password policy of an instance (NIST SP 800-63B)',
  });
const PolicyIn = z.strictObject(fields).meta({ id: 'PasswordPolicyUpdate' });
const ChangeRequired = z
  .object({ user_id: z.string(), password_change_required: z.boolean(), updated_at: timestamp })
  .meta({ id: 'PasswordChangeRequired' });
const ChangeRequiredIn = z
  .strictObject({
    required: z.boolean().default(true).meta({ description: 'false withdraws the requirement' }),
  })
  .meta({ id: 'PasswordChangeRequiredUpdate' });

function wire(p: PasswordPolicy, custom: boolean): z.input<typeof PolicyOut> {
  return {
    min_length: p.minLength,
    max_length: p.maxLength,
    require_uppercase: p.requireUppercase,
    require_lowercase: p.requireLowercase,
    require_digit: p.requireDigit,
    require_symbol: p.requireSymbol,
    reject_breached: p.rejectBreached,
    reject_username: p.rejectUsername,
    history_count: p.historyCount,
    custom,
  };
}

function toCore(w: z.output<typeof PolicyIn>): PasswordPolicy {
  return {
    minLength: w.min_length,
    maxLength: w.max_length,
    requireUppercase: w.require_uppercase,
    requireLowercase: w.require_lowercase,
    requireDigit: w.require_digit,
    requireSymbol: w.require_symbol,
    rejectBreached: w.reject_breached,
    rejectUsername: w.reject_username,
    historyCount: w.history_count,
  };
}

export const passwordRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: `${I}/policies/password`,
    operationId: 'getPasswordPolicy',
    summary: 'The password policy of an instance (its own, or the defaults)',
    tag: 'passwords',
    permission: 'policies:read',
    response: PolicyOut,
    handler: async ({ sctx, instance }) => {
      const inst = await instance();
      return wire(
        await sctx.core.passwords.policy(inst),
        await sctx.core.passwords.hasOwnPolicy(inst),
      );
    },
  }),
  route({
    method: 'put',
    path: `${I}/policies/password`,
    operationId: 'putPasswordPolicy',
    summary: 'Replace the password policy of an instance',
    description:
      'Every field is required. NIST SP 800-63B bounds: min_length ≥ 8 (≥ 15 on the platform instance), max_length ≥ 64. Existing passwords stay valid; the policy applies whenever a password is set.',
    tag: 'passwords',
    permission: 'policies:write',
    body: PolicyIn,
    response: PolicyOut,
    handler: async ({ sctx, ctx, instance, body, admin }) => {
      const inst = await instance();
      const before = await sctx.core.passwords.policy(inst);
      // core errors name camelCase fields; the dispatcher maps them back to snake_case
      const policy = await sctx.core.passwords.setPolicy(inst, toCore(body));
      await sctx.audit.record({
        instanceId: inst.id,
        actor: actorOfToken(admin),
        action: 'password.policy.update',
        target: { type: 'instance', id: inst.id },
        result: 'success',
        ...requestMeta(ctx),
        details: { before: wire(before, true), after: wire(policy, true) },
      });
      return wire(await sctx.core.passwords.policy(inst), true);
    },
  }),
  route({
    method: 'post',
    path: `${I}/users/{id}/require-password-change`,
    operationId: 'requirePasswordChange',
    summary: 'Require a user to choose a new password at the next sign-in',
    description:
      'After a correct password the hosted sign-in asks for a new one (the policy enforced) before going on. Send {"required": false} to withdraw the requirement.',
    tag: 'passwords',
    permission: 'users:write',
    body: ChangeRequiredIn,
    response: ChangeRequired,
    handler: async ({ sctx, ctx, instance, param, body, admin }) => {
      const inst = await instance();
      const id = param('id');
      await sctx.core.passwords.requireChange(inst, id, body.required);
      await sctx.audit.record({
        instanceId: inst.id,
        actor: actorOfToken(admin),
        action: body.required ? 'password.change.require' : 'password.change.withdraw',
        target: { type: 'user', id },
        result: 'success',
        ...requestMeta(ctx),
      });
      return {
        user_id: id,
        password_change_required: await sctx.core.passwords.changeRequired(inst, id),
        updated_at: sctx.clock.now().toISOString(),
      };
    },
  }),
];
