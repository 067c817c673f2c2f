// SCIM resources over the directory. Users and groups live in the directory (userName ↔
// username, primary email ↔ email, primary phone ↔ phone, displayName, active ↔ status,
// members ↔ group members); the SCIM attributes the directory lacks live in the
// scim_resources blob, sealed under the instance data key, with a blind index of
// externalId and a version for ETags.
//
// Filters: an exact `eq` on id, externalId, userName or emails.value (at the top or on
// one side of an `and`) is pushed down to the store's indexes; every other filter is
// evaluated in memory over the decrypted resources, scanned in batches.
import {
  AppError,
  type DataKey,
  type Group,
  type Instance,
  type ScimRecord,
  type User,
} from '@idaas/core';
import { emailSchema, phoneSchema } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { badRequest, ScimError } from './errors.ts';
import { getKey, lc, matches, pushdown, type Filter, type Json } from './filter.ts';
import { ENTERPRISE, GROUP, MULTI_VALUED, READ_ONLY, USER } from './schemas.ts';
import { delKey, keyOf, type PatchSchema } from './patch.ts';

export type Kind = 'User' | 'Group';
const purpose = (kind: Kind, id: string) => `scim-${kind}:${id}`;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

export const patchSchemas: Record<Kind, PatchSchema> = {
  User: {
    core: USER,
    extensions: [ENTERPRISE],
    multiValued: MULTI_VALUED.User,
    readOnly: READ_ONLY.User,
  },
  Group: {
    core: GROUP,
    extensions: [],
    multiValued: MULTI_VALUED.Group,
    readOnly: READ_ONLY.Group,
  },
};

/** What a write carries into the directory; the rest goes to the sealed blob. */
interface UserWrite {
  userName: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  active: boolean;
  password: string | undefined;
  externalId: string | null;
  ext: Json;
}

const STRING_ATTRS = [
  'userName',
  'displayName',
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'externalId',
  'password',
];
const DIRECTORY_ATTRS = new Set([
  'schemas',
  'id',
  'meta',
  'groups',
  'password',
  'username',
  'displayname',
  'active',
  'externalid',
]);

function primaryValue(list: unknown, attr: string): string | null {
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list)) throw badRequest('invalidValue', `${attr} must be an array`);
  let primary: Json | null = null;
  for (const el of list) {
    if (!isObj(el)) throw badRequest('invalidValue', `${attr}: each value must be an object`);
    const v = getKey(el, 'value');
    if (typeof v !== 'string') throw badRequest('invalidValue', `${attr}.value must be a string`);
    const p = getKey(el, 'primary');
    if (p !== undefined && typeof p !== 'boolean')
      throw badRequest('invalidValue', `${attr}.primary must be a boolean`);
    if (p === true) {
      if (primary) throw badRequest('invalidValue', `${attr}: at most one primary value`);
      primary = el;
    }
  }
  const first = primary ?? (list[0] as Json | undefined);
  return first ? (getKey(first, 'value') as string) : null;
}

/** Validates a SCIM User body (POST/PUT, or the result of a PATCH) into a write. */
export function userWrite(body: unknown): UserWrite {
  if (!isObj(body)) throw badRequest('invalidSyntax', 'body must be a JSON object');
  for (const a of STRING_ATTRS) {
    const v = getKey(body, a);
    if (v !== undefined && v !== null && typeof v !== 'string')
      throw badRequest('invalidValue', `${a} must be a string`);
  }
  const userName = getKey(body, 'userName');
  if (typeof userName !== 'string' || !userName.trim())
    throw badRequest('invalidValue', 'userName is required');
  let active = getKey(body, 'active');
  // some clients (Azure AD) send "True"/"False" strings
  if (typeof active === 'string' && /^(true|false)$/i.test(active)) active = lc(active) === 'true';
  if (active !== undefined && active !== null && typeof active !== 'boolean')
    throw badRequest('invalidValue', 'active must be a boolean');
  const name = getKey(body, 'name');
  if (name !== undefined && name !== null && !isObj(name))
    throw badRequest('invalidValue', 'name must be an object');
  for (const m of MULTI_VALUED.User) {
    const v = getKey(body, m);
    if (v !== undefined && v !== null && !Array.isArray(v))
      throw badRequest('invalidValue', `${m} must be an array`);
  }
  const email = primaryValue(getKey(body, 'emails'), 'emails');
  if (email !== null && !emailSchema.safeParse(email).success)
    throw badRequest('invalidValue', `emails: ${JSON.stringify(email)} is not an email address`);
  const phoneRaw = primaryValue(getKey(body, 'phoneNumbers'), 'phoneNumbers');
  // only E.164 numbers go to the directory; others stay SCIM-only attributes
  const phone = phoneRaw !== null && phoneSchema.safeParse(phoneRaw).success ? phoneRaw : null;
  const ent = getKey(body, ENTERPRISE);
  if (ent !== undefined && ent !== null && !isObj(ent))
    throw badRequest('invalidValue', 'the enterprise extension must be an object');
  const ext: Json = {};
  for (const [k, v] of Object.entries(body)) {
    if (DIRECTORY_ATTRS.has(lc(k)) || v === null || v === undefined) continue;
    if (lc(k) === lc(ENTERPRISE)) ext[ENTERPRISE] = v;
    else if (k.includes(':')) throw badRequest('invalidValue', `unknown schema extension ${k}`);
    else ext[k] = v;
  }
  const password = getKey(body, 'password') as string | undefined | null;
  const externalId = getKey(body, 'externalId') as string | undefined | null;
  const displayName = getKey(body, 'displayName') as string | undefined | null;
  return {
    userName,
    displayName: displayName || null,
    email,
    phone,
    active: active !== false,
    password: password ?? undefined,
    externalId: externalId ?? null,
    ext,
  };
}

