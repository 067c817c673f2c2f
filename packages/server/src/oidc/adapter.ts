// oidc-provider's storage adapter over `store.repos.oidc` (one table, scoped by instance),
// except for `Client`, whose metadata comes from the instance's applications.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Application, Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';

/** Client metadata for oidc-provider, from one of our applications. */
export function clientMetadata(
  app: Application,
  secret: string | null,
  platform = false,
): AdapterPayload & Record<string, unknown> {
  const isPublic = app.clientType === 'public';
  const grantTypes = app.grantTypes.slice();
  return {
    client_id: app.clientId,
    ...(secret ? { client_secret: secret } : {}),
    client_name: app.name,
    application_type: 'web',
    token_endpoint_auth_method: isPublic ? 'none' : app.tokenEndpointAuthMethod,
    grant_types: grantTypes,
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    scope: app.scopes.filter((s) => platform || s !== 'idaas:admin').join(' '),
    ...(app.backchannelLogoutUri
      ? {
          backchannel_logout_uri: app.backchannelLogoutUri,
          backchannel_logout_session_required: true,
        }
      : {}),
    'urn:idaas:access_token_format': app.accessTokenFormat,
    'urn:idaas:first_party': app.firstParty,
  };
}

const CLIENT_CACHE = 64;

export type AdapterFactory = (name: string) => Adapter;

export function adapterFor(sctx: ServerContext, instance: Instance): AdapterFactory {
  const repo = sctx.store.repos.oidc;
  const instanceId = instance.id;
  const clock = sctx.clock;
  const clients = new Map<string, (AdapterPayload & Record<string, unknown>) | null>();

  const clientAdapter: Adapter = {
    async upsert() {
      throw new Error('clients are managed through applications');
    },
    async find(id: string) {
      // Cached for the provider's lifetime: any application change bumps the instance's
      // configVersion, which rebuilds the provider (and so drops this cache).
      if (clients.has(id)) return clients.get(id) ?? undefined;
      const app = await sctx.store.repos.applications.getByClientId(instanceId, id);
      const meta = app
        ? clientMetadata(app, sctx.core.applications.secretOf(instance, app), instance.platform)
        : null;
      if (clients.size >= CLIENT_CACHE) clients.delete(clients.keys().next().value as string);
      clients.set(id, meta);
      return meta ?? undefined;
    },
    async findByUserCode() {
      return undefined;
    },
    async findByUid() {
      return undefined;
    },
    async consume() {},
    async destroy() {},
    async revokeByGrantId() {},
  };

  return (model: string): Adapter => {
    if (model === 'Client') return clientAdapter;
    return {
      async upsert(id, payload, expiresIn) {
        await repo.upsert({
          instanceId,
          model,
          id,
          payload: payload as Record<string, unknown>,
          grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
          uid: typeof payload.uid === 'string' ? payload.uid : null,
          userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
          expiresAt: expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null,
          consumedAt: null,
        });
      },
      async find(id) {
        const r = await repo.find(instanceId, model, id);
        return r ? (r.payload as AdapterPayload) : undefined;
      },
      async findByUid(uid) {
        const r = await repo.findByUid(instanceId, uid);
        return r ? (r.payload as AdapterPayload) : undefined;
      },
      async findByUserCode(userCode) {
        const r = await repo.findByUserCode(instanceId, userCode);
        return r ? (r.payload as AdapterPayload) : undefined;
      },
      async consume(id) {
        await repo.consume(instanceId, model, id, clock.now());
      },
      async destroy(id) {
        await repo.destroy(instanceId, model, id);
      },
      async revokeByGrantId(grantId) {
        await repo.revokeByGrantId(instanceId, grantId);
      },
    };
  };
}
