// Outbound provisioning, idaas provisioning idaas: changes made through the SCIM server
// of instance "source" — and through the directory service (admin API, CLI, console) — are
// pushed by durable jobs into the SCIM server of instance "dest" (create, update,
// deactivate, group members, delete), a re-sync with its progress, and a target that
// refuses every push ending in the dead-letter list (retried, discarded). Both stores.
// A second suite runs source and target on ONE server and ONE database: on SQLite a push
// that held the job's write transaction during its HTTP call would deadlock there.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { availableStoreKinds } from '@idaas/storage';
import { Outbound } from './outbound.ts';
import { scimClient, type ScimClient } from './testing.ts';

const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
const G = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

for (const kind of availableStoreKinds()) {
  describe(`SCIM outbound provisioning (${kind})`, () => {
    let src: ScimClient;
    let dst: ScimClient;
    let out: Outbound;
    let appId: string;
    let at = 0;
    // run due jobs now (the background loop would too), later for retries
    const drain = async (aheadMs = 0) => {
      at += aheadMs;
      for (let i = 0; i < 5; i++) {
        await src.server.sctx.business.lifecycle.scheduler.sweep(
          null,
          new Date(src.server.sctx.clock.now().getTime() + at + 1000),
        );
        await Outbound.settled(src.server.sctx);
      }
    };
    const remote = async (userName: string) => {
      const r = await dst.req(
        'GET',
        `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
      );
      return r.body.Resources[0] as Record<string, unknown> | undefined;
    };

    before(async () => {
      src = await scimClient(kind, 'source');
      dst = await scimClient(kind, 'dest');
      out = new Outbound(src.server.sctx);
      const app = await src.server.sctx.core.applications.create(src.instance, {
        name: 'Downstream app',
        grantTypes: ['client_credentials'],
        scopes: ['scim'],
      });
      appId = app.application.id;
      await out.setTarget(src.instance, appId, { url: dst.base, token: dst.token });
    });
    after(async () => {
      await src?.server.close();
      await dst?.server.close();
    });

    it('create, update, deactivate, group members, delete reach the target', async () => {
      const u = await src.req('POST', '/Users', {
        schemas: [U],
        userName: 'pushed',
        name: { givenName: 'Push' },
        emails: [{ value: 'pushed@example.test', primary: true }],
      });
      assert.equal(u.status, 201);
      await drain();
      const r1 = await remote('pushed');
      assert.ok(r1, 'created remotely');
      assert.equal(r1.externalId, u.body.id);
      assert.deepEqual(r1.name, { givenName: 'Push' });
      await src.req('PATCH', `/Users/${u.body.id}`, {
        schemas: [P],
        Operations: [{ op: 'replace', value: { active: false, title: 'Gone fishing' } }],
      });
      await drain();
      const r2 = await remote('pushed');
      assert.equal(r2!.active, false);
      assert.equal(r2!.title, 'Gone fishing');
      assert.equal(r2!.id, r1.id, 'the same remote user');
      const g = await src.req('POST', '/Groups', {
        schemas: [G],
        displayName: 'Pushers',
        members: [{ value: u.body.id }],
      });
      await drain();
      const rg = await dst.req(
        'GET',
        `/Groups?filter=${encodeURIComponent('displayName eq "Pushers"')}`,
      );
      assert.equal(rg.body.totalResults, 1);
      assert.deepEqual(
        rg.body.Resources[0].members.map((m: { value: string }) => m.value),
        [r1.id],
      );
      await src.req('DELETE', `/Groups/${g.body.id}`);
      await src.req('DELETE', `/Users/${u.body.id}`);
      await drain();
      assert.equal(await remote('pushed'), undefined);
      assert.equal((await dst.req('GET', '/Groups')).body.totalResults, 0);
    });

    it('changes through the directory service (admin API, CLI, console) reach the target', async () => {
      const dir = src.server.sctx.core.directory;
      const u = await dir.createUser(src.instance, {
        username: 'console-made',
        email: 'c@example.test',
      });
      const g = await dir.createGroup(src.instance, { name: 'Console group' });
      await dir.addGroupMember(src.instance, g.id, u.id);
      await drain();
      const r1 = await remote('console-made');
      assert.ok(r1, 'created remotely');
      const rg = async () =>
        (
          await dst.req(
            'GET',
            `/Groups?filter=${encodeURIComponent('displayName eq "Console group"')}`,
          )
        ).body.Resources[0];
      assert.deepEqual(
        (await rg()).members.map((m: { value: string }) => m.value),
        [r1.id],
      );
      await dir.updateUser(src.instance, u.id, { status: 'disabled', displayName: 'Off' });
      await dir.removeGroupMember(src.instance, g.id, u.id);
      await drain();
      assert.equal((await remote('console-made'))!.active, false);
      assert.equal((await remote('console-made'))!.displayName, 'Off');
      assert.equal((await rg()).members, undefined, 'membership removed remotely');
      await dir.deleteGroup(src.instance, g.id);
      await dir.deleteUser(src.instance, u.id);
      await drain();
      assert.equal(await remote('console-made'), undefined);
      assert.equal(await rg(), undefined);
    });

    it('re-sync pushes what existed before the target (adopting remote users by name)', async () => {
      await out.removeTarget(src.instance, appId);
      await src.server.sctx.core.directory.createUser(src.instance, { username: 'old-timer' });
      await drain();
      assert.equal(await remote('old-timer'), undefined, 'no target: nothing pushed');
      await out.setTarget(src.instance, appId, { url: dst.base, token: dst.token });
      await dst.req('POST', '/Users', {
        schemas: [U],
        userName: 'old-timer',
        title: 'remote copy',
      });
      const rs = await out.resync(src.instance, appId);
      assert.ok(rs.total >= 1);
      await drain();
      const r = await remote('old-timer');
      assert.equal(r!.title, undefined, 'the local version replaced the remote one');
      assert.equal(
        (await dst.req('GET', `/Users?filter=${encodeURIComponent('userName eq "old-timer"')}`))
          .body.totalResults,
        1,
      );
      const [progress] = await out.resyncs(src.instance, appId);
      assert.equal(progress!.id, rs.id);
      assert.equal(progress!.done, rs.total);
      assert.equal(progress!.failed, 0);
    });

    it('a refusing target: retried with backoff, then dead; retry and discard', async () => {
      await out.setTarget(src.instance, appId, { url: dst.base, token: 'revoked' });
      await src.req('POST', '/Users', { schemas: [U], userName: 'never-there' });
      for (let i = 0; i < 10; i++) await drain(2 * 3_600_000);
      const dead = await out.deadLetters(src.instance);
      assert.equal(dead.length, 1);
      assert.match(dead[0]!.error, /401/);
      assert.doesNotMatch(dead[0]!.error, /revoked/, 'no token in the error');
      assert.equal(dead[0]!.attempts, 8);
      assert.equal(dead[0]!.kind, 'User');
      assert.equal(await remote('never-there'), undefined);
      // the target is fixed: a retry delivers it and empties the list
      await out.setTarget(src.instance, appId, { url: dst.base, token: dst.token });
      await out.retryDead(src.instance, dead[0]!.id);
      assert.deepEqual(await out.deadLetters(src.instance), []);
      await drain();
      assert.ok(await remote('never-there'));
      // broken again: a new dead letter, discarded
      await out.setTarget(src.instance, appId, { url: dst.base, token: 'revoked' });
      await src.server.sctx.core.directory.createUser(src.instance, { username: 'doomed' });
      for (let i = 0; i < 10; i++) await drain(2 * 3_600_000);
      const [d2] = await out.deadLetters(src.instance);
      await out.discardDead(src.instance, d2!.id);
      assert.deepEqual(await out.deadLetters(src.instance), []);
      await assert.rejects(out.discardDead(src.instance, d2!.id), /no dead letter/);
    });
  });

  describe(`SCIM outbound to an instance of the same server and database (${kind})`, () => {
    let src: ScimClient;
    let dst: ScimClient;
    after(async () => {
      await src?.server.close();
    });

    it('pushes without deadlocking (the HTTP call holds no transaction)', async () => {
      src = await scimClient(kind, 'same-source');
      dst = await scimClient(kind, 'same-dest', src.server);
      const sctx = src.server.sctx;
      const out = new Outbound(sctx);
      const app = await sctx.core.applications.create(src.instance, {
        name: 'Same-database app',
        grantTypes: ['client_credentials'],
        scopes: ['scim'],
      });
      await out.setTarget(src.instance, app.application.id, { url: dst.base, token: dst.token });
      const g = await sctx.core.directory.createGroup(src.instance, { name: 'Same' });
      for (const name of ['one', 'two', 'three']) {
        const u = await sctx.core.directory.createUser(src.instance, { username: name });
        await sctx.core.directory.addGroupMember(src.instance, g.id, u.id);
      }
      for (let i = 0; i < 5; i++) {
        await sctx.business.lifecycle.scheduler.sweep(
          null,
          new Date(sctx.clock.now().getTime() + 1000),
        );
        await Outbound.settled(sctx);
      }
      const users = await dst.req('GET', '/Users');
      assert.deepEqual(users.body.Resources.map((u: { userName: string }) => u.userName).sort(), [
        'one',
        'three',
        'two',
      ]);
      const groups = await dst.req('GET', '/Groups');
      assert.equal(groups.body.Resources[0].members.length, 3);
      assert.deepEqual(await out.deadLetters(src.instance), []);
    });
  });
}