interface GroupWrite {
  displayName: string;
  externalId: string | null;
  members: string[];
  ext: Json;
}

export function groupWrite(body: unknown): GroupWrite {
  if (!isObj(body)) throw badRequest('invalidSyntax', 'body must be a JSON object');
  const displayName = getKey(body, 'displayName');
  if (typeof displayName !== 'string' || !displayName.trim())
    throw badRequest('invalidValue', 'displayName is required');
  const externalId = getKey(body, 'externalId');
  if (externalId !== undefined && externalId !== null && typeof externalId !== 'string')
    throw badRequest('invalidValue', 'externalId must be a string');
  const members = getKey(body, 'members') ?? [];
  if (!Array.isArray(members)) throw badRequest('invalidValue', 'members must be an array');
  const ids: string[] = [];
  for (const m of members) {
    const v = isObj(m) ? getKey(m, 'value') : undefined;
    if (typeof v !== 'string') throw badRequest('invalidValue', 'members.value must be a string');
    const t = getKey(m as Json, 'type');
    if (t !== undefined && t !== 'User')
      throw badRequest('invalidValue', 'members must be users (nested groups are not supported)');
    if (!ids.includes(v)) ids.push(v);
  }
  const ext: Json = {};
  for (const [k, v] of Object.entries(body)) {
    if (
      ['schemas', 'id', 'meta', 'displayname', 'members', 'externalid'].includes(lc(k)) ||
      v == null
    )
      continue;
    if (k.includes(':')) throw badRequest('invalidValue', `unknown schema extension ${k}`);
    ext[k] = v;
  }
  return {
    displayName,
    externalId: (externalId as string | null | undefined) ?? null,
    members: ids,
    ext,
  };
}

export interface Stored {
  version: number;
  ext: Json;
  updatedAt: Date | null;
}

/** Maps AppErrors of the directory to SCIM errors. */
export function scimFromAppError(e: unknown): unknown {
  if (!(e instanceof AppError)) return e;
  if (e.code === 'conflict') return new ScimError(409, e.message, 'uniqueness');
  if (e.code === 'not_found') return new ScimError(404, e.message);
  if (e.code === 'validation_failed') return new ScimError(400, e.message, 'invalidValue');
  return e;
}

/** Records one audit event of an inbound SCIM write (never attribute values). */
export type ScimAudit = (
  action: string,
  result: 'success' | 'failure' | 'denied',
  target: { type: 'user' | 'group'; id: string | null } | null,
  details?: Record<string, unknown>,
) => Promise<void>;

