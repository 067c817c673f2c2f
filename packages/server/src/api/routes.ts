// The admin API's routes under /api/v1. Every handler returns the wire form, which the
// dispatcher parses through the route's response schema before sending.
import { z } from 'zod';
import { AppError, notFound, type ListQuery, type Page } from '@idaas/core';
import { memberInstancesPage } from './authorize.ts';
import { route, type AnyRoute } from './route.ts';
import {
  ApplicationCreate,
  ApplicationOut,
  ApplicationUpdate,
  ApplicationWithSecret,
  GroupCreate,
  GroupUpdate,
  GroupOut,
  InstanceCreate,
  InstanceOut,
  KeyList,
  ListParams,
  OrgUnitCreate,
  OrgUnitOut,
  OrgUnitUpdate,
  PageParams,
  UserCreate,
  UserOut,
  UserUpdate,
  pageOf,
  toCore,
  wire,
} from './schemas.ts';

const InstancePage = pageOf(InstanceOut, 'InstancePage');
const UserPage = pageOf(UserOut, 'UserPage');
const GroupPage = pageOf(GroupOut, 'GroupPage');
const OrgUnitPage = pageOf(OrgUnitOut, 'OrgUnitPage');
const ApplicationPage = pageOf(ApplicationOut, 'ApplicationPage');
const OrgUnitList = z.object({ items: z.array(OrgUnitOut) }).meta({ id: 'OrgUnitList' });

function listQuery(q: { limit: number; cursor?: string | undefined; q?: string | undefined }) {
  const out: ListQuery = { limit: q.limit, cursor: q.cursor ?? null };
  if (q.q) out.q = q.q;
  return out;
}

function pageOut<T, W>(p: Page<T>, map: (t: T) => W): { items: W[]; next_cursor: string | null } {
  return { items: p.items.map(map), next_cursor: p.next };
}

const I = '/instances/{slug}';

