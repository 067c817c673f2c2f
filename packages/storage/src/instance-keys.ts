// Data keys of instances for the repos: wrapped keys come from the key vault, are
// unwrapped with the platform KEK, and are cached in memory.
import { AppError, type DataKey, type KeyEncryptionKey, type KeyVault } from '@idaas/core';

export class InstanceKeys implements KeyVault {
  readonly vault: KeyVault;
  readonly #kek: KeyEncryptionKey | null;
  readonly #wrapped = new Map<string, string>();
  readonly #keys = new Map<string, DataKey>();
  constructor(vault: KeyVault, kek: KeyEncryptionKey | null) {
    this.vault = vault;
    this.#kek = kek;
  }

  /** The wrapped key, or null when the instance has none (destroyed at release). */
  async wrapped(instanceId: string): Promise<string | null> {
    const hit = this.#wrapped.get(instanceId);
    if (hit) return hit;
    const w = await this.vault.get(instanceId);
    if (w) this.#remember(this.#wrapped, instanceId, w);
    return w;
  }

  get(instanceId: string): Promise<string | null> {
    return this.wrapped(instanceId);
  }

  async dataKey(instanceId: string): Promise<DataKey> {
    const hit = this.#keys.get(instanceId);
    if (hit) return hit;
    if (!this.#kek)
      throw new AppError(
        'internal',
        'the store was opened without the key-encryption key (IDAAS_KEK)',
      );
    const w = await this.wrapped(instanceId);
    if (!w)
      throw new AppError(
        'instance_unavailable',
        'the instance data key is destroyed: its data is unreadable',
      );
    const key = this.#kek.unwrap(instanceId, w);
    this.#remember(this.#keys, instanceId, key);
    return key;
  }

  async put(instanceId: string, wrapped: string): Promise<void> {
    await this.vault.put(instanceId, wrapped);
    this.#wrapped.delete(instanceId);
    this.#keys.delete(instanceId);
  }

  async destroy(instanceId: string): Promise<boolean> {
    this.#wrapped.delete(instanceId);
    this.#keys.delete(instanceId);
    return this.vault.destroy(instanceId);
  }

  #remember<V>(map: Map<string, V>, k: string, v: V): void {
    if (map.size >= 20_000) map.delete(map.keys().next().value!);
    map.set(k, v);
  }
}