export class ScimStore {
  readonly sctx: ServerContext;
  readonly base: string;
  readonly instance: Instance;
  readonly dk: DataKey;
  /** Where inbound writes are audited (set by the HTTP layer; absent: not audited). */
  audit: ScimAudit | null = null;
  constructor(sctx: ServerContext, instance: Instance, base: string) {
    this.sctx = sctx;
    this.instance = instance;
    this.base = base;
    this.dk = sctx.core.instances.dataKey(instance);
  }
  get repos() {
    return this.sctx.store.repos;
  }
  externalLookup(v: string): string {
    return this.dk.lookup('scim-externalId', v);
  }
  open(kind: Kind, r: ScimRecord | null | undefined): Stored {
    if (!r) return { version: 1, ext: {}, updatedAt: null };
    return {
      version: r.version,
      ext: JSON.parse(this.dk.decrypt(r.data, purpose(kind, r.resourceId))) as Json,
      updatedAt: r.updatedAt,
    };
  }
  async stored(kind: Kind, id: string): Promise<Stored> {
    return this.open(kind, await this.repos.scim.get(this.instance.id, kind, id));
  }
  async seal(
    kind: Kind,
    id: string,
    version: number,
    ext: Json,
    externalId: string | null,
  ): Promise<void> {
    await this.repos.scim.put({
      instanceId: this.instance.id,
      kind,
      resourceId: id,
      externalIdLookup: externalId ? this.externalLookup(externalId) : null,
      version,
      data: this.dk.encrypt(JSON.stringify(ext), purpose(kind, id)),
      updatedAt: this.sctx.clock.now(),
    });
  }

  // ---- representations

  userResource(u: User, s: Stored, groups: { id: string; name: string }[] | null): Json {
    const ext = { ...s.ext }; // s.ext is freshly parsed: a shallow copy is enough
    const ent = ext[ENTERPRISE];
    delete ext[ENTERPRISE];
    const merged = (list: unknown, value: string | null): Json[] | undefined => {
      const arr = Array.isArray(list) ? (list as Json[]) : [];
      if (value && !arr.some((x) => lc(String(getKey(x, 'value'))) === lc(value))) {
        const pi = arr.findIndex((x) => getKey(x, 'primary') === true);
        if (pi >= 0) arr[pi] = { ...arr[pi], [keyOf(arr[pi]!, 'value')]: value };
        else if (arr.length === 1 && !list) arr[0] = { value, primary: true };
        else arr.unshift({ value, primary: true });
      }
      return arr.length ? arr : undefined;
    };
    const emails = merged(getKey(ext, 'emails'), u.email);
    const phones = merged(getKey(ext, 'phoneNumbers'), u.phone);
    delKey(ext, 'emails');
    delKey(ext, 'phoneNumbers');
    const externalId = getKey(ext, 'externalId');
    delete ext.externalId;
    const lastModified = s.updatedAt && s.updatedAt > u.updatedAt ? s.updatedAt : u.updatedAt;
    return {
      schemas: ent ? [USER, ENTERPRISE] : [USER],
      id: u.id,
      ...(externalId ? { externalId } : {}),
      userName: u.username,
      ...(u.displayName ? { displayName: u.displayName } : {}),
      ...ext,
      active: u.status === 'enabled',
      ...(emails ? { emails } : {}),
      ...(phones ? { phoneNumbers: phones } : {}),
      ...(groups?.length
        ? {
            groups: groups.map((g) => ({
              value: g.id,
              $ref: `${this.base}/Groups/${g.id}`,
              display: g.name,
              type: 'direct',
            })),
          }
        : {}),
      ...(ent ? { [ENTERPRISE]: ent } : {}),
      meta: {
        resourceType: 'User',
        created: u.createdAt.toISOString(),
        lastModified: lastModified.toISOString(),
        location: `${this.base}/Users/${u.id}`,
        version: `W/"${s.version}"`,
      },
    };
  }

  groupResource(g: Group, s: Stored, members: { id: string; display?: string }[] | null): Json {
    const ext = { ...s.ext }; // s.ext is freshly parsed: a shallow copy is enough
    const externalId = ext.externalId;
    delete ext.externalId;
    return {
      schemas: [GROUP],
      id: g.id,
      ...(externalId ? { externalId } : {}),
      displayName: g.name,
      ...ext,
      ...(members?.length
        ? {
            members: members.map((m) => ({
              value: m.id,
              $ref: `${this.base}/Users/${m.id}`,
              type: 'User',
              ...(m.display ? { display: m.display } : {}),
            })),
          }
        : {}),
      meta: {
        resourceType: 'Group',
        created: g.createdAt.toISOString(),
        lastModified: (s.updatedAt ?? g.createdAt).toISOString(),
        location: `${this.base}/Groups/${g.id}`,
        version: `W/"${s.version}"`,
      },
    };
  }

