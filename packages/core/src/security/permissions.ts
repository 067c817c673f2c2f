// The permission catalog of delegated administration (issue 6, G5.6). Every admin API
// route declares exactly one permission; a caller holds a set of permissions per
// instance through roles. Built-in roles and custom roles are defined over this list.
//
// `platform:operate` is never grantable through an instance role: it is the operator's.
// `account:member` marks the commerce routes authorised by account membership (G5.6
// sub-account actions), not by instance roles.
// `instance:member` marks instance routes about the caller itself (its own permissions):
// any role on the instance in the path suffices, whichever permissions it grants.

export const INSTANCE_PERMISSIONS = [
  'instance:read',
  'instance:write',
  'users:read',
  'users:write',
  'users:mfa-reset',
  'groups:read',
  'groups:write',
  'apps:read',
  'apps:write',
  'keys:read',
  'keys:write',
  'policies:read',
  'policies:write',
  'audit:read',
  'roles:read',
  'roles:write',
  'provisioning:read',
  'provisioning:write',
] as const;

export type InstancePermission = (typeof INSTANCE_PERMISSIONS)[number];

export type RoutePermission =
  InstancePermission | 'platform:operate' | 'account:member' | 'instance:member';

/** Every value a route may declare (the instance permissions and the special ones). */
export const ROUTE_PERMISSIONS: readonly RoutePermission[] = [
  ...INSTANCE_PERMISSIONS,
  'platform:operate',
  'account:member',
  'instance:member',
];

export const BUILTIN_ROLES = ['owner', 'admin', 'user-admin', 'auditor', 'app-admin'] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

const ALL = INSTANCE_PERMISSIONS;
const READS = ALL.filter((p) => p.endsWith(':read'));

/** What each built-in role grants on its instance. */
export const BUILTIN_ROLE_PERMISSIONS: Record<BuiltinRole, readonly InstancePermission[]> = {
  owner: ALL,
  // everything but handing out roles (owners do that)
  admin: ALL.filter((p) => p !== 'roles:write'),
  // helpdesk: users and groups, MFA resets, nothing about applications or keys
  'user-admin': [
    'instance:read',
    'users:read',
    'users:write',
    'users:mfa-reset',
    'groups:read',
    'groups:write',
  ],
  // read-only, including the audit trail and who holds which role
  auditor: READS,
  // applications (OIDC and SAML), their signing keys and outbound provisioning
  'app-admin': [
    'instance:read',
    'apps:read',
    'apps:write',
    'keys:read',
    'keys:write',
    'provisioning:read',
    'provisioning:write',
  ],
};

export function isInstancePermission(p: string): p is InstancePermission {
  return (INSTANCE_PERMISSIONS as readonly string[]).includes(p);
}

export function isBuiltinRole(r: string): r is BuiltinRole {
  return (BUILTIN_ROLES as readonly string[]).includes(r);
}
