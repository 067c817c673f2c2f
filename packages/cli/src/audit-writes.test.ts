// Every CLI write is audited centrally (issue 6, G4.6), with or without --as: without it
// the actor is the operator `{type: 'operator', id: 'cli'}`; the action is
// `cli.<command>.<sub>`; success and failure alike; reads are not recorded; no secret
// (the password given on the command line) reaches the trail. Read back from the stored,
// hash-chained trail on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { verifyInstanceAuditTrail, type AuditView } from '@idaas/core';
import { idaasInProcess } from './testing.ts';

const PASSWORD = 'an operator-typed secret 42';

for (const kind of availableStoreKinds()) {
  describe(`CLI writes without --as are audited on ${kind}`, () => {
    let server: TestServer;
    const run = (args: string[]) => idaasInProcess(server.sctx, [...args, '--json']);
    const cliRecords = async (slug: string): Promise<AuditView[]> => {
      const inst = await server.sctx.core.instances.get(slug);
      return server.sctx.store.repos.audit.query(
        inst.id,
        { action: 'cli.*' },
        { order: 'asc', limit: 1000 },
      );
    };

    before(async () => {
      server = await startTestServer(kind);
    });
    after(async () => {
      await server.close();
    });

    test('instance create, user create (success and failure) are recorded as the operator; reads are not', async () => {
      const platformBefore = (await cliRecords('platform')).length;
      let r = await run(['instance', 'create', '--slug', 'cli-audited']);
      assert.equal(r.code, 0, r.stderr);
      const platform = (await cliRecords('platform')).slice(platformBefore);
      assert.deepEqual(
        platform.map((v) => [v.action, v.result, v.actor.type, v.actor.id]),
        [['cli.instance.create', 'success', 'operator', 'cli']],
      );

      r = await run([
        'user',
        'create',
        '--instance',
        'cli-audited',
        '--username',
        'op-made',
        '--password',
        PASSWORD,
      ]);
      assert.equal(r.code, 0, r.stderr);
      r = await run([
        'user',
        'create',
        '--instance',
        'cli-audited',
        '--username',
        'op-made',
        '--password',
        PASSWORD,
      ]);
      assert.equal(r.code, 2, 'a duplicate username is bad input');
      r = await run(['user', 'list', '--instance', 'cli-audited']);
      assert.equal(r.code, 0, r.stderr);

      const recs = await cliRecords('cli-audited');
      assert.deepEqual(
        recs.map((v) => [v.action, v.result, v.actor.type, v.actor.id, v.target?.id]),
        [
          ['cli.user.create', 'success', 'operator', 'cli', 'cli-audited'],
          ['cli.user.create', 'failure', 'operator', 'cli', 'cli-audited'],
        ],
      );
      assert.equal(recs[1]!.details?.error, 'conflict');
      assert.equal(recs[0]!.details?.command, 'idaas user create');
      assert.equal(JSON.stringify(recs).includes(PASSWORD), false, 'no password in the trail');
      const inst = await server.sctx.core.instances.get('cli-audited');
      const v = await verifyInstanceAuditTrail(server.sctx.core, inst.id);
      assert.equal(v.ok, true, JSON.stringify(v.broken));
    });

    test('a write on an instance that does not exist is recorded on the platform chain', async () => {
      const before = (await cliRecords('platform')).length;
      const r = await run(['keys', 'rotate', '--instance', 'no-such-instance']);
      assert.notEqual(r.code, 0);
      const recs = (await cliRecords('platform')).slice(before);
      assert.deepEqual(
        recs.map((v) => [v.action, v.result, v.actor.id, v.details?.instance]),
        [['cli.keys.rotate', 'failure', 'cli', 'no-such-instance']],
      );
    });
  });
}