  async getUser(id: string): Promise<{ user: User; res: Json; version: number }> {
    const user = await this.repos.users.get(this.instance.id, id);
    if (!user) throw new ScimError(404, `User ${id} not found`);
    const s = await this.stored('User', id);
    const groups = await this.repos.scim.groupsOfUser(this.instance.id, id);
    return { user, res: this.userResource(user, s, groups), version: s.version };
  }

  async getGroup(id: string): Promise<{ group: Group; res: Json; version: number }> {
    const group = await this.repos.groups.get(this.instance.id, id);
    if (!group) throw new ScimError(404, `Group ${id} not found`);
    const s = await this.stored('Group', id);
    const ids = await this.repos.scim.memberIds(this.instance.id, id);
    return {
      group,
      res: this.groupResource(
        group,
        s,
        ids.map((m) => ({ id: m })),
      ),
      version: s.version,
    };
  }

  // ---- queries

  /** Users matching `filter` (all users when null), as resources (groups filled in when asked). */
  async queryUsers(filter: Filter | null, withGroups: boolean): Promise<Json[]> {
    const inst = this.instance.id;
    const out: Json[] = [];
    const consider = async (users: User[]) => {
      const recs = await this.repos.scim.getMany(
        inst,
        'User',
        users.map((u) => u.id),
      );
      const byId = new Map(recs.map((r) => [r.resourceId, r]));
      for (const u of users) {
        const groups = withGroups ? await this.repos.scim.groupsOfUser(inst, u.id) : null;
        const res = this.userResource(u, this.open('User', byId.get(u.id)), groups);
        if (!filter || matches(filter, res, USER)) out.push(res);
      }
    };
    const pd = filter ? pushdown(filter, USER) : null;
    if (pd) {
      let ids: string[] = [];
      if (pd.key === 'externalId')
        ids = await this.repos.scim.findByExternalId(inst, 'User', this.externalLookup(pd.value));
      const found: User[] = [];
      if (pd.key === 'id') ids = [pd.value];
      for (const id of ids) {
        const u = await this.repos.users.get(inst, id);
        if (u) found.push(u);
      }
      if (pd.key === 'userName') {
        const u = await this.repos.users.getByUsername(inst, pd.value);
        if (u) found.push(u);
      }
      if (pd.key === 'email') {
        const u = await this.repos.users.getByEmail(inst, pd.value);
        if (u) found.push(u);
      }
      await consider(found);
      return out;
    }
    let cursor: string | null = null;
    do {
      const page = await this.repos.users.list(inst, { limit: 1000, cursor });
      await consider(page.items);
      cursor = page.next;
    } while (cursor);
    return out;
  }

  async queryGroups(filter: Filter | null, withMembers: boolean): Promise<Json[]> {
    const inst = this.instance.id;
    const out: Json[] = [];
    const consider = async (groups: Group[]) => {
      const recs = await this.repos.scim.getMany(
        inst,
        'Group',
        groups.map((g) => g.id),
      );
      const byId = new Map(recs.map((r) => [r.resourceId, r]));
      for (const g of groups) {
        const members = withMembers
          ? (await this.repos.scim.memberIds(inst, g.id)).map((id) => ({ id }))
          : null;
        const res = this.groupResource(g, this.open('Group', byId.get(g.id)), members);
        if (!filter || matches(filter, res, GROUP)) out.push(res);
      }
    };
    const pd = filter ? pushdown(filter, GROUP) : null;
    if (pd && (pd.key === 'id' || pd.key === 'externalId')) {
      const ids =
        pd.key === 'id'
          ? [pd.value]
          : await this.repos.scim.findByExternalId(inst, 'Group', this.externalLookup(pd.value));
      const found: Group[] = [];
      for (const id of ids) {
        const g = await this.repos.groups.get(inst, id);
        if (g) found.push(g);
      }
      await consider(found);
      return out;
    }
    let cursor: string | null = null;
    do {
      const page = await this.repos.groups.list(inst, { limit: 1000, cursor });
      await consider(page.items);
      cursor = page.next;
    } while (cursor);
    return out;
  }

  // ---- writes (callers run them in one transaction)

