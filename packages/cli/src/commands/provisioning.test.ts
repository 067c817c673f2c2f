// `idaas provisioning …` through the real launcher, on the store of a running test server:
// a target set from the CLI (token from stdin, never printed) receives a user created by
// `idaas user create` once the server's scheduler runs the push; re-sync and dead letters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { Outbound } from '@idaas/server/scim/outbound';
import { scimClient, type ScimClient } from '@idaas/server/scim/testing';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas provisioning on ${kind}`, () => {
    let server: TestServer;
    let dst: ScimClient;
    let env: Record<string, string>;
    let appId: string;
    const drain = async () => {
      const sctx = server.sctx;
      for (let i = 0; i < 3; i++) {
        await sctx.business.lifecycle.scheduler.sweep(
          null,
          new Date(sctx.clock.now().getTime() + 1000),
        );
        await Outbound.settled(sctx);
      }
    };
    before(async () => {
      server = await startTestServer(kind);
      env = { DATABASE_URL: server.databaseUrl, IDAAS_KEK: server.kek };
      dst = await scimClient(kind, 'cli-dest', server);
      const inst = await server.sctx.core.instances.get('default');
      const { application } = await server.sctx.core.applications.create(inst, {
        name: 'Downstream',
        grantTypes: ['client_credentials'],
      });
      appId = application.id;
    });
    after(async () => {
      await server?.close();
    });

    test('target set (token on stdin), a CLI-created user is pushed; list never shows the token', async () => {
      const set = await idaas(
        [
          'provisioning',
          'target',
          'set',
          '--instance',
          'default',
          '--app',
          appId,
          '--url',
          dst.base,
          '--json',
        ],
        env,
        `${dst.token}\n`,
      );
      assert.equal(set.code, 0, set.stderr);
      assert.ok(!set.stdout.includes(dst.token));
      const list = await idaas(['provisioning', 'target', 'list', '--instance', 'default'], env);
      assert.equal(list.code, 0, list.stderr);
      assert.ok(list.stdout.includes(dst.base));
      assert.ok(!list.stdout.includes(dst.token));
      const u = await idaas(
        [
          'user',
          'create',
          '--instance',
          'default',
          '--username',
          'cli-pushed',
          '--password',
          'a long cli secret 77',
        ],
        env,
      );
      assert.equal(u.code, 0, u.stderr);
      await drain();
      const r = await dst.req(
        'GET',
        `/Users?filter=${encodeURIComponent('userName eq "cli-pushed"')}`,
      );
      assert.equal(r.body.totalResults, 1, 'the CLI change reached the target');

      const rs = await idaas(
        ['provisioning', 'resync', 'start', '--instance', 'default', '--app', appId, '--json'],
        env,
      );
      assert.equal(rs.code, 0, rs.stderr);
      const started = JSON.parse(rs.stdout) as { id: string; total: number };
      assert.ok(started.total >= 1);
      await drain();
      const st = await idaas(
        ['provisioning', 'resync', 'status', '--instance', 'default', '--app', appId, '--json'],
        env,
      );
      const items = (
        JSON.parse(st.stdout) as { items: { id: string; done: number; finished: boolean }[] }
      ).items;
      assert.equal(items[0]!.id, started.id);
      assert.equal(items[0]!.finished, true);
      assert.equal(items[0]!.done, started.total);

      const dead = await idaas(
        ['provisioning', 'dead', 'list', '--instance', 'default', '--json'],
        env,
      );
      assert.deepEqual(JSON.parse(dead.stdout), { items: [] });
      const rm = await idaas(
        ['provisioning', 'target', 'remove', '--instance', 'default', '--app', appId],
        env,
      );
      assert.equal(rm.code, 0, rm.stderr);
    });

    test('bad input: one line naming the flag, exit 2', async () => {
      badInput(await idaas(['provisioning', 'target', 'list'], env), '--instance');
      badInput(
        await idaas(
          [
            'provisioning',
            'target',
            'set',
            '--instance',
            'default',
            '--app',
            appId,
            '--url',
            'ftp://x',
          ],
          env,
          'tok\n',
        ),
        '--url',
      );
      badInput(
        await idaas(
          [
            'provisioning',
            'target',
            'set',
            '--instance',
            'default',
            '--app',
            appId,
            '--url',
            dst.base,
          ],
          env,
          '',
        ),
        'stdin',
      );
      badInput(
        await idaas(
          ['provisioning', 'dead', 'retry', '--instance', 'default', '--id', 'nope'],
          env,
        ),
        '--id',
      );
      badInput(
        await idaas(['provisioning', 'frobnicate', '--instance', 'default'], env),
        /unknown subcommand/,
      );
    });
  });
}
