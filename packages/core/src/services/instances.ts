// Identity instances: creation (with data key and first signing keys, in one
// transaction), lookup, and the platform bootstrap (operator account + admin instance).
import { z } from 'zod';
import type { Account, Instance } from '../domain.ts';
import { AppError, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { generateSigningKey, KEY_ALGS } from '../keys.ts';
import type { ListQuery, Page } from '../domain.ts';
import { parseInput, slugSchema } from '../validation.ts';
import type { CoreDeps, DataKeys } from './context.ts';

export const PLATFORM_SLUG = 'platform';

export const createInstanceInput = z.strictObject({
  slug: slugSchema,
  displayName: z.string().min(1).max(200).optional(),
  region: z
    .string()
    .regex(/^[a-z0-9-]{2,32}$/, 'must be a region id like cn-shanghai')
    .optional(),
  accountId: z.string().optional(),
});
export type CreateInstanceInput = z.input<typeof createInstanceInput>;

export class InstanceService {
  readonly #deps: CoreDeps;
  readonly #keys: DataKeys;
  constructor(deps: CoreDeps, keys: DataKeys) {
    this.#deps = deps;
    this.#keys = keys;
  }

  async create(raw: unknown, opts: { platform?: boolean } = {}): Promise<Instance> {
    const input = parseInput(createInstanceInput, raw);
    const { store, clock, kek } = this.#deps;
    const accountId = input.accountId ?? (await this.ensureOperator()).id;
    if (!(await store.repos.accounts.get(accountId)))
      throw new AppError('validation_failed', 'accountId: no such account', {
        issues: [{ field: 'accountId', message: 'no such account' }],
      });
    if (await store.repos.instances.getBySlug(input.slug))
      throw new AppError('conflict', 'slug: already exists', {
        issues: [{ field: 'slug', message: 'already exists' }],
      });
    const id = newId(clock);
    const { wrapped, key } = kek.newDataKey(id);
    const at = clock.now();
    const instance: Instance = {
      id,
      accountId,
      slug: input.slug,
      displayName: input.displayName ?? input.slug,
      region: input.region ?? 'cn-shanghai',
      state: 'active',
      dataKeyWrapped: wrapped,
      platform: opts.platform ?? false,
      configVersion: 1,
      createdAt: at,
      updatedAt: at,
    };
    const keys = await Promise.all(KEY_ALGS.map((alg) => generateSigningKey(id, alg, key, clock)));
    await store.transaction(async (tx) => {
      await tx.instances.insert(instance);
      for (const k of keys) await tx.keys.insert(k);
    });
    return instance;
  }

  async get(slug: string): Promise<Instance> {
    const i = await this.#deps.store.repos.instances.getBySlug(slug);
    if (!i) throw notFound(`instance ${JSON.stringify(slug)}`);
    return i;
  }

  find(slug: string): Promise<Instance | null> {
    return this.#deps.store.repos.instances.getBySlug(slug);
  }

  list(q: ListQuery): Promise<Page<Instance>> {
    return this.#deps.store.repos.instances.list(q);
  }

  dataKey(instance: Instance) {
    return this.#keys.of(instance);
  }

  /** The operator's account, created on first use. */
  async ensureOperator(): Promise<Account> {
    const { store, clock } = this.#deps;
    const existing = await store.repos.accounts.findOperator();
    if (existing) return existing;
    const account: Account = {
      id: newId(clock),
      kind: 'operator',
      name: 'Platform operator',
      ownerEmail: null,
      createdAt: clock.now(),
    };
    await store.repos.accounts.insert(account);
    return account;
  }
}