export const routes: AnyRoute[] = [
  // ---- instances
  route({
    method: 'get',
    path: '/instances',
    operationId: 'listInstances',
    permission: 'instance:read',
    ownInstancesOnly: true,
    summary: 'List identity instances',
    tag: 'instances',
    query: ListParams,
    response: InstancePage,
    description: 'The operator sees every instance; an account member those it holds a role on.',
    handler: async ({ sctx, query, operator, admin }) =>
      pageOut(
        operator
          ? await sctx.core.instances.list(listQuery(query))
          : await memberInstancesPage(sctx, admin.sub!, query),
        (i) => wire.instance(i, sctx.config.publicUrl),
      ),
  }),
  route({
    method: 'post',
    path: '/instances',
    operationId: 'createInstance',
    permission: 'platform:operate',
    summary: 'Create an identity instance (with its data key and first signing keys)',
    tag: 'instances',
    body: InstanceCreate,
    status: 201,
    response: InstanceOut,
    errors: [409],
    handler: async ({ sctx, body }) =>
      wire.instance(await sctx.core.instances.create(toCore.instance(body)), sctx.config.publicUrl),
  }),
  route({
    method: 'get',
    path: I,
    operationId: 'getInstance',
    permission: 'instance:read',
    summary: 'Get an identity instance',
    tag: 'instances',
    response: InstanceOut,
    handler: async ({ sctx, instance }) => wire.instance(await instance(), sctx.config.publicUrl),
  }),

  // ---- users
  route({
    method: 'get',
    path: `${I}/users`,
    operationId: 'listUsers',
    permission: 'users:read',
    summary: 'List users (q searches username, email and display name)',
    tag: 'users',
    query: ListParams,
    response: UserPage,
    handler: async ({ sctx, instance, query }) =>
      pageOut(await sctx.core.directory.listUsers(await instance(), listQuery(query)), wire.user),
  }),
  route({
    method: 'post',
    path: `${I}/users`,
    operationId: 'createUser',
    permission: 'users:write',
    summary: 'Create a user',
    tag: 'users',
    body: UserCreate,
    status: 201,
    response: UserOut,
    errors: [409],
    handler: async ({ sctx, instance, body }) =>
      wire.user(await sctx.core.directory.createUser(await instance(), toCore.userCreate(body))),
  }),
  route({
    method: 'get',
    path: `${I}/users/{id}`,
    operationId: 'getUser',
    permission: 'users:read',
    summary: 'Get a user',
    tag: 'users',
    response: UserOut,
    handler: async ({ sctx, instance, param }) =>
      wire.user(await sctx.core.directory.getUser(await instance(), param('id'))),
  }),
  route({
    method: 'patch',
    path: `${I}/users/{id}`,
    operationId: 'updateUser',
    permission: 'users:write',
    summary: 'Update a user (fields absent from the body are left as they are; null clears)',
    tag: 'users',
    body: UserUpdate,
    response: UserOut,
    errors: [409],
    handler: async ({ sctx, instance, param, body }) =>
      wire.user(
        await sctx.core.directory.updateUser(
          await instance(),
          param('id'),
          toCore.userUpdate(body),
        ),
      ),
  }),
  route({
    method: 'delete',
    path: `${I}/users/{id}`,
    operationId: 'deleteUser',
    permission: 'users:write',
    summary: 'Delete a user (and their memberships)',
    tag: 'users',
    status: 204,
    handler: async ({ sctx, instance, param }) =>
      sctx.core.directory.deleteUser(await instance(), param('id')),
  }),
  route({
    method: 'get',
    path: `${I}/users/{id}/org-units`,
    operationId: 'listUserOrgUnits',
    permission: 'users:read',
    summary: 'The organisational units a user belongs to',
    tag: 'org-units',
    response: OrgUnitList,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      const user = await sctx.core.directory.getUser(inst, param('id'));
      const units = await sctx.store.repos.orgUnits.unitsOfUser(inst.id, user.id);
      return { items: units.map(wire.orgUnit) };
    },
  }),

  // ---- groups
  route({
    method: 'get',
    path: `${I}/groups`,
    operationId: 'listGroups',
    permission: 'groups:read',
    summary: 'List groups (q searches the name)',
    tag: 'groups',
    query: ListParams,
    response: GroupPage,
    handler: async ({ sctx, instance, query }) =>
      pageOut(await sctx.core.directory.listGroups(await instance(), listQuery(query)), wire.group),
  }),
  route({
    method: 'post',
    path: `${I}/groups`,
    operationId: 'createGroup',
    permission: 'groups:write',
    summary: 'Create a group',
    tag: 'groups',
    body: GroupCreate,
    status: 201,
    response: GroupOut,
    errors: [409],
    handler: async ({ sctx, instance, body }) =>
      wire.group(await sctx.core.directory.createGroup(await instance(), toCore.group(body))),
  }),
  route({
    method: 'get',
    path: `${I}/groups/{id}`,
    operationId: 'getGroup',
    permission: 'groups:read',
    summary: 'Get a group',
    tag: 'groups',
    response: GroupOut,
    handler: async ({ sctx, instance, param }) =>
      wire.group(await sctx.core.directory.getGroup(await instance(), param('id'))),
  }),
  route({
    method: 'patch',
    path: `${I}/groups/{id}`,
    operationId: 'updateGroup',
    permission: 'groups:write',
    summary: 'Rename a group or change its description',
    tag: 'groups',
    body: GroupUpdate,
    response: GroupOut,
    handler: async ({ sctx, instance, param, body }) =>
      wire.group(
        await sctx.core.directory.updateGroup(
          await instance(),
          param('id'),
          toCore.groupUpdate(body),
        ),
      ),
  }),
  route({
    method: 'delete',
    path: `${I}/groups/{id}`,
    operationId: 'deleteGroup',
    permission: 'groups:write',
    summary: 'Delete a group (its members stay in the directory)',
    tag: 'groups',
    status: 204,
    handler: async ({ sctx, instance, param }) =>
      sctx.core.directory.deleteGroup(await instance(), param('id')),
  }),
  route({
    method: 'get',
    path: `${I}/groups/{id}/members`,
    operationId: 'listGroupMembers',
    permission: 'groups:read',
    summary: 'List the members of a group',
    tag: 'groups',
    query: PageParams,
    response: UserPage,
    handler: async ({ sctx, instance, param, query }) =>
      pageOut(
        await sctx.core.directory.groupMembers(await instance(), param('id'), listQuery(query)),
        wire.user,
      ),
  }),
  route({
    method: 'get',
    path: `${I}/groups/{id}/members/{userId}`,
    operationId: 'getGroupMember',
    permission: 'groups:read',
    summary: 'Get a member of a group (404 when the user is not a member)',
    tag: 'groups',
    response: UserOut,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      const group = await sctx.core.directory.getGroup(inst, param('id'));
      const user = await sctx.core.directory.getUser(inst, param('userId'));
      const names = await sctx.store.repos.users.groupNames(inst.id, user.id);
      if (!names.includes(group.name)) throw notFound('membership');
      return wire.user(user);
    },
  }),
  route({
    method: 'put',
    path: `${I}/groups/{id}/members/{userId}`,
    operationId: 'addGroupMember',
    permission: 'groups:write',
    summary: 'Add a user to a group (idempotent)',
    tag: 'groups',
    status: 204,
    handler: async ({ sctx, instance, param }) =>
      sctx.core.directory.addGroupMember(await instance(), param('id'), param('userId')),
  }),
  route({
    method: 'delete',
    path: `${I}/groups/{id}/members/{userId}`,
    operationId: 'removeGroupMember',
    permission: 'groups:write',
    summary: 'Remove a user from a group',
    tag: 'groups',
    status: 204,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await sctx.core.directory.getGroup(inst, param('id'));
      await sctx.core.directory.removeGroupMember(inst, param('id'), param('userId'));
    },
  }),

  // ---- organisational units
  route({
    method: 'get',
    path: `${I}/org-units`,
    operationId: 'listOrgUnits',
    permission: 'groups:read',
    summary: 'List organisational units (q searches the name)',
    tag: 'org-units',
    query: ListParams,
    response: OrgUnitPage,
    handler: async ({ sctx, instance, query }) =>
      pageOut(
        await sctx.core.directory.listOrgUnits(await instance(), listQuery(query)),
        wire.orgUnit,
      ),
  }),
  route({
    method: 'post',
    path: `${I}/org-units`,
    operationId: 'createOrgUnit',
    permission: 'groups:write',
    summary: 'Create an organisational unit (a root unit, or under parent_id)',
    tag: 'org-units',
    body: OrgUnitCreate,
    status: 201,
    response: OrgUnitOut,
    handler: async ({ sctx, instance, body }) =>
      wire.orgUnit(await sctx.core.directory.createOrgUnit(await instance(), toCore.orgUnit(body))),
  }),
  route({
    method: 'get',
    path: `${I}/org-units/{id}`,
    operationId: 'getOrgUnit',
    permission: 'groups:read',
    summary: 'Get an organisational unit',
    tag: 'org-units',
    response: OrgUnitOut,
    handler: async ({ sctx, instance, param }) =>
      wire.orgUnit(await sctx.core.directory.getOrgUnit(await instance(), param('id'))),
  }),
  route({
    method: 'get',
    path: `${I}/org-units/{id}/children`,
    operationId: 'listOrgUnitChildren',
    permission: 'groups:read',
    summary: 'The direct children of an organisational unit',
    tag: 'org-units',
    response: OrgUnitList,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      const unit = await sctx.core.directory.getOrgUnit(inst, param('id'));
      return {
        items: (await sctx.store.repos.orgUnits.children(inst.id, unit.id)).map(wire.orgUnit),
      };
    },
  }),
  route({
    method: 'patch',
    path: `${I}/org-units/{id}`,
    operationId: 'updateOrgUnit',
    permission: 'groups:write',
    summary: 'Rename an organisational unit and/or move it (parent_id; null moves it to the root)',
    tag: 'org-units',
    body: OrgUnitUpdate,
    response: OrgUnitOut,
    handler: async ({ sctx, instance, param, body }) =>
      wire.orgUnit(
        await sctx.core.directory.updateOrgUnit(
          await instance(),
          param('id'),
          toCore.orgUnitUpdate(body),
        ),
      ),
  }),
  route({
    method: 'delete',
    path: `${I}/org-units/{id}`,
    operationId: 'deleteOrgUnit',
    permission: 'groups:write',
    summary: 'Delete an organisational unit (409 while it has children)',
    tag: 'org-units',
    status: 204,
    errors: [409],
    handler: async ({ sctx, instance, param }) =>
      sctx.core.directory.deleteOrgUnit(await instance(), param('id')),
  }),
  route({
    method: 'put',
    path: `${I}/org-units/{id}/members/{userId}`,
    operationId: 'addOrgUnitMember',
    permission: 'groups:write',
    summary: 'Add a user to an organisational unit (idempotent)',
    tag: 'org-units',
    status: 204,
    handler: async ({ sctx, instance, param }) =>
      sctx.core.directory.addOrgUnitMember(await instance(), param('id'), param('userId')),
  }),
  route({
    method: 'get',
    path: `${I}/org-units/{id}/members`,
    operationId: 'listOrgUnitMembers',
    permission: 'groups:read',
    summary: 'List the members of an organisational unit',
    tag: 'org-units',
    query: PageParams,
    response: UserPage,
    handler: async ({ sctx, instance, param, query }) =>
      pageOut(
        await sctx.core.directory.orgUnitMembers(await instance(), param('id'), listQuery(query)),
        wire.user,
      ),
  }),
  route({
    method: 'get',
    path: `${I}/org-units/{id}/members/{userId}`,
    operationId: 'getOrgUnitMember',
    permission: 'groups:read',
    summary: 'Get a member of an organisational unit (404 when the user is not a member)',
    tag: 'org-units',
    response: UserOut,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      const unit = await sctx.core.directory.getOrgUnit(inst, param('id'));
      const user = await sctx.core.directory.getUser(inst, param('userId'));
      const units = await sctx.store.repos.orgUnits.unitsOfUser(inst.id, user.id);
      if (!units.some((u) => u.id === unit.id)) throw notFound('membership');
      return wire.user(user);
    },
  }),
  route({
    method: 'delete',
    path: `${I}/org-units/{id}/members/{userId}`,
    operationId: 'removeOrgUnitMember',
    permission: 'groups:write',
    summary: 'Remove a user from an organisational unit',
    tag: 'org-units',
    status: 204,
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      await sctx.core.directory.getOrgUnit(inst, param('id'));
      await sctx.core.directory.removeOrgUnitMember(inst, param('id'), param('userId'));
    },
  }),

  // ---- applications
  route({
    method: 'get',
    path: `${I}/applications`,
    operationId: 'listApplications',
    permission: 'apps:read',
    summary: 'List applications (OIDC clients; q searches the name)',
    tag: 'applications',
    query: ListParams,
    response: ApplicationPage,
    handler: async ({ sctx, instance, query }) =>
      pageOut(
        await sctx.core.applications.list(await instance(), listQuery(query)),
        wire.application,
      ),
  }),
  route({
    method: 'post',
    path: `${I}/applications`,
    operationId: 'createApplication',
    permission: 'apps:write',
    summary: 'Create an application; the response carries client_secret, shown this once',
    tag: 'applications',
    body: ApplicationCreate,
    status: 201,
    response: ApplicationWithSecret,
    errors: [409],
    handler: async ({ sctx, instance, body }) => {
      const { application, clientSecret } = await sctx.core.applications.create(
        await instance(),
        toCore.applicationCreate(body),
      );
      return { ...wire.application(application), client_secret: clientSecret };
    },
  }),
  route({
    method: 'get',
    path: `${I}/applications/{id}`,
    operationId: 'getApplication',
    permission: 'apps:read',
    summary: 'Get an application (never its secret)',
    tag: 'applications',
    response: ApplicationOut,
    handler: async ({ sctx, instance, param }) =>
      wire.application(await sctx.core.applications.get(await instance(), param('id'))),
  }),
  route({
    method: 'patch',
    path: `${I}/applications/{id}`,
    operationId: 'updateApplication',
    permission: 'apps:write',
    summary: 'Update an application (fields absent from the body are left as they are)',
    tag: 'applications',
    body: ApplicationUpdate,
    response: ApplicationOut,
    handler: async ({ sctx, instance, param, body }) =>
      wire.application(
        await sctx.core.applications.update(
          await instance(),
          param('id'),
          toCore.applicationUpdate(body),
        ),
      ),
  }),
  route({
    method: 'delete',
    path: `${I}/applications/{id}`,
    operationId: 'deleteApplication',
    permission: 'apps:write',
    summary: 'Delete an application',
    tag: 'applications',
    status: 204,
    handler: async ({ sctx, instance, param }) =>
      sctx.core.applications.delete(await instance(), param('id')),
  }),
  route({
    method: 'post',
    path: `${I}/applications/{id}/secret`,
    operationId: 'rotateApplicationSecret',
    permission: 'apps:write',
    summary: 'Replace the secret of a confidential client; the new one is shown this once',
    tag: 'applications',
    response: ApplicationWithSecret,
    errors: [400],
    handler: async ({ sctx, instance, param }) => {
      const inst = await instance();
      const app = await sctx.core.applications.get(inst, param('id'));
      if (app.clientType !== 'confidential')
        throw new AppError('validation_failed', 'client_type: a public client has no secret', {
          issues: [{ field: 'client_type', message: 'a public client has no secret' }],
        });
      const { application, clientSecret } = await sctx.core.applications.rotateSecret(inst, app.id);
      return { ...wire.application(application), client_secret: clientSecret };
    },
  }),

  // ---- signing keys
  route({
    method: 'get',
    path: `${I}/keys`,
    operationId: 'listKeys',
    permission: 'keys:read',
    summary: 'Signing keys: public JWKs with status (active / retiring) and retirement time',
    tag: 'keys',
    response: KeyList,
    handler: async ({ sctx, instance }) => ({
      keys: (await sctx.core.signingKeys.list(await instance())).map(wire.key),
    }),
  }),
  route({
    method: 'post',
    path: `${I}/keys/rotate`,
    operationId: 'rotateKeys',
    permission: 'keys:write',
    summary:
      'New active ES256 and RS256 keys; the previous ones stay published as retiring until their tokens expire',
    tag: 'keys',
    response: KeyList,
    handler: async ({ sctx, instance }) => {
      const r = await sctx.core.signingKeys.rotate(await instance());
      return { keys: [...r.active, ...r.retiring].map(wire.key) };
    },
  }),
];
