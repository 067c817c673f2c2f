// idaas's own public clients of an instance (the SAML bridge `saml-bridge`, the account
// pages `account-portal`, the portal SPA `portal`): created on first use, first-party (no
// consent page) and internal (not listed, not editable), authorization code + PKCE only.
import type { Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';

export interface InternalClientSpec {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  scopes: string[];
  /**
   * An existing client of this id that is not flagged first-party and internal (created
   * before the flag existed) is upgraded. Off by default: elsewhere an administrator's own
   * application that happens to use the id is left as it is.
   */
  adoptExisting?: boolean;
}

/** Per server context: the instance/client pairs known to be in place in this process. */
const ready = new WeakMap<ServerContext, Set<string>>();

/**
 * Makes sure the internal client `spec.clientId` exists at the instance (once per process);
 * the instance's provider is invalidated when the client was created or changed here.
 * A concurrent creation by another request or process is not an error.
 */
export async function ensureInternalClient(
  sctx: ServerContext,
  instance: Instance,
  spec: InternalClientSpec,
  invalidate: (slug: string) => void,
): Promise<void> {
  let done = ready.get(sctx);
  if (!done) ready.set(sctx, (done = new Set()));
  const key = `${instance.id}\n${spec.clientId}`;
  if (done.has(key)) return;
  const { store } = sctx;
  const existing = await store.repos.applications.getByClientId(instance.id, spec.clientId);
  if (existing && spec.adoptExisting && (!existing.firstParty || !existing.internal)) {
    await store.transaction(async (tx) => {
      const at = sctx.clock.now();
      await tx.applications.update(
        instance.id,
        existing.id,
        { firstParty: true, internal: true },
        at,
      );
      await tx.instances.bumpConfigVersion(instance.id, at);
    });
    invalidate(instance.slug);
  }
  if (!existing) {
    await sctx.core.applications
      .create(instance, {
        name: spec.name,
        clientId: spec.clientId,
        public: true,
        redirectUris: spec.redirectUris,
        ...(spec.postLogoutRedirectUris
          ? { postLogoutRedirectUris: spec.postLogoutRedirectUris }
          : {}),
        grantTypes: ['authorization_code'],
        scopes: spec.scopes,
        internal: true, // first-party (no consent page) and not listed
      })
      .catch(async (err: unknown) => {
        if (!(await store.repos.applications.getByClientId(instance.id, spec.clientId))) throw err;
      });
    invalidate(instance.slug);
  }
  done.add(key);
}
