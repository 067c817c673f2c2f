// `idaas user mfa list|reset` through the real launcher, on the store of a running test
// server: no secret is printed, one factor or all of them (and the recovery codes) are
// removed, each reset is in the audit trail as the operator, bad input changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId, type Instance, type MfaFactor, type User } from '@idaas/core';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas user mfa on ${kind}`, () => {
    let server: TestServer;
    let env: Record<string, string>;
    let inst: Instance;
    let user: User;
    let other: User;
    const SECRET_SEALED = 'sealed-totp-secret-do-not-print';

    const factor = (u: User, kind: MfaFactor['kind'], name: string): MfaFactor => ({
      instanceId: inst.id,
      id: newId(server.sctx.clock),
      userId: u.id,
      kind,
      name,
      secretEncrypted: kind === 'totp' ? SECRET_SEALED : null,
      credentialId: kind === 'webauthn' ? 'Y3JlZGVudGlhbA' : null,
      publicKey: kind === 'webauthn' ? 'cHVibGljLWtleQ' : null,
      counter: 0,
      transports: [],
      deviceType: kind === 'webauthn' ? 'singleDevice' : null,
      backedUp: false,
      lastUsedStep: null,
      createdAt: server.sctx.clock.now(),
      lastUsedAt: null,
    });

    before(async () => {
      server = await startTestServer(kind);
      env = { DATABASE_URL: server.databaseUrl, IDAAS_KEK: server.kek };
      inst = await server.sctx.core.instances.get('default');
      user = await server.sctx.core.directory.createUser(inst, {
        username: 'mona',
        password: 'a long enough passphrase',
      });
      other = await server.sctx.core.directory.createUser(inst, {
        username: 'otto',
        password: 'a long enough passphrase',
      });
      const repos = server.sctx.store.repos;
      for (const f of [
        factor(user, 'totp', 'Phone'),
        factor(user, 'webauthn', 'YubiKey'),
        factor(other, 'totp', 'Otto phone'),
      ])
        await repos.mfaFactors.insert(f);
      const at = server.sctx.clock.now();
      await repos.mfaRecoveryCodes.replace(inst.id, user.id, ['h1', 'h2', 'h3'], at);
      await repos.mfaRecoveryCodes.replace(inst.id, other.id, ['h4'], at);
    });
    after(async () => {
      await server?.close();
    });

    type Status = {
      user_id: string;
      items: { id: string; kind: string; name: string }[];
      recovery_codes_remaining: number;
    };
    const list = async (ref: string): Promise<Status> => {
      const r = await idaas(
        ['user', 'mfa', 'list', '--instance', 'default', '--user', ref, '--json'],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(SECRET_SEALED) && !r.stdout.includes('cHVibGljLWtleQ'));
      return JSON.parse(r.stdout) as Status;
    };
    const resets = async (userId: string) =>
      (
        await server.sctx.store.repos.audit.query(
          inst.id,
          { action: 'mfa.reset', targetId: userId },
          { order: 'asc', limit: 50 },
        )
      ).map((r) => ({ actor: r.actor, result: r.result, details: r.details }));

    test('list by username or id: kinds, labels and recovery codes left, no secrets', async () => {
      const byName = await list('mona');
      assert.equal(byName.user_id, user.id);
      assert.deepEqual(byName.items.map((f) => `${f.kind}:${f.name}`).sort(), [
        'totp:Phone',
        'webauthn:YubiKey',
      ]);
      assert.equal(byName.recovery_codes_remaining, 3);
      assert.deepEqual(await list(user.id), byName);
      const human = await idaas(
        ['user', 'mfa', 'list', '--instance', 'default', '--user', 'mona'],
        env,
      );
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /totp {2}Phone/);
      assert.match(human.stdout, /recovery codes remaining: 3/);
    });

    test('bad input → exit 2 naming the flag; nothing removed, nothing audited', async () => {
      const base = ['user', 'mfa', 'reset', '--instance', 'default'];
      badInput(await idaas(base, env), /--user: is required/);
      badInput(await idaas([...base, '--user', 'nobody'], env), /--user: no user "nobody"/);
      badInput(
        await idaas(['user', 'mfa', 'reset', '--instance', 'nope', '--user', 'mona'], env),
        /--instance: no instance "nope"/,
      );
      // another user's factor is not this user's
      const ottoFactor = (await list('otto')).items[0]!.id;
      badInput(
        await idaas([...base, '--user', 'mona', '--factor', ottoFactor], env),
        /--factor: no factor/,
      );
      badInput(
        await idaas(
          ['user', 'mfa', 'list', '--instance', 'default', '--user', 'mona', '--factor', 'x'],
          env,
        ),
        /--factor: only with reset/,
      );
      badInput(await idaas(['user', 'mfa', 'wipe', '--instance', 'default'], env), /wipe/);
      assert.equal((await list('mona')).items.length, 2);
      assert.equal((await list('otto')).items.length, 1);
      assert.deepEqual(await resets(user.id), []);
    });

    test('reset --factor removes that factor only; audited as the operator', async () => {
      const webauthn = (await list('mona')).items.find((f) => f.kind === 'webauthn')!;
      const r = await idaas(
        [
          'user',
          'mfa',
          'reset',
          '--instance',
          'default',
          '--user',
          'mona',
          '--factor',
          webauthn.id,
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /removed webauthn factor/);
      const after = await list('mona');
      assert.deepEqual(
        after.items.map((f) => f.kind),
        ['totp'],
      );
      assert.equal(after.recovery_codes_remaining, 3, 'a factor is left: codes stay');
      assert.deepEqual(await resets(user.id), [
        {
          actor: { type: 'operator', id: 'cli', onBehalfOf: null },
          result: 'success',
          details: { via: 'cli', factor: 'webauthn', factorId: webauthn.id },
        },
      ]);
    });

    test('reset removes every factor and the recovery codes of that user only', async () => {
      const r = await idaas(
        ['user', 'mfa', 'reset', '--instance', 'default', '--user', user.id, '--json'],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { user_id: user.id, factors_removed: 1 });
      const after = await list('mona');
      assert.deepEqual(after.items, []);
      assert.equal(after.recovery_codes_remaining, 0);
      const audited = await resets(user.id);
      assert.equal(audited.length, 2);
      assert.deepEqual(audited[1], {
        actor: { type: 'operator', id: 'cli', onBehalfOf: null },
        result: 'success',
        details: { via: 'cli', factors: 1 },
      });
      const otto = await list('otto');
      assert.equal(otto.items.length, 1);
      assert.equal(otto.recovery_codes_remaining, 1);
    });

    test('--help names the mfa subcommands', async () => {
      const r = await idaas(['user', '--help'], env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /mfa list --instance S --user U/);
      assert.match(r.stdout, /mfa reset --instance S --user U \[--factor F\]/);
    });
  });
}
