// Signing-key lifecycle of an instance: the keys to publish and sign with, and rotation with overlap.
import type { Instance, SigningKey } from '../domain.ts';
import { generateSigningKey, KEY_ALGS, privateJwk } from '../keys.ts';
import type { CoreDeps, DataKeys } from './context.ts';

export class SigningKeyService {
  readonly #deps: CoreDeps;
  readonly #keys: DataKeys;
  constructor(deps: CoreDeps, keys: DataKeys) {
    this.#deps = deps;
    this.#keys = keys;
  }

  /** Published keys, newest first (oidc-provider signs with the first key of an algorithm). */
  published(instance: Instance): Promise<SigningKey[]> {
    return this.#deps.store.repos.keys.published(instance.id, this.#deps.clock.now());
  }

  list(instance: Instance): Promise<SigningKey[]> {
    return this.#deps.store.repos.keys.list(instance.id);
  }

  /** Private JWKs of the published keys, for the provider's `jwks` configuration. */
  async privateJwks(instance: Instance): Promise<Record<string, unknown>[]> {
    const dk = this.#keys.of(instance);
    return (await this.published(instance)).map((k) => privateJwk(k, dk));
  }

  /**
   * New active ES256 and RS256 keys; the previous active keys become `retiring` and stay
   * in JWKS for `keyOverlapSeconds` (tokens they signed stay verifiable), then are purged.
   */
  async rotate(instance: Instance): Promise<{ active: SigningKey[]; retiring: SigningKey[] }> {
    const { store, clock } = this.#deps;
    const dk = this.#keys.of(instance);
    const fresh = await Promise.all(
      KEY_ALGS.map((alg) => generateSigningKey(instance.id, alg, dk, clock)),
    );
    const retireAfter = new Date(
      clock.now().getTime() + (this.#deps.keyOverlapSeconds ?? 2 * 3600) * 1000,
    );
    await store.transaction(async (tx) => {
      await tx.keys.purgeRetired(instance.id, clock.now());
      for (const k of await tx.keys.list(instance.id))
        if (k.status === 'active') await tx.keys.retire(instance.id, k.kid, retireAfter);
      for (const k of fresh) await tx.keys.insert(k);
      await tx.instances.bumpConfigVersion(instance.id, clock.now());
    });
    const all = await store.repos.keys.list(instance.id);
    return {
      active: all.filter((k) => k.status === 'active'),
      retiring: all.filter((k) => k.status === 'retiring'),
    };
  }
}
