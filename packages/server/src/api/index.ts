// STUB until the admin API lands.
import type { Middleware } from 'koa';
import type { ServerContext, TokenVerifier } from '../context.ts';

export function createApi(_sctx: ServerContext, _tokens: TokenVerifier): Middleware {
  return (_ctx, next) => next();
}
