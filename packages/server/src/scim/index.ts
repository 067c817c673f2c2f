// SCIM 2.0 service provider per instance under /i/:slug/scim/v2/* (filled in by the SCIM work).
import type { Middleware } from 'koa';
import type { ServerContext, TokenVerifier } from '../context.ts';

export function createScim(_sctx: ServerContext, _tokens: TokenVerifier): Middleware {
  return (_ctx, next) => next();
}
