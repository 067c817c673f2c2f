// Outbound provisioning, idaas provisioning idaas: changes made through the SCIM server
// of instance "source" are pushed by durable jobs into the SCIM server of instance
// "dest" of a second idaas (create, update, deactivate, group members, delete), a re-sync, and a target
// that refuses every push ending in the dead-letter list. Both stores.
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
      await src.server.sctx.business.lifecycle.scheduler.sweep(
        null,
        new Date(src.server.sctx.clock.now().getTime() + at + 1000),
      );
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
      // a second server with its own database (on SQLite the job's transaction holds the
      // single writer lock: a target on the same database could not write meanwhile)
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

    it('re-sync pushes what existed before the target (adopting remote users by name)', async () => {
      await src.server.sctx.core.directory.createUser(src.instance, { username: 'old-timer' });
      await dst.req('POST', '/Users', {
        schemas: [U],
        userName: 'old-timer',
        title: 'remote copy',
      });
      const n = await out.resync(src.instance, appId);
      assert.ok(n >= 1);
      await drain();
      const r = await remote('old-timer');
      assert.equal(r!.title, undefined, 'the local version replaced the remote one');
      assert.equal(
        (await dst.req('GET', `/Users?filter=${encodeURIComponent('userName eq "old-timer"')}`))
          .body.totalResults,
        1,
      );
    });

    it('a refusing target: retried with backoff, then in the dead-letter list', async () => {
      await out.setTarget(src.instance, appId, { url: dst.base, token: 'revoked' });
      await src.req('POST', '/Users', { schemas: [U], userName: 'never-there' });
      for (let i = 0; i < 10; i++) await drain(2 * 3_600_000);
      const dead = await out.deadLetters(src.instance);
      assert.equal(dead.length, 1);
      assert.match(dead[0]!.error ?? '', /401/);
      assert.equal(dead[0]!.attempts, 8);
      assert.equal(await remote('never-there'), undefined);
    });
  });
}
