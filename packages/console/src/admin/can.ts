// Which instance-administration screens and actions a set of permissions allows (issue 6):
// pure functions over the permission names of GET /instances/{slug}/permissions, shared by
// the screens and their tests. The server still checks every call.
import type { Screen } from './common.tsx';

/** The permission needed to see each screen. */
export const SCREEN_PERMISSION: Record<Screen, string> = {
  users: 'users:read',
  import: 'users:read',
  groups: 'groups:read',
  org: 'groups:read',
  apps: 'apps:read',
  provisioning: 'provisioning:read',
  keys: 'keys:read',
  branding: 'instance:read',
  passwords: 'policies:read',
  access: 'policies:read',
  roles: 'roles:read',
  audit: 'audit:read',
};

/** The permissions of each screen's actions (a missing one is explained on the screen). */
export const SCREEN_ACTIONS: Record<Screen, string[]> = {
  users: ['users:write', 'users:mfa-reset'],
  import: ['users:write'],
  groups: ['groups:write'],
  org: ['groups:write'],
  apps: ['apps:write', 'provisioning:write'],
  provisioning: ['provisioning:write'],
  keys: ['keys:write'],
  branding: ['instance:write'],
  passwords: ['policies:write'],
  access: ['policies:write'],
  roles: ['roles:write'],
  audit: [],
};

/** The screens `held` allows, in navigation order. */
export function allowedScreens(screens: readonly Screen[], held: ReadonlySet<string>): Screen[] {
  return screens.filter((s) => held.has(SCREEN_PERMISSION[s]));
}

/** Roles the caller may hand out: those whose every permission it holds itself. */
export function assignable<R extends { permissions: string[] }>(
  roles: R[],
  held: ReadonlySet<string>,
): R[] {
  return roles.filter((r) => r.permissions.every((p) => held.has(p)));
}
