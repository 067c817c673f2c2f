// The storage ports of @idaas/core, implemented once with Kysely for both dialects.
// Every query on instance data is scoped by instance_id.
import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type {
  Account,
  Application,
  DataKey,
  Group,
  Instance,
  InstanceState,
  ListQuery,
  OidcModelRecord,
  OrgUnit,
  Page,
  Repos,
  SigningKey,
  User,
} from '@idaas/core';
import type { Database, UsersTable } from './schema.ts';
import type { InstanceKeys } from './instance-keys.ts';
import { makeCommerceRepos } from './business/commerce.ts';
import { makeLifecycleRepos } from './business/lifecycle.ts';
import { makeOperationsRepos } from './business/operations.ts';
import { makeScimRepos } from './scim.ts';
import { makeSamlRepos } from './saml.ts';
import { makeAuditRepos } from './audit.ts';
import { makeRolesRepos } from './roles.ts';
import { makeAccessRepos } from './access-policies.ts';
import { makeMfaRepos } from './mfa.ts';
import { makePasswordRepos } from './passwords.ts';
import { makePortalRepos } from './portal.ts';

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
const date = (s: string): Date => new Date(s);
const dateOrNull = (s: string | null): Date | null => (s ? new Date(s) : null);

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}
function decodeCursor(c: string | null | undefined): string | null {
  if (!c) return null;
  return Buffer.from(c, 'base64url').toString('utf8');
}
function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, next: more ? encodeCursor(items[items.length - 1]!.id) : null };
}
const likePattern = (q: string): string =>
  `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface Profile {
  username: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
}
const profilePurpose = (userId: string): string => `user-profile:${userId}`;

const toUser = (r: Selectable<UsersTable>, dk: DataKey): User => {
  const p = JSON.parse(dk.decrypt(r.profile, profilePurpose(r.id))) as Profile;
  return {
    instanceId: r.instance_id,
    id: r.id,
    username: p.username,
    email: p.email,
    emailVerified: Boolean(r.email_verified),
    phone: p.phone,
    displayName: p.displayName,
    status: r.status as User['status'],
    passwordHash: r.password_hash,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
};

/** The encrypted profile and blind indexes of a user's personal data. */
function sealProfile(dk: DataKey, userId: string, p: Profile) {
  return {
    profile: dk.encrypt(JSON.stringify(p), profilePurpose(userId)),
    username_lookup: dk.lookup('username', p.username.toLowerCase()),
    email_lookup: p.email ? dk.lookup('email', p.email.toLowerCase()) : null,
    phone_lookup: p.phone ? dk.lookup('phone', p.phone) : null,
  };
}

const toInstance = (
  r: Selectable<Database['instances']>,
  dataKeyWrapped: string | null,
): Instance => ({
  id: r.id,
  accountId: r.account_id,
  slug: r.slug,
  displayName: r.display_name,
  region: r.region,
  state: r.state as InstanceState,
  dataKeyWrapped,
  platform: Boolean(r.platform),
  configVersion: Number(r.config_version),
  createdAt: date(r.created_at),
  updatedAt: date(r.updated_at),
});

const toApp = (r: Selectable<Database['applications']>): Application => ({
  instanceId: r.instance_id,
  id: r.id,
  clientId: r.client_id,
  name: r.name,
  clientType: r.client_type as Application['clientType'],
  secretEncrypted: r.secret_encrypted,
  redirectUris: JSON.parse(r.redirect_uris),
  postLogoutRedirectUris: JSON.parse(r.post_logout_redirect_uris),
  grantTypes: JSON.parse(r.grant_types),
  scopes: JSON.parse(r.scopes),
  backchannelLogoutUri: r.backchannel_logout_uri,
  accessTokenFormat: r.access_token_format as Application['accessTokenFormat'],
  firstParty: Boolean(r.first_party),
  internal: Boolean(r.internal),
  tokenEndpointAuthMethod: (r.token_endpoint_auth_method ??
    (r.client_type === 'public'
      ? 'none'
      : 'client_secret_basic')) as Application['tokenEndpointAuthMethod'],
  createdAt: date(r.created_at),
  updatedAt: date(r.updated_at),
});

const toKey = (r: Selectable<Database['signing_keys']>): SigningKey => ({
  instanceId: r.instance_id,
  kid: r.kid,
  alg: r.alg as SigningKey['alg'],
  status: r.status as SigningKey['status'],
  publicJwk: JSON.parse(r.public_jwk),
  privateJwkEncrypted: r.private_jwk_encrypted,
  createdAt: date(r.created_at),
  retireAfter: dateOrNull(r.retire_after),
});

const toOidc = (r: Selectable<Database['oidc_models']>): OidcModelRecord => ({
  instanceId: r.instance_id,
  model: r.model,
  id: r.id,
  payload: JSON.parse(r.payload),
  grantId: r.grant_id,
  uid: r.uid,
  userCode: r.user_code,
  expiresAt: dateOrNull(r.expires_at),
  consumedAt: dateOrNull(r.consumed_at),
});

const toGroup = (r: Selectable<Database['groups']>): Group => ({
  instanceId: r.instance_id,
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: date(r.created_at),
});

const toOrgUnit = (r: Selectable<Database['org_units']>): OrgUnit => ({
  instanceId: r.instance_id,
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  createdAt: date(r.created_at),
});

export function makeRepos(
  db: Kysely<Database>,
  keys: InstanceKeys,
  opts: { groupCommit?: 'transaction' | 'multi-row' | false } = {},
): Repos {
  // Hot point reads of the sign-in path (oidc-provider models, users), compiled by Kysely
  // once and then only executed: no query building per call.
  const compiled = new Map<string, string>();
  const run = async <R>(key: string, build: () => { sql: string }, params: unknown[]) => {
    let text = compiled.get(key);
    if (text === undefined) compiled.set(key, (text = build().sql));
    return (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
  };
  // Group commit of OIDC model writes (outside transactions): the upserts that arrive
  // while one batch is being written go together in the next transaction; each caller
  // still resolves only once its row is committed. One commit per batch instead of one
  // per token.
  type OidcRow = Database['oidc_models'];
  let queue: { row: OidcRow; done: (e?: unknown) => void }[] = [];
  let scheduled = false;
  // one row: the multi-row upsert's statement for a single row (same SQL, compiled once)
  const upsertOne = (q: Kysely<Database>, row: OidcRow) =>
    q.executeQuery(CompiledQuery.raw(multiRowSql([row]), Object.values(row)));
  // Multi-row upserts compiled once per row count (≤ MAX_BATCH_ROWS), then only executed:
  // one statement per batch (atomic on its own, no BEGIN/COMMIT round trips), no Kysely
  // query building per batch.
  const MAX_BATCH_ROWS = 64;
  const multiSql = new Map<number, string>();
  const multiRowSql = (rows: OidcRow[]): string => {
    let text = multiSql.get(rows.length);
    if (text === undefined) {
      text = db
        .insertInto('oidc_models')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['instance_id', 'model', 'id']).doUpdateSet((eb) => ({
            payload: eb.ref('excluded.payload'),
            grant_id: eb.ref('excluded.grant_id'),
            uid: eb.ref('excluded.uid'),
            user_code: eb.ref('excluded.user_code'),
            expires_at: eb.ref('excluded.expires_at'),
            consumed_at: eb.ref('excluded.consumed_at'),
          })),
        )
        .compile().sql;
      multiSql.set(rows.length, text);
    }
    return text;
  };
  const writeBatch = async (batch: { row: OidcRow }[]): Promise<void> => {
    if (opts.groupCommit === 'multi-row') {
      // a key written twice in the batch keeps its last version (PostgreSQL refuses to
      // update one row twice in a statement)
      const last = new Map<string, OidcRow>();
      for (const { row } of batch) last.set(`${row.instance_id}\0${row.model}\0${row.id}`, row);
      const rows = [...last.values()];
      const write = async (q: Kysely<Database>) => {
        for (let i = 0; i < rows.length; i += MAX_BATCH_ROWS) {
          const chunk = rows.slice(i, i + MAX_BATCH_ROWS);
          const params: unknown[] = [];
          for (const r of chunk)
            params.push(
              r.instance_id,
              r.model,
              r.id,
              r.payload,
              r.grant_id,
              r.uid,
              r.user_code,
              r.expires_at,
              r.consumed_at,
            );
          await q.executeQuery(CompiledQuery.raw(multiRowSql(chunk), params));
        }
      };
      if (rows.length <= MAX_BATCH_ROWS) await write(db);
      else await db.transaction().execute(write);
      return;
    }
    await db.transaction().execute(async (trx) => {
      for (const b of batch) await upsertOne(trx, b.row);
    });
  };
  const writeBatches = async (): Promise<void> => {
    while (queue.length) {
      const batch = queue;
      queue = [];
      try {
        await writeBatch(batch);
        for (const b of batch) b.done();
      } catch {
        // one bad row must not fail the others: write them one by one
        for (const b of batch)
          await upsertOne(db, b.row).then(
            () => b.done(),
            (e: unknown) => b.done(e ?? new Error('write failed')),
          );
      }
    }
    scheduled = false; // synchronous with the empty check above: no arrival is missed
  };
  const instance = async (
    r: Selectable<Database['instances']> | undefined,
  ): Promise<Instance | null> => (r ? toInstance(r, await keys.wrapped(r.id)) : null);
  const users = async (rows: Selectable<UsersTable>[]): Promise<User[]> => {
    const out: User[] = [];
    for (const r of rows) out.push(toUser(r, await keys.dataKey(r.instance_id)));
    return out;
  };
  const user = async (r: Selectable<UsersTable> | undefined): Promise<User | null> =>
    r ? toUser(r, await keys.dataKey(r.instance_id)) : null;
  return {
    ...makeCommerceRepos(db),
    ...makeLifecycleRepos(db),
    ...makeOperationsRepos(db),
    ...makeScimRepos(db as unknown as Kysely<never>),
    ...makeSamlRepos(db),
    ...makeAuditRepos(db, keys),
    ...makeRolesRepos(db),
    ...makeAccessRepos(db),
    ...makeMfaRepos(db as unknown as Kysely<never>),
    ...makePasswordRepos(db),
    ...makePortalRepos(db),
    accounts: {
      async insert(a: Account) {
        await db
          .insertInto('accounts')
          .values({
            id: a.id,
            kind: a.kind,
            name: a.name,
            owner_email: a.ownerEmail,
            clock_id: null,
            status: 'active',
            created_at: iso(a.createdAt),
          })
          .execute();
      },
      async get(id) {
        const r = await db
          .selectFrom('accounts')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return r
          ? {
              id: r.id,
              kind: r.kind as Account['kind'],
              name: r.name,
              ownerEmail: r.owner_email,
              createdAt: date(r.created_at),
            }
          : null;
      },
      async findOperator() {
        const r = await db
          .selectFrom('accounts')
          .select('id')
          .where('kind', '=', 'operator')
          .executeTakeFirst();
        return r ? this.get(r.id) : null;
      },
    },

    instances: {
      async insert(i) {
        // The wrapped data key goes to the key vault first: an orphan key (if the row
        // insert then fails) is harmless; a row without its key would be unreadable.
        if (i.dataKeyWrapped) await keys.put(i.id, i.dataKeyWrapped);
        await db
          .insertInto('instances')
          .values({
            id: i.id,
            account_id: i.accountId,
            slug: i.slug,
            display_name: i.displayName,
            region: i.region,
            state: i.state,
            platform: i.platform ? 1 : 0,
            config_version: i.configVersion,
            created_at: iso(i.createdAt),
            updated_at: iso(i.updatedAt),
          })
          .execute();
      },
      async get(id) {
        return instance(
          await db.selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirst(),
        );
      },
      async getBySlug(slug) {
        return instance(
          await db.selectFrom('instances').selectAll().where('slug', '=', slug).executeTakeFirst(),
        );
      },
      async list(q) {
        const after = decodeCursor(q.cursor);
        let query = db
          .selectFrom('instances')
          .selectAll()
          .orderBy('id')
          .limit(q.limit + 1);
        if (after) query = query.where('id', '>', after);
        if (q.q)
          query = query.where((eb) => eb(eb.fn('lower', ['slug']), 'like', likePattern(q.q!)));
        const rows = await query.execute();
        const items: Instance[] = [];
        for (const r of rows) items.push((await instance(r))!);
        return page(items, q.limit);
      },
      async setState(id, state, at) {
        await db
          .updateTable('instances')
          .set({ state, updated_at: iso(at) })
          .where('id', '=', id)
          .execute();
      },
      async bumpConfigVersion(id, at) {
        await db
          .updateTable('instances')
          .set((eb) => ({ config_version: eb('config_version', '+', 1), updated_at: iso(at) }))
          .where('id', '=', id)
          .execute();
        const r = await db
          .selectFrom('instances')
          .select('config_version')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return Number(r.config_version);
      },
    },

    users: {
      async insert(u) {
        const dk = await keys.dataKey(u.instanceId);
        await db
          .insertInto('users')
          .values({
            instance_id: u.instanceId,
            id: u.id,
            ...sealProfile(dk, u.id, {
              username: u.username,
              email: u.email,
              phone: u.phone,
              displayName: u.displayName,
            }),
            email_verified: u.emailVerified ? 1 : 0,
            status: u.status,
            password_hash: u.passwordHash,
            created_at: iso(u.createdAt),
            updated_at: iso(u.updatedAt),
          })
          .execute();
      },
      async get(instanceId, id) {
        const [r] = await run<Selectable<Database['users']>>(
          'users.get',
          () =>
            db
              .selectFrom('users')
              .selectAll()
              .where('instance_id', '=', instanceId)
              .where('id', '=', id)
              .compile(),
          [instanceId, id],
        );
        return user(r);
      },
      async getByUsername(instanceId, username) {
        const dk = await keys.dataKey(instanceId);
        const lookup = dk.lookup('username', username.toLowerCase());
        const [r] = await run<Selectable<Database['users']>>(
          'users.getByUsername',
          () =>
            db
              .selectFrom('users')
              .selectAll()
              .where('instance_id', '=', instanceId)
              .where('username_lookup', '=', lookup)
              .compile(),
          [instanceId, lookup],
        );
        return user(r);
      },
      async getByEmail(instanceId, email) {
        const dk = await keys.dataKey(instanceId);
        return user(
          await db
            .selectFrom('users')
            .selectAll()
            .where('instance_id', '=', instanceId)
            .where('email_lookup', '=', dk.lookup('email', email.toLowerCase()))
            .executeTakeFirst(),
        );
      },
      async list(instanceId, q: ListQuery) {
        const after = decodeCursor(q.cursor);
        const base = () =>
          db.selectFrom('users').selectAll().where('instance_id', '=', instanceId).orderBy('id');
        if (!q.q) {
          let query = base().limit(q.limit + 1);
          if (after) query = query.where('id', '>', after);
          return page(await users(await query.execute()), q.limit);
        }
        // Personal data is encrypted, so a substring search decrypts and filters in batches.
        const needle = q.q.toLowerCase();
        const matches: User[] = [];
        let from = after;
        for (;;) {
          let query = base().limit(500);
          if (from) query = query.where('id', '>', from);
          const rows = await query.execute();
          for (const u of await users(rows)) {
            const hay = [u.username, u.email ?? '', u.displayName ?? ''].map((x) =>
              x.toLowerCase(),
            );
            if (hay.some((h) => h.includes(needle))) matches.push(u);
            if (matches.length > q.limit) return page(matches, q.limit);
          }
          if (rows.length < 500) return page(matches, q.limit);
          from = rows[rows.length - 1]!.id;
        }
      },
      async update(instanceId, id, patch, at) {
        const set: Partial<Record<keyof UsersTable, unknown>> = { updated_at: iso(at) };
        if (
          patch.email !== undefined ||
          patch.phone !== undefined ||
          patch.displayName !== undefined
        ) {
          const current = await this.get(instanceId, id);
          if (!current) return;
          const dk = await keys.dataKey(instanceId);
          Object.assign(
            set,
            sealProfile(dk, id, {
              username: current.username,
              email: patch.email !== undefined ? patch.email : current.email,
              phone: patch.phone !== undefined ? patch.phone : current.phone,
              displayName:
                patch.displayName !== undefined ? patch.displayName : current.displayName,
            }),
          );
        }
        if (patch.emailVerified !== undefined) set.email_verified = patch.emailVerified ? 1 : 0;
        if (patch.status !== undefined) set.status = patch.status;
        if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
        await db
          .updateTable('users')
          .set(set as never)
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
      async delete(instanceId, id) {
        const r = await db
          .deleteFrom('users')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async groupNames(instanceId, userId) {
        const rows = await db
          .selectFrom('group_members as m')
          .innerJoin('groups as g', (j) =>
            j.onRef('g.instance_id', '=', 'm.instance_id').onRef('g.id', '=', 'm.group_id'),
          )
          .select('g.name')
          .where('m.instance_id', '=', instanceId)
          .where('m.user_id', '=', userId)
          .orderBy('g.name')
          .execute();
        return rows.map((r) => r.name);
      },
    },

    groups: {
      async insert(g) {
        await db
          .insertInto('groups')
          .values({
            instance_id: g.instanceId,
            id: g.id,
            name: g.name,
            name_lower: g.name.toLowerCase(),
            description: g.description,
            created_at: iso(g.createdAt),
          })
          .execute();
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('groups')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toGroup(r) : null;
      },
      async getByName(instanceId, name) {
        const r = await db
          .selectFrom('groups')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('name_lower', '=', name.toLowerCase())
          .executeTakeFirst();
        return r ? toGroup(r) : null;
      },
      async list(instanceId, q) {
        const after = decodeCursor(q.cursor);
        let query = db
          .selectFrom('groups')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('id')
          .limit(q.limit + 1);
        if (after) query = query.where('id', '>', after);
        if (q.q) query = query.where('name_lower', 'like', likePattern(q.q));
        return page((await query.execute()).map(toGroup), q.limit);
      },
      async update(instanceId, id, patch) {
        const set: Record<string, unknown> = {};
        if (patch.name !== undefined) {
          set.name = patch.name;
          set.name_lower = patch.name.toLowerCase();
        }
        if (patch.description !== undefined) set.description = patch.description;
        if (!Object.keys(set).length) return;
        await db
          .updateTable('groups')
          .set(set as never)
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
      async delete(instanceId, id) {
        const r = await db
          .deleteFrom('groups')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async addMember(instanceId, groupId, userId) {
        await db
          .insertInto('group_members')
          .values({ instance_id: instanceId, group_id: groupId, user_id: userId })
          .onConflict((oc) => oc.doNothing())
          .execute();
      },
      async removeMember(instanceId, groupId, userId) {
        const r = await db
          .deleteFrom('group_members')
          .where('instance_id', '=', instanceId)
          .where('group_id', '=', groupId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async members(instanceId, groupId, q) {
        const after = decodeCursor(q.cursor);
        let query = db
          .selectFrom('group_members as m')
          .innerJoin('users as u', (j) =>
            j.onRef('u.instance_id', '=', 'm.instance_id').onRef('u.id', '=', 'm.user_id'),
          )
          .selectAll('u')
          .where('m.instance_id', '=', instanceId)
          .where('m.group_id', '=', groupId)
          .orderBy('u.id')
          .limit(q.limit + 1);
        if (after) query = query.where('u.id', '>', after);
        return page(await users(await query.execute()), q.limit);
      },
    },

    orgUnits: {
      async insert(o) {
        await db
          .insertInto('org_units')
          .values({
            instance_id: o.instanceId,
            id: o.id,
            parent_id: o.parentId,
            name: o.name,
            created_at: iso(o.createdAt),
          })
          .execute();
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('org_units')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toOrgUnit(r) : null;
      },
      async list(instanceId, q) {
        const after = decodeCursor(q.cursor);
        let query = db
          .selectFrom('org_units')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('id')
          .limit(q.limit + 1);
        if (after) query = query.where('id', '>', after);
        if (q.q)
          query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', likePattern(q.q!)));
        return page((await query.execute()).map(toOrgUnit), q.limit);
      },
      async children(instanceId, parentId) {
        let query = db
          .selectFrom('org_units')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('name');
        query =
          parentId === null
            ? query.where('parent_id', 'is', null)
            : query.where('parent_id', '=', parentId);
        return (await query.execute()).map(toOrgUnit);
      },
      async move(instanceId, id, parentId) {
        await db
          .updateTable('org_units')
          .set({ parent_id: parentId })
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
      async rename(instanceId, id, name) {
        await db
          .updateTable('org_units')
          .set({ name })
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
      async delete(instanceId, id) {
        const r = await db
          .deleteFrom('org_units')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async addMember(instanceId, orgUnitId, userId) {
        await db
          .insertInto('org_unit_members')
          .values({ instance_id: instanceId, org_unit_id: orgUnitId, user_id: userId })
          .onConflict((oc) => oc.doNothing())
          .execute();
      },
      async removeMember(instanceId, orgUnitId, userId) {
        const r = await db
          .deleteFrom('org_unit_members')
          .where('instance_id', '=', instanceId)
          .where('org_unit_id', '=', orgUnitId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      async unitsOfUser(instanceId, userId) {
        const rows = await db
          .selectFrom('org_unit_members as m')
          .innerJoin('org_units as o', (j) =>
            j.onRef('o.instance_id', '=', 'm.instance_id').onRef('o.id', '=', 'm.org_unit_id'),
          )
          .selectAll('o')
          .where('m.instance_id', '=', instanceId)
          .where('m.user_id', '=', userId)
          .orderBy('o.name')
          .execute();
        return rows.map(toOrgUnit);
      },
      async members(instanceId, orgUnitId, q) {
        const after = decodeCursor(q.cursor);
        let query = db
          .selectFrom('org_unit_members as m')
          .innerJoin('users as u', (j) =>
            j.onRef('u.instance_id', '=', 'm.instance_id').onRef('u.id', '=', 'm.user_id'),
          )
          .selectAll('u')
          .where('m.instance_id', '=', instanceId)
          .where('m.org_unit_id', '=', orgUnitId)
          .orderBy('u.id')
          .limit(q.limit + 1);
        if (after) query = query.where('u.id', '>', after);
        return page(await users(await query.execute()), q.limit);
      },
    },

    applications: {
      async insert(a) {
        await db
          .insertInto('applications')
          .values({
            instance_id: a.instanceId,
            id: a.id,
            client_id: a.clientId,
            name: a.name,
            client_type: a.clientType,
            secret_encrypted: a.secretEncrypted,
            redirect_uris: JSON.stringify(a.redirectUris),
            post_logout_redirect_uris: JSON.stringify(a.postLogoutRedirectUris),
            grant_types: JSON.stringify(a.grantTypes),
            scopes: JSON.stringify(a.scopes),
            backchannel_logout_uri: a.backchannelLogoutUri,
            access_token_format: a.accessTokenFormat,
            created_at: iso(a.createdAt),
            updated_at: iso(a.updatedAt),
            first_party: a.firstParty ? 1 : 0,
            internal: a.internal ? 1 : 0,
            token_endpoint_auth_method: a.tokenEndpointAuthMethod,
          })
          .execute();
      },
      async get(instanceId, id) {
        const r = await db
          .selectFrom('applications')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return r ? toApp(r) : null;
      },
      async getByClientId(instanceId, clientId) {
        const r = await db
          .selectFrom('applications')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return r ? toApp(r) : null;
      },
      async list(instanceId, q) {
        const after = decodeCursor(q.cursor);
        let query = db
          .selectFrom('applications')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('internal', '=', 0) // idaas's own clients (the SAML bridge) are not listed
          .orderBy('id')
          .limit(q.limit + 1);
        if (after) query = query.where('id', '>', after);
        if (q.q)
          query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', likePattern(q.q!)));
        return page((await query.execute()).map(toApp), q.limit);
      },
      async update(instanceId, id, patch, at) {
        const set: Record<string, unknown> = { updated_at: iso(at) };
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.redirectUris !== undefined)
          set.redirect_uris = JSON.stringify(patch.redirectUris);
        if (patch.postLogoutRedirectUris !== undefined)
          set.post_logout_redirect_uris = JSON.stringify(patch.postLogoutRedirectUris);
        if (patch.grantTypes !== undefined) set.grant_types = JSON.stringify(patch.grantTypes);
        if (patch.scopes !== undefined) set.scopes = JSON.stringify(patch.scopes);
        if (patch.backchannelLogoutUri !== undefined)
          set.backchannel_logout_uri = patch.backchannelLogoutUri;
        if (patch.accessTokenFormat !== undefined)
          set.access_token_format = patch.accessTokenFormat;
        if (patch.secretEncrypted !== undefined) set.secret_encrypted = patch.secretEncrypted;
        if (patch.firstParty !== undefined) set.first_party = patch.firstParty ? 1 : 0;
        if (patch.internal !== undefined) set.internal = patch.internal ? 1 : 0;
        if (patch.tokenEndpointAuthMethod !== undefined)
          set.token_endpoint_auth_method = patch.tokenEndpointAuthMethod;
        await db
          .updateTable('applications')
          .set(set as never)
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .execute();
      },
      async delete(instanceId, id) {
        const r = await db
          .deleteFrom('applications')
          .where('instance_id', '=', instanceId)
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
    },

    keys: {
      async insert(k) {
        await db
          .insertInto('signing_keys')
          .values({
            instance_id: k.instanceId,
            kid: k.kid,
            alg: k.alg,
            status: k.status,
            public_jwk: JSON.stringify(k.publicJwk),
            private_jwk_encrypted: k.privateJwkEncrypted,
            created_at: iso(k.createdAt),
            retire_after: isoOrNull(k.retireAfter),
          })
          .execute();
      },
      async published(instanceId, at) {
        const rows = await db
          .selectFrom('signing_keys')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where((eb) => eb.or([eb('status', '=', 'active'), eb('retire_after', '>', iso(at))]))
          .orderBy('status') // 'active' before 'retiring': the provider signs with the first key
          .orderBy('created_at', 'desc')
          .orderBy('kid')
          .execute();
        return rows.map(toKey);
      },
      async list(instanceId) {
        const rows = await db
          .selectFrom('signing_keys')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .orderBy('created_at', 'desc')
          .orderBy('kid')
          .execute();
        return rows.map(toKey);
      },
      async retire(instanceId, kid, retireAfter) {
        await db
          .updateTable('signing_keys')
          .set({ status: 'retiring', retire_after: iso(retireAfter) })
          .where('instance_id', '=', instanceId)
          .where('kid', '=', kid)
          .execute();
      },
      async purgeRetired(instanceId, at) {
        const r = await db
          .deleteFrom('signing_keys')
          .where('instance_id', '=', instanceId)
          .where('status', '=', 'retiring')
          .where('retire_after', '<=', iso(at))
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },

    oidc: {
      async upsert(r) {
        // The hottest write (every token issued): compiled once, then only executed.
        const values = {
          instance_id: r.instanceId,
          model: r.model,
          id: r.id,
          payload: JSON.stringify(r.payload),
          grant_id: r.grantId,
          uid: r.uid,
          user_code: r.userCode,
          expires_at: isoOrNull(r.expiresAt),
          consumed_at: isoOrNull(r.consumedAt),
        };
        if (!opts.groupCommit) {
          await upsertOne(db, values);
          return;
        }
        await new Promise<void>((resolve, reject) => {
          queue.push({ row: values, done: (e) => (e ? reject(e) : resolve()) });
          if (!scheduled) {
            scheduled = true;
            setImmediate(() => void writeBatches());
          }
        });
      },
      async find(instanceId, model, id) {
        const [r] = await run<Selectable<Database['oidc_models']>>(
          'oidc.find',
          () =>
            db
              .selectFrom('oidc_models')
              .selectAll()
              .where('instance_id', '=', instanceId)
              .where('model', '=', model)
              .where('id', '=', id)
              .compile(),
          [instanceId, model, id],
        );
        return r ? toOidc(r) : null;
      },
      async findByUid(instanceId, uid) {
        const r = await db
          .selectFrom('oidc_models')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('model', '=', 'Session')
          .where('uid', '=', uid)
          .executeTakeFirst();
        return r ? toOidc(r) : null;
      },
      async findByUserCode(instanceId, userCode) {
        const r = await db
          .selectFrom('oidc_models')
          .selectAll()
          .where('instance_id', '=', instanceId)
          .where('model', '=', 'DeviceCode')
          .where('user_code', '=', userCode)
          .executeTakeFirst();
        return r ? toOidc(r) : null;
      },
      async consume(instanceId, model, id, at) {
        const rec = await this.find(instanceId, model, id);
        if (!rec) return;
        const payload = { ...rec.payload, consumed: Math.floor(at.getTime() / 1000) };
        await db
          .updateTable('oidc_models')
          .set({ consumed_at: iso(at), payload: JSON.stringify(payload) })
          .where('instance_id', '=', instanceId)
          .where('model', '=', model)
          .where('id', '=', id)
          .execute();
      },
      async destroy(instanceId, model, id) {
        await run(
          'oidc.destroy',
          () =>
            db
              .deleteFrom('oidc_models')
              .where('instance_id', '=', instanceId)
              .where('model', '=', model)
              .where('id', '=', id)
              .compile(),
          [instanceId, model, id],
        );
      },
      async revokeByGrantId(instanceId, grantId) {
        await db
          .deleteFrom('oidc_models')
          .where('instance_id', '=', instanceId)
          .where('grant_id', '=', grantId)
          .execute();
      },
      async sweepExpired(at) {
        const r = await db
          .deleteFrom('oidc_models')
          .where('expires_at', '<=', iso(at))
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },

    settings: {
      async get(key) {
        const r = await db
          .selectFrom('settings')
          .select('value')
          .where('key', '=', key)
          .executeTakeFirst();
        return r?.value ?? null;
      },
      async set(key, value) {
        await db
          .insertInto('settings')
          .values({ key, value })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
          .execute();
      },
    },
  };
}
