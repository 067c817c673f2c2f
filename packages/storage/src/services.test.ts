// The core use-cases running on real stores (both dialects): instances with their
// data keys and signing keys, the directory, applications with secrets shown once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT, jwtVerify } from 'jose';
import {
  AppError,
  argon2Hasher,
  createCore,
  KeyEncryptionKey,
  ManualClock,
  privateJwk,
  type Core,
  type Instance,
} from '@idaas/core';
import { availableStoreKinds, freshStore, type TestStore } from './testing.ts';

const fieldOf = (e: unknown): string | undefined =>
  e instanceof AppError ? e.issues[0]?.field : undefined;

for (const kind of availableStoreKinds()) {
  describe(`core use-cases on ${kind}`, () => {
    let t: TestStore;
    let core: Core;
    let inst: Instance;
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    before(async () => {
      t = await freshStore(kind);
      const kek = t.kek;
      core = createCore({
        store: t.store,
        clock,
        kek,
        hasher: argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
        keyOverlapSeconds: 3600,
      });
      inst = await core.instances.create({ slug: 'acme', displayName: 'Acme' });
    });
    after(async () => t.dispose());

    test('an instance gets a wrapped data key and ES256 + RS256 signing keys', async () => {
      assert.ok(inst.dataKeyWrapped?.startsWith('v1.'));
      const keys = await core.signingKeys.published(inst);
      assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      for (const k of keys) {
        assert.equal(k.publicJwk.d, undefined, 'public JWK carries no private part');
        assert.ok(!k.privateJwkEncrypted.includes('"d"'), 'private JWK is stored encrypted');
      }
    });

    test('bad instance input names the field and writes nothing', async () => {
      await assert.rejects(
        core.instances.create({ slug: 'Bad Slug' }),
        (e) => fieldOf(e) === 'slug',
      );
      await assert.rejects(
        core.instances.create({ slug: 'acme' }),
        (e) => e instanceof AppError && e.code === 'conflict',
      );
      await assert.rejects(
        core.instances.create({ slug: 'okay', extra: 1 }),
        (e) => e instanceof AppError && e.code === 'validation_failed',
      );
      assert.equal(await core.instances.find('okay'), null);
    });

    test('signing keys decrypt only with the right KEK and instance', async () => {
      const [k] = await core.signingKeys.published(inst);
      const other = createCore({ ...core.deps, kek: new KeyEncryptionKey(randomBytes(32)) });
      assert.throws(() => other.instances.dataKey(inst), /authentication/);
      const jwk = privateJwk(k!, core.instances.dataKey(inst));
      const priv = await importJWK(jwk as never, k!.alg);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: k!.alg, kid: k!.kid })
        .sign(priv);
      await jwtVerify(token, await importJWK(k!.publicJwk as never, k!.alg));
    });

    test('rotation keeps old keys published for the overlap, then drops them', async () => {
      const before = (await core.signingKeys.published(inst)).map((k) => k.kid);
      const { active, retiring } = await core.signingKeys.rotate(inst);
      assert.equal(active.length, 2);
      assert.deepEqual(retiring.map((k) => k.kid).sort(), before.sort());
      const published = await core.signingKeys.published(inst);
      assert.equal(published.length, 4);
      assert.deepEqual(
        published.slice(0, 2).map((k) => k.status),
        ['active', 'active'],
        'newest keys first',
      );
      clock.advance(3600_000);
      assert.deepEqual(
        (await core.signingKeys.published(inst)).map((k) => k.kid).sort(),
        active.map((k) => k.kid).sort(),
      );
      const after = await t.store.repos.instances.get(inst.id);
      assert.ok(after!.configVersion > inst.configVersion, 'rotation bumps the config version');
    });

    test('users: create, authenticate, refuse duplicates, rehash on old parameters', async () => {
      const u = await core.directory.createUser(inst, {
        username: 'alice',
        password: 'correct horse',
        email: 'alice@acme.test',
      });
      assert.ok(u.passwordHash?.startsWith('$argon2id$'));
      assert.equal((await core.directory.authenticate(inst, 'alice', 'correct horse')).ok, true);
      assert.equal(
        (await core.directory.authenticate(inst, 'ALICE@acme.test', 'correct horse')).ok,
        true,
      );
      assert.deepEqual(await core.directory.authenticate(inst, 'alice', 'wrong'), {
        ok: false,
        reason: 'invalid_credentials',
      });
      assert.deepEqual(await core.directory.authenticate(inst, 'nobody', 'x'), {
        ok: false,
        reason: 'invalid_credentials',
      });
      await assert.rejects(
        core.directory.createUser(inst, { username: 'Alice', password: 'another one' }),
        (e) => fieldOf(e) === 'username',
      );
      await assert.rejects(
        core.directory.createUser(inst, { username: 'bob', password: 'short' }),
        (e) => fieldOf(e) === 'password',
      );
      await assert.rejects(
        core.directory.createUser(inst, { username: 'bob', email: 'nope' }),
        (e) => fieldOf(e) === 'email',
      );
      assert.equal(await t.store.repos.users.getByUsername(inst.id, 'bob'), null);

      // a stronger hasher (new parameters) rehashes at the next successful login
      const stronger = createCore({
        ...core.deps,
        hasher: argon2Hasher({ memoryCost: 2048, timeCost: 1, parallelism: 1 }),
      });
      assert.equal(
        (await stronger.directory.authenticate(inst, 'alice', 'correct horse')).ok,
        true,
      );
      const rehashed = await t.store.repos.users.get(inst.id, u.id);
      assert.match(rehashed!.passwordHash!, /m=2048/);
    });

    test('disabled and locked users cannot sign in; only after the password checks out is that said', async () => {
      await core.directory.createUser(inst, {
        username: 'carol',
        password: 'quiet river password',
        status: 'locked',
      });
      assert.deepEqual(await core.directory.authenticate(inst, 'carol', 'wrong'), {
        ok: false,
        reason: 'invalid_credentials',
      });
      assert.deepEqual(await core.directory.authenticate(inst, 'carol', 'quiet river password'), {
        ok: false,
        reason: 'locked',
      });
    });

    test('org units refuse cycles', async () => {
      const a = await core.directory.createOrgUnit(inst, { name: 'A' });
      const b = await core.directory.createOrgUnit(inst, { name: 'B', parentId: a.id });
      const c = await core.directory.createOrgUnit(inst, { name: 'C', parentId: b.id });
      await assert.rejects(
        core.directory.moveOrgUnit(inst, a.id, c.id),
        (e) => fieldOf(e) === 'parentId',
      );
      await assert.rejects(
        core.directory.deleteOrgUnit(inst, a.id),
        (e) => e instanceof AppError && e.code === 'conflict',
      );
      assert.equal((await core.directory.moveOrgUnit(inst, c.id, null)).parentId, null);
    });

    test('org unit update is all-or-nothing; group rename refuses duplicates', async () => {
      const root = await core.directory.createOrgUnit(inst, { name: 'Root' });
      const leaf = await core.directory.createOrgUnit(inst, { name: 'Leaf', parentId: root.id });
      await assert.rejects(
        core.directory.updateOrgUnit(inst, root.id, { name: 'Renamed', parentId: leaf.id }),
        (e) => fieldOf(e) === 'parentId',
      );
      assert.equal(
        (await core.directory.getOrgUnit(inst, root.id)).name,
        'Root',
        'the rename did not happen either',
      );
      const both = await core.directory.updateOrgUnit(inst, leaf.id, {
        name: 'Top',
        parentId: null,
      });
      assert.deepEqual([both.name, both.parentId], ['Top', null]);
      const u = await core.directory.createUser(inst, { username: 'ou-member' });
      await core.directory.addOrgUnitMember(inst, root.id, u.id);
      assert.deepEqual(
        (await core.directory.orgUnitMembers(inst, root.id, { limit: 10 })).items.map(
          (x) => x.username,
        ),
        ['ou-member'],
      );
      await core.directory.createGroup(inst, { name: 'ops' });
      const dev = await core.directory.createGroup(inst, { name: 'dev' });
      await assert.rejects(
        core.directory.updateGroup(inst, dev.id, { name: 'OPS' }),
        (e) => fieldOf(e) === 'name',
      );
      assert.equal(
        (await core.directory.updateGroup(inst, dev.id, { name: 'Dev', description: 'devs' }))
          .description,
        'devs',
      );
    });

    test('applications: secret returned once, stored encrypted; invalid redirect URIs named', async () => {
      const { application, clientSecret } = await core.applications.create(inst, {
        name: 'Web',
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: ['https://app.acme.test/cb'],
      });
      assert.ok(clientSecret && clientSecret.length >= 40);
      assert.ok(!application.secretEncrypted!.includes(clientSecret));
      assert.equal(core.applications.secretOf(inst, application), clientSecret);
      const pub = await core.applications.create(inst, {
        name: 'SPA',
        public: true,
        grantTypes: ['authorization_code'],
        redirectUris: ['http://localhost:5173/cb'],
      });
      assert.equal(pub.clientSecret, null);
      await assert.rejects(
        core.applications.create(inst, {
          name: 'Bad',
          grantTypes: ['authorization_code'],
          redirectUris: ['https://ok.test/cb', 'http://evil.test/cb'],
        }),
        (e) => fieldOf(e) === 'redirectUris[1]',
      );
      await assert.rejects(
        core.applications.create(inst, {
          name: 'Bad',
          grantTypes: ['authorization_code'],
          redirectUris: ['https://x.test/#frag'],
        }),
        (e) => fieldOf(e) === 'redirectUris[0]',
      );
      await assert.rejects(
        core.applications.create(inst, { name: 'Bad', grantTypes: ['authorization_code'] }),
        (e) => fieldOf(e) === 'redirectUris',
      );
      await assert.rejects(
        core.applications.create(inst, {
          name: 'Bad',
          public: true,
          grantTypes: ['client_credentials'],
        }),
        (e) => fieldOf(e) === 'grantTypes',
      );
      await assert.rejects(
        core.applications.create(inst, { name: 'Bad', grantTypes: ['password'] }),
        (e) => fieldOf(e) === 'grantTypes[0]',
      );
      const dev = await core.applications.create(inst, {
        name: 'TV',
        grantTypes: ['device_code', 'refresh_token'],
        public: true,
      });
      assert.deepEqual(dev.application.grantTypes, [
        'urn:ietf:params:oauth:grant-type:device_code',
        'refresh_token',
      ]);
      const rotated = await core.applications.rotateSecret(inst, application.id);
      assert.notEqual(rotated.clientSecret, clientSecret);
      assert.equal(core.applications.secretOf(inst, rotated.application), rotated.clientSecret);
    });
  });
}
