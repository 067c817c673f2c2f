// STUB until the OIDC module lands: mounts nothing.
import type { Middleware } from 'koa';
import type { ServerContext, TokenVerifier } from '../context.ts';

export interface OidcModule {
  /** Handles `/i/:slug/...` (provider endpoints and hosted pages); passes anything else on. */
  middleware: Middleware;
  tokens: TokenVerifier;
  close(): Promise<void>;
}

export function createOidc(_sctx: ServerContext): OidcModule {
  return {
    middleware: (_ctx, next) => next(),
    tokens: { verify: async () => null },
    close: async () => {},
  };
}
