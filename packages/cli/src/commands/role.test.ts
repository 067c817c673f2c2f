// `idaas role …` through the real launcher, on the store of a running test server: custom
// roles, assignments to an account member, --as evaluating the API's permission check.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { idaas, badInput, refused } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas role on ${kind}`, () => {
    let server: TestServer;
    let env: Record<string, string>;
    let owner: string;
    let sub: string;
    before(async () => {
      server = await startTestServer(kind);
      env = { DATABASE_URL: server.databaseUrl, IDAAS_KEK: server.kek };
      const { core, business, store, clock } = server.sctx;
      const platform = await core.instances.get('platform');
      const mk = async (username: string) =>
        (
          await core.directory.createUser(platform, {
            username,
            password: 'a sufficiently long secret 9',
          })
        ).id;
      owner = await mk('cli-owner');
      sub = await mk('cli-sub');
      const { account } = await business.commerce.service.createAccount({
        name: 'CLI Co',
        email: null,
        testClock: false,
        ownerUserId: owner,
        at: clock.now(),
      });
      await store.repos.accountMembers.upsert({
        accountId: account.id,
        userId: sub,
        role: 'sub',
        permissions: [],
        createdAt: clock.now(),
      });
      await core.instances.create({ slug: 'cli-co', accountId: account.id });
    });
    after(async () => {
      await server?.close();
    });

    const run = async (args: string[]) => {
      const r = await idaas(['role', ...args, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };

    test('create a custom role, assign it with a built-in one, revoke one', async () => {
      const list = await run(['list', '--instance', 'cli-co']);
      assert.deepEqual(
        (list.items as { name: string }[]).map((r) => r.name),
        ['owner', 'admin', 'user-admin', 'auditor', 'app-admin'],
      );
      const created = await run([
        'create',
        '--instance',
        'cli-co',
        '--name',
        'mfa-desk',
        '--permission',
        'users:mfa-reset',
        '--permission',
        'users:read',
      ]);
      assert.deepEqual(created.permissions, ['users:read', 'users:mfa-reset']);
      const a = await run(['assign', '--instance', 'cli-co', '--user', sub, '--role', 'mfa-desk']);
      assert.deepEqual(a.roles, ['mfa-desk']);
      const b = await run(['assign', '--instance', 'cli-co', '--user', sub, '--role', 'auditor']);
      assert.deepEqual(b.roles, ['mfa-desk', 'auditor']);
      const c = await run(['revoke', '--instance', 'cli-co', '--user', sub, '--role', 'auditor']);
      assert.deepEqual(c.roles, ['mfa-desk']);
      const all = await run(['assignments', '--instance', 'cli-co']);
      assert.deepEqual(all.items, [
        { user_id: owner, roles: ['owner'], implicit: true },
        { user_id: sub, roles: ['mfa-desk'], implicit: false },
      ]);
    });

    test('--as applies the permission check of the admin API', async () => {
      // the account owner may hand out roles
      const r = await run([
        'assign',
        '--instance',
        'cli-co',
        '--user',
        sub,
        '--role',
        'user-admin',
        '--as',
        owner,
      ]);
      assert.ok((r.roles as string[]).includes('user-admin'));
      // the sub-account (no roles:write) may not, and nothing changes
      refused(
        await idaas(['role', 'revoke', '--instance', 'cli-co', '--user', sub, '--as', sub], env),
        /requires roles:write on instance cli-co/,
      );
      // … but may read (auditor holds roles:read; mfa-desk and user-admin do not)
      refused(
        await idaas(['role', 'assignments', '--instance', 'cli-co', '--as', sub], env),
        /requires roles:read on instance cli-co/,
      );
      await run(['assign', '--instance', 'cli-co', '--user', sub, '--role', 'auditor']);
      const seen = await run(['assignments', '--instance', 'cli-co', '--as', sub]);
      assert.ok(Array.isArray(seen.items));
      const held = await server.sctx.store.repos.roleAssignments.rolesOf(
        (await server.sctx.core.instances.get('cli-co')).id,
        sub,
      );
      assert.deepEqual(held.map((x) => x.role).sort(), ['auditor', 'mfa-desk', 'user-admin']);
    });

    test('bad input → exit 2 with one line naming the flag', async () => {
      badInput(
        await idaas(
          ['role', 'create', '--instance', 'cli-co', '--name', 'x1', '--permission', 'users:fly'],
          env,
        ),
        /--permission "users:fly": is not a known permission/,
      );
      badInput(
        await idaas(
          ['role', 'assign', '--instance', 'cli-co', '--user', sub, '--role', 'wizard'],
          env,
        ),
        /--role: no role "wizard" on this instance/,
      );
      badInput(await idaas(['role', 'list'], env), /--instance: is required/);
      badInput(
        await idaas(['role', 'fly', '--instance', 'cli-co'], env),
        /unknown subcommand "fly"/,
      );
      badInput(
        await idaas(['role', 'delete', '--instance', 'cli-co', '--name', 'admin'], env),
        /built-in role "admin" cannot be deleted/,
      );
    });
  });
}
