import type { Clock } from '../clock.ts';
import type { DataKey, KeyEncryptionKey } from '../envelope.ts';
import type { PasswordHasher } from '../password.ts';
import type { Store } from '../ports.ts';
import type { Instance } from '../domain.ts';
import { AppError } from '../errors.ts';

export interface CoreDeps {
  store: Store;
  clock: Clock;
  kek: KeyEncryptionKey;
  hasher: PasswordHasher;
  /** Seconds a rotated-out signing key stays published (≥ the longest signed token lifetime). */
  keyOverlapSeconds?: number;
}

/** Unwrapped data keys, cached per instance (unwrapping is cheap but not free on hot paths). */
export class DataKeys {
  readonly #kek: KeyEncryptionKey;
  readonly #cache = new Map<string, { wrapped: string; key: DataKey }>();
  constructor(kek: KeyEncryptionKey) {
    this.#kek = kek;
  }
  of(instance: Instance): DataKey {
    if (!instance.dataKeyWrapped)
      throw new AppError(
        'instance_unavailable',
        `instance ${instance.slug} has no data key (released)`,
      );
    const hit = this.#cache.get(instance.id);
    if (hit && hit.wrapped === instance.dataKeyWrapped) return hit.key;
    const key = this.#kek.unwrap(instance.id, instance.dataKeyWrapped);
    if (this.#cache.size >= 10_000) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(instance.id, { wrapped: instance.dataKeyWrapped, key });
    return key;
  }
  forget(instanceId: string): void {
    this.#cache.delete(instanceId);
  }
}
