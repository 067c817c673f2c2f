// The permission check of `--as USER_ID` (issue 6, G5.6): the admin API's own
// `authorizeCall` (server/api/authorize.ts) applied to the subcommand's table entry, as
// if the platform user had called a route declaring that permission with an account
// token (idaas:account, never the operator's scope). Refusals and writes are audited
// (G4.6) with that user as the actor, like the API's calls.
import {
  AppError,
  PLATFORM_SLUG,
  type AuditActor,
  type AuditResult,
  type Instance,
} from '@idaas/core';
import { authorize as commerceAuthorize } from '@idaas/core/business/commerce/index';
import { authorizeCall, Denied, type Decision } from '@idaas/server/api/authorize';
import type { AnyRoute } from '@idaas/server/api/route';
import type { ServerContext, TokenInfo } from '@idaas/server';
import type { CliPermission } from './permissions.ts';

/** One CLI call as the API's checks see it. */
export interface CliCall {
  /** e.g. `user mfa reset` (the command and the table key). */
  name: string;
  entry: Exclude<CliPermission, { permission: 'none' }>;
  /** The parsed flags of the call (values[flag without --]). */
  values: Readonly<Record<string, unknown>>;
}

const flagValue = (values: CliCall['values'], flag: string | undefined): string | undefined => {
  if (!flag) return undefined;
  const v = values[flag.replace(/^--/, '')];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The path parameters the API would have had: {slug} or {account_id}. */
function paramsOf(call: CliCall): Map<string, string> {
  const params = new Map<string, string>();
  const e = call.entry;
  if ('instance' in e && e.permission !== 'account:member') {
    const slug = flagValue(call.values, e.instance);
    if (slug !== undefined) params.set('slug', slug);
  }
  if (e.permission === 'account:member') {
    // an absent --account must not read as "no account named" (which the API allows)
    params.set('account_id', flagValue(call.values, e.account) ?? '');
  }
  return params;
}

/**
 * Checks that platform user `userId` may make `call`; returns the API's decision (actor,
 * instance, access) or throws `Denied` (exit 3) after auditing the refusal.
 */
export async function authorizeAs(
  sctx: ServerContext,
  call: CliCall,
  userId: string,
): Promise<Decision> {
  const token: TokenInfo = {
    instanceSlug: PLATFORM_SLUG,
    clientId: 'idaas-cli',
    sub: userId,
    scopes: [],
    expiresAt: sctx.clock.now(),
  };
  const route: AnyRoute = {
    method: 'post',
    path: `idaas ${call.name}`,
    operationId: `idaas ${call.name}`,
    summary: `idaas ${call.name}`,
    tag: 'cli',
    permission: call.entry.permission,
    handler: () => Promise.resolve(undefined),
  };
  const params = paramsOf(call);
  try {
    const decision = await authorizeCall(sctx, route, token, params);
    const e = call.entry;
    if (e.permission === 'account:member') {
      const accountId = params.get('account_id')!;
      const instance = flagValue(call.values, e.instance) ?? null;
      try {
        await commerceAuthorize(
          sctx.store.repos,
          { operator: false, userId },
          accountId,
          e.action,
          instance,
        );
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'forbidden') throw err;
        const what = e.action === 'owner' ? 'the owner' : e.action;
        throw new Denied(
          `requires account:member (${what}) of account ${accountId}${instance ? ` on instance ${instance}` : ''}`,
          e.action,
          decision.actor,
          null,
        );
      }
    }
    return decision;
  } catch (err) {
    if (err instanceof Denied)
      await auditCli(sctx, call, {
        actor: err.actor,
        instance: err.instance,
        result: 'denied',
        code: 'forbidden',
      });
    throw err;
  }
}

/** The actor of CLI calls without --as: the operator at the console. */
export const OPERATOR_CLI: AuditActor = { type: 'operator', id: 'cli' };

/**
 * One audit record of a CLI call (never its flags' values beyond the instance slug and
 * account id). `instance` undefined: the instance its --instance flag names, if it exists
 * (now); the record goes to that instance's chain, else to the platform's.
 */
export async function auditCli(
  sctx: ServerContext,
  call: CliCall,
  e: {
    actor: AuditActor;
    instance: Instance | null | undefined;
    result: AuditResult;
    code?: string;
  },
): Promise<void> {
  const params = paramsOf(call);
  const slug = params.get('slug');
  const instance =
    e.instance !== undefined
      ? e.instance
      : slug
        ? await sctx.store.repos.instances.getBySlug(slug)
        : null;
  const instanceId =
    instance?.id ?? (await sctx.store.repos.instances.getBySlug(PLATFORM_SLUG))?.id;
  if (!instanceId) return;
  const accountId = params.get('account_id');
  await sctx.audit.record({
    instanceId,
    actor: e.actor,
    action: `cli.${call.name.replaceAll(' ', '.')}`,
    target:
      slug !== undefined
        ? { type: 'instance', id: slug }
        : accountId !== undefined
          ? { type: 'account', id: accountId || null }
          : { type: 'platform', id: null },
    result: e.result,
    details: {
      via: 'cli',
      command: `idaas ${call.name}`,
      permission: call.entry.permission,
      ...(call.entry.permission === 'account:member' ? { action: call.entry.action } : {}),
      ...(slug !== undefined ? { instance: slug } : {}),
      ...(e.code ? { error: e.code } : {}),
    },
  });
}
