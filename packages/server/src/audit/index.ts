// The audit trail on the server side: the sink every module records to, and the
// request metadata (IP address, user agent, host: G4.6) taken from a Koa context.
//
// SEAM (issue 6): `createAuditSink` is replaced by the hash-chained, group-committed
// implementation; callers only ever use `sctx.audit.record(...)` and `requestMeta(ctx)`.
import type { Context } from 'koa';
import type { AuditInput, AuditSink } from '@idaas/core';
import type { ServerContext } from '../context.ts';

/** IP address, user agent and host of a request, for an audit record. */
export function requestMeta(ctx: Context): Pick<AuditInput, 'ip' | 'userAgent' | 'host'> {
  return {
    ip: ctx.ip || null,
    userAgent: ctx.get('user-agent').slice(0, 512) || null,
    host: ctx.host || null,
  };
}

export function createAuditSink(sctx: Omit<ServerContext, 'audit' | 'business'>): AuditSink {
  return {
    async record(e) {
      sctx.logger.info({ audit: { ...e, details: undefined } }, 'audit');
    },
  };
}
