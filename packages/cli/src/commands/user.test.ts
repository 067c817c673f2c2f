// `idaas user …` through the real launcher, on the store of a running test server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas user on ${kind}`, () => {
    let server: TestServer;
    let env: Record<string, string>;
    before(async () => {
      server = await startTestServer(kind);
      env = { DATABASE_URL: server.databaseUrl, IDAAS_KEK: server.kek };
    });
    after(async () => {
      await server?.close();
    });
    const usernames = async () => {
      const inst = await server.sctx.core.instances.get('default');
      return (await server.sctx.core.directory.listUsers(inst, { limit: 200 })).items
        .map((u) => u.username)
        .sort();
    };

    test('create --json prints the user (never the password or its hash); the password works', async () => {
      const r = await idaas(
        [
          'user',
          'create',
          '--instance',
          'default',
          '--username',
          'alice',
          '--password',
          'correct horse battery',
          '--email',
          'alice@example.com',
          '--json',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.username, 'alice');
      assert.equal(out.email, 'alice@example.com');
      assert.equal(out.status, 'enabled');
      assert.equal(typeof out.id, 'string');
      assert.ok(!r.stdout.includes('correct horse') && !r.stdout.includes('argon2'));
      const inst = await server.sctx.core.instances.get('default');
      const login = await server.sctx.core.directory.authenticate(
        inst,
        'alice',
        'correct horse battery',
      );
      assert.equal(login.ok, true, 'the server signs the CLI-created user in');
    });

    test('create without --json, and list', async () => {
      const r = await idaas(
        [
          'user',
          'create',
          '--instance',
          'default',
          '--username',
          'bob',
          '--password',
          'maple-lantern-9',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /created user bob in instance default/);
      const list = await idaas(['user', 'list', '--instance', 'default', '--json'], env);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(
        (JSON.parse(list.stdout) as { username: string }[]).map((u) => u.username).sort(),
        ['alice', 'bob'],
      );
    });

    test('bad input → exit 2 with one line naming the flag, nothing written', async () => {
      const before = await usernames();
      const base = ['user', 'create', '--instance', 'default'];
      badInput(
        await idaas([...base, '--username', 'alice', '--password', 'another password'], env),
        /--username: already exists/,
      );
      badInput(
        await idaas([...base, '--username', 'ALICE', '--password', 'another password'], env),
        '--username',
      );
      badInput(
        await idaas([...base, '--username', 'carol', '--password', 'short'], env),
        '--password',
      );
      badInput(await idaas([...base, '--username', 'carol'], env), /--password: is required/);
      badInput(
        await idaas([...base, '--password', 'long enough pw'], env),
        /--username: is required/,
      );
      badInput(
        await idaas(
          [...base, '--username', 'carol', '--password', 'long enough pw', '--email', 'nope'],
          env,
        ),
        '--email',
      );
      badInput(
        await idaas(
          [
            ...base,
            '--username',
            'carol',
            '--password',
            'long enough pw',
            '--email',
            'Alice@example.com',
          ],
          env,
        ),
        /--email: already exists/,
      );
      badInput(
        await idaas([...base, '--username', 'has space', '--password', 'long enough pw'], env),
        '--username',
      );
      badInput(
        await idaas(['user', 'create', '--username', 'carol', '--password', 'long enough pw'], env),
        /--instance: is required/,
      );
      badInput(
        await idaas(
          [
            'user',
            'create',
            '--instance',
            'nope',
            '--username',
            'carol',
            '--password',
            'long enough pw',
          ],
          env,
        ),
        /--instance: no instance "nope"/,
      );
      badInput(await idaas(['user', 'list', '--instance', 'nope'], env), '--instance');
      assert.deepEqual(await usernames(), before);
    });

    test('--help', async () => {
      const r = await idaas(['user', '--help'], env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /create --instance S --username U --password P \[--email E\]/);
    });
  });
}
