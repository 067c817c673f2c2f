// Admin API for the console: who the caller is (operator or account member) and which
// customer accounts it belongs to, so the console can open the right views after sign-in.
import { z } from 'zod';
import { route, type AnyRoute } from './route.ts';

const MeOut = z
  .object({
    user_id: z
      .string()
      .nullable()
      .meta({ description: 'platform user (null for a service client)' }),
    operator: z.boolean().meta({ description: 'true for the operator (idaas:admin)' }),
    accounts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        role: z.enum(['owner', 'sub']),
        permissions: z
          .array(z.object({ instance: z.string(), actions: z.array(z.string()) }))
          .nullable()
          .meta({ description: "a sub-account's rights (null: the owner's, all of them)" }),
      }),
    ),
  })
  .meta({ id: 'Me' });

export const consoleRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    // any signed-in caller: an account member reads only its own memberships
    permission: 'account:member',
    summary: 'The caller: operator or account member, and the customer accounts it belongs to',
    tag: 'accounts',
    response: MeOut,
    handler: async ({ sctx, admin, operator }) => {
      const repos = sctx.store.repos;
      const memberships = admin.sub ? await repos.accountMembers.accountsOf(admin.sub) : [];
      const accounts = [];
      for (const m of memberships) {
        const acc = await repos.commerceAccounts.get(m.accountId);
        if (acc)
          accounts.push({
            id: acc.id,
            name: acc.name,
            role: m.role,
            permissions: m.permissions,
          });
      }
      return { user_id: admin.sub, operator, accounts };
    },
  }),
];
