// Deletion receipts of an account (what was deleted at release, when, under which clause;
// G4.7, ID3), reachable by the account's members (`account:member`, G5.6) as well as the
// operator: the owner, or a sub-account holding `instances:read` account-wide.
import { z } from 'zod';
import { notFound } from '@idaas/core';
import { authorize } from '@idaas/core/business/commerce/index';
import { principalOf } from './routes-commerce.ts';
import { route, type AnyRoute } from './route.ts';

const timestamp = z.iso.datetime().meta({ description: 'RFC 3339 instant (UTC)' });

const ReceiptOut = z
  .object({
    id: z.string(),
    account_id: z.string(),
    instance_id: z.string(),
    instance_slug: z.string(),
    at: timestamp,
    clause: z.string(),
    what: z.record(z.string(), z.number()).meta({ description: 'What was deleted, counted' }),
  })
  .meta({ id: 'DeletionReceipt' });

export const accountReceiptRoutes: AnyRoute[] = [
  route({
    method: 'get',
    path: '/accounts/{account_id}/deletion-receipts',
    operationId: 'listDeletionReceipts',
    permission: 'account:member',
    summary: "An account's deletion receipts (what was deleted, when, under which clause)",
    description:
      'The operator, the account owner, or a sub-account with instances:read on every instance (*).',
    tag: 'lifecycle',
    response: z.object({ items: z.array(ReceiptOut) }).meta({ id: 'DeletionReceiptList' }),
    handler: async (call) => {
      const { sctx } = call;
      const accountId = call.param('account_id');
      if (!(await sctx.store.repos.opsLookups.accountKind(accountId))) throw notFound('account');
      await authorize(sctx.store.repos, principalOf(call.admin), accountId, 'instances:read');
      return {
        items: (await sctx.store.repos.receipts.byAccount(accountId)).map((r) => ({
          id: r.id,
          account_id: r.accountId,
          instance_id: r.instanceId,
          instance_slug: r.instanceSlug,
          at: r.at.toISOString(),
          clause: r.clause,
          what: r.what,
        })),
      };
    },
  }),
];
