// The directory of an instance: users, groups, organisational units.
import { z } from 'zod';
import type { Group, Instance, ListQuery, OrgUnit, Page, User } from '../domain.ts';
import { AppError, conflict, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { dummyHash } from '../password.ts';
import {
  emailSchema,
  parseInput,
  passwordSchema,
  phoneSchema,
  usernameSchema,
} from '../validation.ts';
import type { CoreDeps } from './context.ts';
import { PasswordService } from '../security/password-service.ts';

export const createUserInput = z.strictObject({
  username: usernameSchema,
  password: passwordSchema.optional(),
  email: emailSchema.optional(),
  emailVerified: z.boolean().optional(),
  phone: phoneSchema.optional(),
  displayName: z.string().min(1).max(200).optional(),
  status: z.enum(['enabled', 'disabled', 'locked']).optional(),
});

export const updateUserInput = z.strictObject({
  email: emailSchema.nullable().optional(),
  emailVerified: z.boolean().optional(),
  phone: phoneSchema.nullable().optional(),
  displayName: z.string().min(1).max(200).nullable().optional(),
  status: z.enum(['enabled', 'disabled', 'locked']).optional(),
  password: passwordSchema.optional(),
});

export const createGroupInput = z.strictObject({
  name: z.string().min(1).max(128),
  description: z.string().max(1000).optional(),
});

export const createOrgUnitInput = z.strictObject({
  name: z.string().min(1).max(128),
  parentId: z.string().nullable().optional(),
});

export const updateOrgUnitInput = z.strictObject({
  name: z.string().min(1).max(128).optional(),
  parentId: z.string().nullable().optional(),
});

export const updateGroupInput = z.strictObject({
  name: z.string().min(1).max(128).optional(),
  description: z.string().max(1000).nullable().optional(),
});

/** A user or group changed (memberships change the group), seen inside the write's transaction. */
export interface DirectoryChange {
  instance: Instance;
  kind: 'User' | 'Group';
  id: string;
  op: 'upsert' | 'delete';
}
/** Runs in the transaction of the change (e.g. enqueues outbound provisioning jobs). */
export type DirectoryListener = (change: DirectoryChange) => Promise<void>;

export type LoginResult =
  { ok: true; user: User } | { ok: false; reason: 'invalid_credentials' | 'disabled' | 'locked' };

export class DirectoryService {
  readonly #deps: CoreDeps;
  #dummy: Promise<string> | null = null;
  /** Password policy (issue 6): enforced wherever a password is set. */
  readonly #passwords: PasswordService;
  readonly #listeners: DirectoryListener[] = [];
  constructor(deps: CoreDeps) {
    this.#deps = deps;
    this.#passwords = new PasswordService(deps);
  }

  /** Every user/group change (admin API, CLI, console, SCIM) is reported to `fn`. */
  onChange(fn: DirectoryListener): void {
    this.#listeners.push(fn);
  }

  /** Runs `write` and the listeners in one transaction. */
  async #write<T>(
    instance: Instance,
    kind: DirectoryChange['kind'],
    id: string,
    op: DirectoryChange['op'],
    write: () => Promise<T>,
  ): Promise<T> {
    return this.#deps.store.transaction(async () => {
      const r = await write();
      for (const fn of this.#listeners) await fn({ instance, kind, id, op });
      return r;
    });
  }

  // ---- users

  async createUser(instance: Instance, raw: unknown): Promise<User> {
    const input = parseInput(createUserInput, raw);
    const { store, clock, hasher } = this.#deps;
    if (input.password)
      await this.#passwords.assertAcceptable(instance, input.password, {
        username: input.username,
        email: input.email ?? null,
      });
    if (await store.repos.users.getByUsername(instance.id, input.username))
      throw conflict('username: already exists', 'username');
    if (input.email && (await store.repos.users.getByEmail(instance.id, input.email)))
      throw conflict('email: already exists', 'email');
    const at = clock.now();
    const user: User = {
      instanceId: instance.id,
      id: newId(clock),
      username: input.username,
      email: input.email ?? null,
      emailVerified: input.emailVerified ?? false,
      phone: input.phone ?? null,
      displayName: input.displayName ?? null,
      status: input.status ?? 'enabled',
      passwordHash: input.password ? await hasher.hash(input.password) : null,
      createdAt: at,
      updatedAt: at,
    };
    await this.#write(instance, 'User', user.id, 'upsert', () => store.repos.users.insert(user));
    return user;
  }

  async getUser(instance: Instance, id: string): Promise<User> {
    const u = await this.#deps.store.repos.users.get(instance.id, id);
    if (!u) throw notFound('user');
    return u;
  }

  listUsers(instance: Instance, q: ListQuery): Promise<Page<User>> {
    return this.#deps.store.repos.users.list(instance.id, q);
  }

  async updateUser(instance: Instance, id: string, raw: unknown): Promise<User> {
    const input = parseInput(updateUserInput, raw);
    const { store, clock } = this.#deps;
    const user = await this.getUser(instance, id);
    if (input.email && input.email.toLowerCase() !== user.email?.toLowerCase()) {
      if (await store.repos.users.getByEmail(instance.id, input.email))
        throw conflict('email: already exists', 'email');
    }
    const { password, ...rest } = input;
    if (password)
      await this.#passwords.assertAcceptable(instance, password, {
        user,
        email: input.email === undefined ? user.email : input.email,
      });
    // the new hash, the previous one into the history, forced change cleared: together
    await this.#write(instance, 'User', id, 'upsert', async () => {
      await store.repos.users.update(instance.id, id, rest, clock.now());
      if (password) await this.#passwords.setPassword(instance, user, password);
    });
    return this.getUser(instance, id);
  }

  async deleteUser(instance: Instance, id: string): Promise<void> {
    await this.#write(instance, 'User', id, 'delete', async () => {
      if (!(await this.#deps.store.repos.users.delete(instance.id, id))) throw notFound('user');
    });
  }

  /**
   * Checks a username (or email) and password. Unknown users cost the same hash
   * verification as known ones (no enumeration by timing). Rehashes a password
   * stored with older parameters.
   */
  async authenticate(instance: Instance, login: string, password: string): Promise<LoginResult> {
    const { store, hasher, clock } = this.#deps;
    const repo = store.repos.users;
    const user =
      (await repo.getByUsername(instance.id, login)) ??
      (login.includes('@') ? await repo.getByEmail(instance.id, login) : null);
    if (!user || !user.passwordHash) {
      this.#dummy ??= dummyHash(hasher);
      await hasher.verify(await this.#dummy, password);
      return { ok: false, reason: 'invalid_credentials' };
    }
    const { ok, needsRehash } = await hasher.verify(user.passwordHash, password);
    if (!ok) return { ok: false, reason: 'invalid_credentials' };
    if (user.status === 'disabled') return { ok: false, reason: 'disabled' };
    if (user.status === 'locked') return { ok: false, reason: 'locked' };
    if (needsRehash)
      await repo.update(
        instance.id,
        user.id,
        { passwordHash: await hasher.hash(password) },
        clock.now(),
      );
    return { ok: true, user };
  }

  // ---- groups

  async createGroup(instance: Instance, raw: unknown): Promise<Group> {
    const input = parseInput(createGroupInput, raw);
    const { store, clock } = this.#deps;
    if (await store.repos.groups.getByName(instance.id, input.name))
      throw conflict('name: already exists', 'name');
    const g: Group = {
      instanceId: instance.id,
      id: newId(clock),
      name: input.name,
      description: input.description ?? null,
      createdAt: clock.now(),
    };
    await this.#write(instance, 'Group', g.id, 'upsert', () => store.repos.groups.insert(g));
    return g;
  }

  async getGroup(instance: Instance, id: string): Promise<Group> {
    const g = await this.#deps.store.repos.groups.get(instance.id, id);
    if (!g) throw notFound('group');
    return g;
  }

  listGroups(instance: Instance, q: ListQuery): Promise<Page<Group>> {
    return this.#deps.store.repos.groups.list(instance.id, q);
  }

  async updateGroup(instance: Instance, id: string, raw: unknown): Promise<Group> {
    const input = parseInput(updateGroupInput, raw);
    const repo = this.#deps.store.repos.groups;
    const g = await this.getGroup(instance, id);
    if (
      input.name &&
      input.name.toLowerCase() !== g.name.toLowerCase() &&
      (await repo.getByName(instance.id, input.name))
    )
      throw conflict('name: already exists', 'name');
    // (the repo looked up inside: the one captured above is outside the transaction)
    await this.#write(instance, 'Group', id, 'upsert', () =>
      this.#deps.store.repos.groups.update(instance.id, id, input),
    );
    return this.getGroup(instance, id);
  }

  async deleteGroup(instance: Instance, id: string): Promise<void> {
    await this.#write(instance, 'Group', id, 'delete', async () => {
      if (!(await this.#deps.store.repos.groups.delete(instance.id, id))) throw notFound('group');
    });
  }

  async addGroupMember(instance: Instance, groupId: string, userId: string): Promise<void> {
    await this.getGroup(instance, groupId);
    await this.getUser(instance, userId);
    await this.#write(instance, 'Group', groupId, 'upsert', () =>
      this.#deps.store.repos.groups.addMember(instance.id, groupId, userId),
    );
  }

  async removeGroupMember(instance: Instance, groupId: string, userId: string): Promise<void> {
    await this.#write(instance, 'Group', groupId, 'upsert', async () => {
      if (!(await this.#deps.store.repos.groups.removeMember(instance.id, groupId, userId)))
        throw notFound('membership');
    });
  }

  async groupMembers(instance: Instance, groupId: string, q: ListQuery): Promise<Page<User>> {
    await this.getGroup(instance, groupId);
    return this.#deps.store.repos.groups.members(instance.id, groupId, q);
  }

  // ---- organisational units (a tree)

  async createOrgUnit(instance: Instance, raw: unknown): Promise<OrgUnit> {
    const input = parseInput(createOrgUnitInput, raw);
    const { store, clock } = this.#deps;
    if (input.parentId && !(await store.repos.orgUnits.get(instance.id, input.parentId)))
      throw invalid('parentId', 'no such organisational unit');
    const o: OrgUnit = {
      instanceId: instance.id,
      id: newId(clock),
      parentId: input.parentId ?? null,
      name: input.name,
      createdAt: clock.now(),
    };
    await store.repos.orgUnits.insert(o);
    return o;
  }

  async getOrgUnit(instance: Instance, id: string): Promise<OrgUnit> {
    const o = await this.#deps.store.repos.orgUnits.get(instance.id, id);
    if (!o) throw notFound('organisational unit');
    return o;
  }

  listOrgUnits(instance: Instance, q: ListQuery): Promise<Page<OrgUnit>> {
    return this.#deps.store.repos.orgUnits.list(instance.id, q);
  }

  /** Moves a unit under another (or to the root); refuses to create a cycle. */
  async moveOrgUnit(instance: Instance, id: string, parentId: string | null): Promise<OrgUnit> {
    return this.updateOrgUnit(instance, id, { parentId });
  }

  /** Renames and/or moves a unit, in one transaction; refuses to create a cycle. */
  async updateOrgUnit(instance: Instance, id: string, raw: unknown): Promise<OrgUnit> {
    const input = parseInput(updateOrgUnitInput, raw);
    await this.#deps.store.transaction(async (tx) => {
      if (!(await tx.orgUnits.get(instance.id, id))) throw notFound('organisational unit');
      if (input.parentId !== undefined) {
        for (let p = input.parentId; p;) {
          if (p === id) throw invalid('parentId', 'would make the unit its own ancestor');
          const parent = await tx.orgUnits.get(instance.id, p);
          if (!parent) throw invalid('parentId', 'no such organisational unit');
          p = parent.parentId;
        }
        await tx.orgUnits.move(instance.id, id, input.parentId);
      }
      if (input.name !== undefined) await tx.orgUnits.rename(instance.id, id, input.name);
    });
    return this.getOrgUnit(instance, id);
  }

  async orgUnitMembers(instance: Instance, orgUnitId: string, q: ListQuery): Promise<Page<User>> {
    await this.getOrgUnit(instance, orgUnitId);
    return this.#deps.store.repos.orgUnits.members(instance.id, orgUnitId, q);
  }

  async deleteOrgUnit(instance: Instance, id: string): Promise<void> {
    const repo = this.#deps.store.repos.orgUnits;
    await this.getOrgUnit(instance, id);
    if ((await repo.children(instance.id, id)).length > 0)
      throw new AppError('conflict', 'organisational unit has children; move or delete them first');
    await repo.delete(instance.id, id);
  }

  async addOrgUnitMember(instance: Instance, orgUnitId: string, userId: string): Promise<void> {
    await this.getOrgUnit(instance, orgUnitId);
    await this.getUser(instance, userId);
    await this.#deps.store.repos.orgUnits.addMember(instance.id, orgUnitId, userId);
  }

  async removeOrgUnitMember(instance: Instance, orgUnitId: string, userId: string): Promise<void> {
    if (!(await this.#deps.store.repos.orgUnits.removeMember(instance.id, orgUnitId, userId)))
      throw notFound('membership');
  }
}