  async #externalIdFree(kind: Kind, externalId: string | null, self: string | null): Promise<void> {
    if (!externalId) return;
    const ids = await this.repos.scim.findByExternalId(
      this.instance.id,
      kind,
      this.externalLookup(externalId),
    );
    const inst = this.instance.id;
    for (const i of ids) {
      if (i === self) continue;
      // a resource deleted outside SCIM (directory API) leaves its blob: drop it
      const alive =
        kind === 'User'
          ? await this.repos.users.get(inst, i)
          : await this.repos.groups.get(inst, i);
      if (!alive) await this.repos.scim.delete(inst, kind, i);
      else
        throw new ScimError(
          409,
          `externalId ${JSON.stringify(externalId)} is already used`,
          'uniqueness',
        );
    }
  }

  async createUser(body: unknown): Promise<string> {
    const w = userWrite(body);
    await this.#externalIdFree('User', w.externalId, null);
    const u = await this.sctx.core.directory.createUser(this.instance, {
      username: w.userName,
      ...(w.password !== undefined ? { password: w.password } : {}),
      ...(w.email ? { email: w.email } : {}),
      ...(w.phone ? { phone: w.phone } : {}),
      ...(w.displayName ? { displayName: w.displayName } : {}),
      status: w.active ? 'enabled' : 'disabled',
    });
    await this.seal(
      'User',
      u.id,
      1,
      { ...w.ext, ...(w.externalId ? { externalId: w.externalId } : {}) },
      w.externalId,
    );
    return u.id;
  }

  async replaceUser(id: string, body: unknown, version: number): Promise<void> {
    const w = userWrite(body);
    const user = await this.repos.users.get(this.instance.id, id);
    if (!user) throw new ScimError(404, `User ${id} not found`);
    if (w.userName !== user.username)
      throw new ScimError(400, 'userName cannot change in this directory', 'mutability');
    await this.#externalIdFree('User', w.externalId, id);
    const status = w.active ? (user.status === 'locked' ? 'locked' : 'enabled') : 'disabled';
    await this.sctx.core.directory.updateUser(this.instance, id, {
      email: w.email,
      phone: w.phone,
      displayName: w.displayName,
      status,
      ...(w.password !== undefined ? { password: w.password } : {}),
    });
    await this.seal(
      'User',
      id,
      version + 1,
      { ...w.ext, ...(w.externalId ? { externalId: w.externalId } : {}) },
      w.externalId,
    );
  }

  async deleteUser(id: string): Promise<void> {
    if (!(await this.repos.users.get(this.instance.id, id)))
      throw new ScimError(404, `User ${id} not found`);
    await this.sctx.core.directory.deleteUser(this.instance, id);
    await this.repos.scim.delete(this.instance.id, 'User', id);
  }

  async #setMembers(groupId: string, members: string[]): Promise<void> {
    const inst = this.instance.id;
    for (const m of members)
      if (!(await this.repos.users.get(inst, m)))
        throw new ScimError(400, `member ${m} is not a user of this instance`, 'invalidValue');
    const current = new Set(await this.repos.scim.memberIds(inst, groupId));
    for (const m of members)
      if (!current.has(m)) await this.repos.groups.addMember(inst, groupId, m);
    const want = new Set(members);
    for (const m of current)
      if (!want.has(m)) await this.repos.groups.removeMember(inst, groupId, m);
  }

  async createGroup(body: unknown): Promise<string> {
    const w = groupWrite(body);
    await this.#externalIdFree('Group', w.externalId, null);
    const g = await this.sctx.core.directory.createGroup(this.instance, { name: w.displayName });
    await this.#setMembers(g.id, w.members);
    await this.seal(
      'Group',
      g.id,
      1,
      { ...w.ext, ...(w.externalId ? { externalId: w.externalId } : {}) },
      w.externalId,
    );
    return g.id;
  }

  async replaceGroup(id: string, body: unknown, version: number): Promise<void> {
    const w = groupWrite(body);
    const g = await this.repos.groups.get(this.instance.id, id);
    if (!g) throw new ScimError(404, `Group ${id} not found`);
    await this.#externalIdFree('Group', w.externalId, id);
    if (w.displayName !== g.name)
      await this.sctx.core.directory.updateGroup(this.instance, id, { name: w.displayName });
    await this.#setMembers(id, w.members);
    await this.seal(
      'Group',
      id,
      version + 1,
      { ...w.ext, ...(w.externalId ? { externalId: w.externalId } : {}) },
      w.externalId,
    );
  }

  async deleteGroup(id: string): Promise<void> {
    if (!(await this.repos.groups.get(this.instance.id, id)))
      throw new ScimError(404, `Group ${id} not found`);
    await this.sctx.core.directory.deleteGroup(this.instance, id);
    await this.repos.scim.delete(this.instance.id, 'Group', id);
  }
}
