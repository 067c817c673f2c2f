// `idaas access …` through the real launcher, on the store of a running test server
// whose policies were made through the admin API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startApi, type ApiHarness } from '@idaas/server/api/fixtures';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas access on ${kind}`, () => {
    let h: ApiHarness;
    let env: Record<string, string>;
    let clientId: string;
    let denyId: string;
    before(async () => {
      h = await startApi(kind);
      env = { DATABASE_URL: h.server.databaseUrl, IDAAS_KEK: h.server.kek };
      const S = '/instances/default';
      const u = await h.api('POST', `${S}/users`, {
        username: 'bob',
        password: 'correct horse battery staple 9',
      });
      assert.equal(u.status, 201, JSON.stringify(u.body));
      const a = await h.api('POST', `${S}/applications`, {
        name: 'web',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://app.example/cb'],
      });
      clientId = String(a.json.client_id);
      const deny = await h.api('POST', `${S}/access-policies`, {
        name: 'lab network',
        decision: 'deny',
        conditions: { networks: ['10.66.0.0/16'], applications: [{ kind: 'oidc', id: clientId }] },
      });
      assert.equal(deny.status, 201, JSON.stringify(deny.body));
      denyId = String(deny.json.id);
      await h.api('POST', `${S}/access-policies`, {
        name: 'new devices',
        decision: 'mfa',
        conditions: { device: 'new' },
      });
    });
    after(async () => {
      await h?.close();
    });

    test('list: policies in priority order and the default', async () => {
      const r = await idaas(['access', 'list', '--instance', 'default'], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(
        lines[0]!,
        /^\s+10\s+deny\s+enabled\s+"lab network"\s+apps=oidc:\S+ networks=10\.66\.0\.0\/16/,
      );
      assert.match(lines[1]!, /^\s+20\s+mfa\s+enabled\s+"new devices"\s+device=new/);
      assert.equal(lines[2], 'default: allow');
      const j = await idaas(['access', 'list', '--instance', 'default', '--json'], env);
      const out = JSON.parse(j.stdout) as { items: { id: string }[]; default_decision: string };
      assert.equal(out.items[0]!.id, denyId);
      assert.equal(out.default_decision, 'allow');
    });

    test('dry-run: the deciding policy and the explanation', async () => {
      const r = await idaas(
        [
          'access',
          'dry-run',
          '--instance',
          'default',
          '--user',
          'bob',
          '--app',
          clientId,
          '--ip',
          '10.66.1.2',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^decision: deny \(policy "lab network", priority 10\)/);
      assert.match(
        r.stdout,
        /matched — application oidc:\S+ is included; any user; IP 10\.66\.1\.2 is in network 10\.66\.0\.0\/16; any device/,
      );
      const other = await idaas(
        [
          'access',
          'dry-run',
          '--instance',
          'default',
          '--user',
          'bob',
          '--app',
          clientId,
          '--ip',
          '192.0.2.1',
          '--new-device',
          '--json',
        ],
        env,
      );
      assert.equal(other.code, 0, other.stderr);
      const j = JSON.parse(other.stdout) as {
        decision: string;
        policy: { name: string };
        facts: { device: string };
      };
      assert.equal(j.decision, 'mfa');
      assert.equal(j.policy.name, 'new devices');
      assert.equal(j.facts.device, 'new');
      const known = await idaas(
        ['access', 'dry-run', '--instance', 'default', '--user', 'bob', '--ip', '2001:db8::1'],
        env,
      );
      assert.match(known.stdout, /^decision: allow \(instance default\)/);
    });

    test('bad input → exit 2 with one line naming the flag', async () => {
      const base = ['access', 'dry-run', '--instance', 'default'];
      badInput(await idaas([...base, '--user', 'bob'], env), /--ip: is required/);
      badInput(await idaas([...base, '--ip', '10.0.0.1'], env), /--user: is required/);
      badInput(
        await idaas([...base, '--user', 'nobody', '--ip', '10.0.0.1'], env),
        /^idaas: --user: no user/,
      );
      badInput(
        await idaas([...base, '--user', 'bob', '--ip', '10.0.0.999'], env),
        /^idaas: --ip: must be an IPv4 or IPv6/,
      );
      badInput(
        await idaas([...base, '--user', 'bob', '--ip', '10.0.0.1', '--app', 'nope'], env),
        /^idaas: --app: no OIDC application/,
      );
      badInput(
        await idaas(
          [...base, '--user', 'bob', '--ip', '10.0.0.1', '--app', 'x', '--app-kind', 'ldap'],
          env,
        ),
        /--app-kind: must be oidc or saml/,
      );
      badInput(
        await idaas(['access', 'list', '--instance', 'nope'], env),
        /--instance: no instance "nope"/,
      );
      badInput(
        await idaas(['access', 'explain', '--instance', 'default'], env),
        /unknown subcommand "explain"/,
      );
    });

    test('--help', async () => {
      const r = await idaas(['access', '--help'], env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /dry-run --instance S --user U --ip IP/);
    });
  });
}
