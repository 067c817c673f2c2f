// SAML 2.0 identity provider per instance under /i/:slug/saml/* (filled in by the SAML work).
import type { Middleware } from 'koa';
import type { ServerContext } from '../context.ts';
import type { OidcModule } from '../oidc/index.ts';

export function createSaml(_sctx: ServerContext, _oidc: OidcModule): Middleware {
  return (_ctx, next) => next();
}
