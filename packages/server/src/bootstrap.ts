// First start on an empty store: the operator account, the platform's own admin
// instance with an `admin` user (the owner member of the operator account) and the
// console's client; optionally a `default` instance for trying things. Safe to run on
// every start and from several processes.
import { randomBytes } from 'node:crypto';
import { AppError, PLATFORM_SLUG, type Core, type Instance, type Store } from '@idaas/core';

export const ADMIN_USERNAME = 'admin';
export const CONSOLE_CLIENT_ID = 'idaas-console';
/**
 * The scope that makes a token the operator in the admin API. A user's token gets it only
 * when the user is an operator user (see isOperatorUser); a service client's token
 * (client credentials) when the platform application holds it.
 */
export const ADMIN_SCOPE = 'idaas:admin';

const operatorAccountIds = new WeakMap<Store, string>();

/**
 * Whether a platform user is one of the operator's: a member of the operator account
 * (`accounts.kind = 'operator'`). Only they may hold the admin scope in a user token;
 * any other platform user (a customer account's member) may not, whatever it asks for.
 */
export async function isOperatorUser(store: Store, userId: string): Promise<boolean> {
  let accountId = operatorAccountIds.get(store);
  if (accountId === undefined) {
    const op = await store.repos.accounts.findOperator();
    if (!op) return false;
    accountId = op.id; // never changes once created
    operatorAccountIds.set(store, accountId);
  }
  return (await store.repos.accountMembers.get(accountId, userId)) !== null;
}
/** Customers' scope (account members, routes-commerce.ts ACCOUNT_SCOPE), used by the console. */
const CONSOLE_ACCOUNT_SCOPE = 'idaas:account';

export interface BootstrapResult {
  platform: Instance;
  defaultInstance: Instance | null;
  /** Set only when this call created the admin user with a generated password: print it once. */
  generatedAdminPassword: string | null;
  created: string[];
}

async function ensureInstance(
  core: Core,
  slug: string,
  displayName: string,
  platform: boolean,
): Promise<{ instance: Instance; created: boolean }> {
  const existing = await core.instances.find(slug);
  if (existing) return { instance: existing, created: false };
  try {
    return {
      instance: await core.instances.create({ slug, displayName }, { platform }),
      created: true,
    };
  } catch (e) {
    if (e instanceof AppError && e.code === 'conflict')
      return { instance: await core.instances.get(slug), created: false };
    throw e;
  }
}

export async function bootstrap(
  core: Core,
  opts: { publicUrl: string; adminPassword: string | null; createDefault: boolean },
): Promise<BootstrapResult> {
  const created: string[] = [];
  const operator = await core.instances.ensureOperator();
  const { instance: platform, created: platformCreated } = await ensureInstance(
    core,
    PLATFORM_SLUG,
    'Platform administration',
    true,
  );
  if (platformCreated) created.push(`instance ${PLATFORM_SLUG}`);

  let generatedAdminPassword: string | null = null;
  if (!(await core.deps.store.repos.users.getByUsername(platform.id, ADMIN_USERNAME))) {
    const password = opts.adminPassword ?? randomBytes(18).toString('base64url');
    try {
      await core.directory.createUser(platform, {
        username: ADMIN_USERNAME,
        password,
        displayName: 'Platform administrator',
      });
      created.push(`user ${ADMIN_USERNAME}`);
      if (!opts.adminPassword) generatedAdminPassword = password;
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'conflict')) throw e;
    }
  }
  // the admin user is the operator account's owner: what makes its tokens operator tokens
  const adminUser = await core.deps.store.repos.users.getByUsername(platform.id, ADMIN_USERNAME);
  if (adminUser) {
    const members = core.deps.store.repos.accountMembers;
    const member = await members.get(operator.id, adminUser.id);
    if (member?.role !== 'owner' || member.permissions !== null) {
      await members.upsert({
        accountId: operator.id,
        userId: adminUser.id,
        role: 'owner',
        permissions: null,
        createdAt: member?.createdAt ?? core.deps.clock.now(),
      });
      created.push(`operator membership of ${ADMIN_USERNAME}`);
    }
  }

  const consoleApp = await core.applications.findByClientId(platform, CONSOLE_CLIENT_ID);
  if (consoleApp && !consoleApp.scopes.includes(CONSOLE_ACCOUNT_SCOPE)) {
    // the console signs customers in too (idaas:account): add it to a console made earlier
    await core.applications.update(platform, consoleApp.id, {
      scopes: [...consoleApp.scopes, CONSOLE_ACCOUNT_SCOPE],
      firstParty: true,
    });
  }
  if (!consoleApp) {
    try {
      await core.applications.create(platform, {
        clientId: CONSOLE_CLIENT_ID,
        name: 'idaas console',
        public: true,
        // the platform's own app: no consent page (its sign-in is the platform's)
        firstParty: true,
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [`${opts.publicUrl}/console/callback`],
        postLogoutRedirectUris: [`${opts.publicUrl}/console/`],
        scopes: [
          'openid',
          'profile',
          'email',
          'offline_access',
          ADMIN_SCOPE,
          CONSOLE_ACCOUNT_SCOPE,
        ],
      });
      created.push(`client ${CONSOLE_CLIENT_ID}`);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'conflict')) throw e;
    }
  }

  let defaultInstance: Instance | null = null;
  if (opts.createDefault) {
    const r = await ensureInstance(core, 'default', 'Default instance', false);
    defaultInstance = r.instance;
    if (r.created) created.push('instance default');
  }
  return { platform, defaultInstance, generatedAdminPassword, created };
}
