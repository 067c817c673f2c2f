// Permissions on every CLI call (issue 6, G5.6), generated from the commands' permission
// tables, both stores, the dispatcher run in this process on a test server's context:
// - every subcommand of every command's usage is in its table (and nothing else is);
// - each subcommand declaring an instance permission is refused (exit 3, one line naming
//   the permission and the instance, audited as denied with that user as the actor) for
//   a platform user holding a custom role with every permission except that one, and is
//   not refused for the account owner (implicitly owner: every permission);
// - platform:operate subcommands are refused to every platform user, account:member
//   subcommands to a member of another account; `none` ones refuse --as as bad input;
// - a subcommand missing from its table is refused to everyone (exit 1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableStoreKinds } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import { INSTANCE_PERMISSIONS, type AuditInput } from '@idaas/core';
import { commands, loadCommand } from './cli.ts';
import { runInvocation } from './invocation.ts';
import type { CliPermission } from './permissions.ts';
import { idaasInProcess, refused, type Run } from './testing.ts';

const PASSWORD = 'a sufficiently long secret 9';

/** Subcommands named by a usage text: `  sub [sub2] …` lines and `usage: idaas cmd sub`. */
function subcommandsOfUsage(usage: string): string[] {
  const out = new Set<string>();
  for (const line of usage.split('\n')) {
    const m =
      /^ {2}([a-z][a-z-]*(?: [a-z][a-z-]*)?)(?= |$)/.exec(line) ??
      /^usage: idaas \S+ ([a-z][a-z-]*)/.exec(line);
    if (m) out.add(m[1]!);
  }
  return [...out];
}

const slug = (p: string) => `all-but-${p.replace(':', '-')}`;

for (const kind of availableStoreKinds()) {
  describe(`CLI permissions on ${kind}`, () => {
    let server: TestServer;
    const audits: AuditInput[] = [];
    const ids = { owner: '', member: '', outsider: '', account: '', app: '', plan: '' };
    const tables = new Map<string, Record<string, CliPermission>>();

    const run = (args: string[], stdin?: string): Promise<Run> =>
      idaasInProcess(server.sctx, args, stdin);
    const ok = async (args: string[]) => {
      const r = await run([...args, '--json']);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };

    // a valid call of each subcommand (flags pass parsing; ids may not exist: the
    // permission check comes first). A table entry without a sample fails the test.
    const samples = (): Record<string, { args: string[]; stdin?: string }> => {
      const i = ['--instance', 'acme'];
      const a = ['--account', ids.account];
      const s = (...args: string[]) => ({ args });
      return {
        'instance create': s('--slug', 'perm-new'),
        'instance list': s(),
        'instance show': s('--slug', 'acme'),
        'user create': s(...i, '--username', 'perm-u', '--password', PASSWORD),
        'user list': s(...i),
        'user mfa list': s(...i, '--user', 'alice'),
        'user mfa reset': s(...i, '--user', 'alice'),
        'client create': s(...i, '--name', 'Perm app', '--grant', 'client_credentials'),
        'client list': s(...i),
        'keys rotate': s(...i),
        'keys list': s(...i),
        'provisioning target set': {
          args: [...i, '--app', ids.app, '--url', 'https://scim.example.test/scim/v2'],
          stdin: 'a-bearer-token\n',
        },
        'provisioning target list': s(...i),
        'provisioning target remove': s(...i, '--app', ids.app),
        'provisioning resync start': s(...i, '--app', 'no-such-app'),
        'provisioning resync status': s(...i, '--app', ids.app),
        'provisioning dead list': s(...i),
        'provisioning dead retry': s(...i, '--id', 'nope'),
        'provisioning dead discard': s(...i, '--id', 'nope'),
        'access list': s(...i),
        'access dry-run': s(...i, '--user', 'alice', '--ip', '203.0.113.5'),
        'audit verify': s(...i),
        'audit export': s(...i),
        'audit checkpoint': s(...i),
        'audit sweep': s(),
        'agreement simulate': s('-'),
        'agreement policies': s(),
        'agreement explain': s('P1'),
        'account create': s('--name', 'Perm Co'),
        'account list': s(),
        'account show': s(...a),
        'plan list': s(),
        'order create': s(...a, '--plan', ids.plan, '--instance-slug', 'perm-order'),
        'order list': s(...a),
        'payment record': s(...a, '--amount', '1.00'),
        'payment list': s(...a),
        'payment ledger': s(...a),
        'clock create': s(),
        'clock advance': s('--clock', 'nope', '--by', '1h'),
        'clock show': s('--clock', 'nope'),
        'notice list': s(...a),
        'ticket open': s(...a, '--subject', 'Perm', '--body', 'Body'),
        'ticket list': s(),
        'ticket reply': s('--id', 'nope', '--body', 'b'),
        'ticket close': s('--id', 'nope'),
        'sla report': s(...i, '--month', '2026-01'),
        'sla maintenance add': s(
          '--starts',
          '2030-01-01T00:00:00Z',
          '--ends',
          '2030-01-01T01:00:00Z',
          '--description',
          'perm',
        ),
        'sla maintenance list': s(),
        'role list': s(...i),
        'role assignments': s(...i),
        'role assign': s(...i, '--user', ids.outsider, '--role', 'auditor'),
        'role revoke': s(...i, '--user', ids.outsider),
        'role create': s(...i, '--name', 'perm-made', '--permission', 'users:read'),
        'role update': s(...i, '--name', 'perm-none', '--description', 'd'),
        'role delete': s(...i, '--name', 'perm-none'),
        start: s(),
        migrate: s(),
      };
    };

    /** Every (command, subcommand, entry) of the tables. */
    const entries = () =>
      [...tables].flatMap(([cmd, t]) =>
        Object.entries(t).map(([sub, entry]) => ({
          name: [cmd, sub].filter(Boolean).join(' '),
          argv: [cmd, ...sub.split(' ').filter(Boolean)],
          entry,
        })),
      );

    before(async () => {
      server = await startTestServer(kind);
      const { sctx } = server;
      const sink = sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        audits.push(e);
        await record(e);
      };
      for (const name of Object.keys(commands))
        tables.set(name, { ...(await loadCommand(name)).permissions });
      const platform = await sctx.core.instances.get('platform');
      const mk = async (username: string) =>
        (await sctx.core.directory.createUser(platform, { username, password: PASSWORD })).id;
      ids.owner = await mk('perm-owner');
      ids.member = await mk('perm-member');
      ids.outsider = await mk('perm-outsider');
      const svc = sctx.business.commerce.service;
      const at = sctx.clock.now();
      const { account } = await svc.createAccount({
        name: 'Acme',
        email: null,
        testClock: false,
        ownerUserId: ids.owner,
        at,
      });
      ids.account = account.id;
      await svc.createAccount({
        name: 'Other',
        email: null,
        testClock: false,
        ownerUserId: ids.outsider,
        at,
      });
      await sctx.store.repos.accountMembers.upsert({
        accountId: account.id,
        userId: ids.member,
        role: 'sub',
        permissions: [],
        createdAt: at,
      });
      const acme = await sctx.core.instances.create({ slug: 'acme', accountId: account.id });
      await sctx.core.directory.createUser(acme, { username: 'alice', password: PASSWORD });
      ids.app = String(
        (
          await ok([
            'client',
            'create',
            '--instance',
            'acme',
            '--name',
            'Perm target',
            '--grant',
            'client_credentials',
          ])
        ).client_id,
      );
      ids.plan = (await svc.plans())[0]!.code;
      // one custom role per permission: every instance permission but that one
      for (const p of INSTANCE_PERMISSIONS)
        await ok([
          'role',
          'create',
          '--instance',
          'acme',
          '--name',
          slug(p),
          ...INSTANCE_PERMISSIONS.filter((q) => q !== p).flatMap((q) => ['--permission', q]),
        ]);
      await ok([
        'role',
        'create',
        '--instance',
        'acme',
        '--name',
        'perm-none',
        '--permission',
        'users:read',
      ]);
    });
    after(async () => {
      await server?.close();
    });

    test('the tables name exactly the subcommands of every usage, each with a sample', async () => {
      const known = samples();
      for (const [cmd, table] of tables) {
        if (cmd === 'start' || cmd === 'migrate') {
          assert.deepEqual(Object.keys(table), [''], `${cmd}: one entry, no subcommand`);
          continue;
        }
        const help = await run([cmd, '--help']);
        assert.equal(help.code, 0, `${cmd} --help: ${help.stderr}`);
        const subs = subcommandsOfUsage(help.stdout).sort();
        assert.ok(subs.length > 0, `${cmd}: usage names subcommands`);
        assert.deepEqual(Object.keys(table).sort(), subs, `${cmd}: table = usage`);
      }
      for (const e of entries()) assert.ok(known[e.name], `no sample call of idaas ${e.name}`);
    });

    test('generated from the tables: each subcommand is refused without its permission', async () => {
      const known = samples();
      const checked: Record<string, number> = {};
      const count = (p: string) => (checked[p] = (checked[p] ?? 0) + 1);
      const expectRefusal = async (
        e: ReturnType<typeof entries>[number],
        who: string,
        re: RegExp,
      ) => {
        const sample = known[e.name]!;
        const n = audits.length;
        const r = await run([...e.argv, ...sample.args, '--as', who], sample.stdin);
        refused(r, re);
        const rec = audits.slice(n).find((x) => x.action === `cli.${e.name.replaceAll(' ', '.')}`);
        assert.ok(rec, `${e.name}: refusal audited`);
        assert.equal(rec.result, 'denied');
        assert.equal(rec.actor.id, who);
        assert.equal(
          audits.slice(n).filter((x) => x.result !== 'denied').length,
          0,
          `${e.name}: nothing else happened`,
        );
      };
      const all = entries();
      for (const p of INSTANCE_PERMISSIONS) {
        const list = all.filter((e) => e.entry.permission === p);
        if (!list.length) continue;
        await ok(['role', 'assign', '--instance', 'acme', '--user', ids.member, '--role', slug(p)]);
        for (const e of list) {
          await expectRefusal(e, ids.member, new RegExp(`requires ${p} on instance acme$`));
          count(p);
        }
        await ok(['role', 'revoke', '--instance', 'acme', '--user', ids.member]);
      }
      for (const e of all.filter((x) => x.entry.permission === 'platform:operate')) {
        for (const who of [ids.owner, ids.member])
          await expectRefusal(e, who, /requires platform:operate \(the operator's\)/);
        count('platform:operate');
      }
      for (const e of all.filter((x) => x.entry.permission === 'account:member')) {
        await expectRefusal(
          e,
          ids.outsider,
          new RegExp(`requires account:member of account ${ids.account}`),
        );
        // a sub-account without the action is refused too, naming it
        await expectRefusal(e, ids.member, /requires account:member \([a-z:]+\)/);
        count('account:member');
      }
      for (const e of all.filter((x) => x.entry.permission === 'none')) {
        const r = await run([...e.argv, ...known[e.name]!.args, '--as', ids.owner]);
        assert.equal(r.code, 2, `${e.name} --as: ${r.stderr}`);
        assert.match(r.stderr, /--as: idaas \S+ takes no identity/);
        count('none');
      }
      // every instance permission some subcommand declares was exercised
      const declared = new Set(all.map((e) => e.entry.permission));
      for (const p of declared) assert.ok(checked[p], `${p} exercised`);
    });

    test('with every permission (the account owner) the same calls pass the check', async () => {
      const known = samples();
      for (const e of entries()) {
        if (e.entry.permission === 'none' || e.entry.permission === 'platform:operate') continue;
        const sample = known[e.name]!;
        const r = await run([...e.argv, ...sample.args, '--as', ids.owner], sample.stdin);
        assert.notEqual(r.code, 3, `${e.name} as the owner: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /forbidden/, e.name);
      }
    });

    test('writes with --as are audited with that user as the actor', async () => {
      const n = audits.length;
      const r = await ok([
        'user',
        'create',
        '--instance',
        'acme',
        '--username',
        'made-as-owner',
        '--password',
        PASSWORD,
        '--as',
        ids.owner,
      ]);
      assert.equal(r.username, 'made-as-owner');
      const rec = audits.slice(n).find((x) => x.action === 'cli.user.create');
      assert.ok(rec);
      assert.equal(rec.result, 'success');
      assert.equal(rec.actor.id, ids.owner);
      assert.equal(JSON.stringify(rec).includes(PASSWORD), false, 'no password in the record');
      // a failed write is audited as a failure, with the actor
      const m = audits.length;
      const dup = await run([
        'user',
        'create',
        '--instance',
        'acme',
        '--username',
        'made-as-owner',
        '--password',
        PASSWORD,
        '--as',
        ids.owner,
      ]);
      assert.equal(dup.code, 2, dup.stderr);
      const fail = audits.slice(m).find((x) => x.action === 'cli.user.create');
      assert.equal(fail?.result, 'failure');
      assert.equal(fail?.actor.id, ids.owner);
      // and the command's own records carry the --as actor too
      const k = audits.length;
      await ok([
        'user',
        'mfa',
        'reset',
        '--instance',
        'acme',
        '--user',
        'alice',
        '--as',
        ids.owner,
      ]);
      const reset = audits.slice(k).find((x) => x.action === 'mfa.reset');
      assert.equal(reset?.actor.id, ids.owner);
    });

    test('bad --as, and a subcommand missing from its table', async () => {
      const bad = await run(['keys', 'list', '--instance', 'acme', '--as']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--as: must be a platform user id/);
      // an unknown user holds nothing
      refused(
        await run(['keys', 'list', '--instance', 'acme', '--as', 'no-such-user']),
        /requires keys:read on instance acme$/,
      );
      // a table without the subcommand: refused to everyone, the operator included
      const keys = await loadCommand('keys');
      let stderr = '';
      const write = process.stderr.write;
      process.stderr.write = ((c: string) => ((stderr += c), true)) as typeof write;
      let code: number;
      try {
        code = await runInvocation(
          { command: 'keys', table: { rotate: keys.permissions.rotate! }, sctx: server.sctx },
          () => keys.run(['list', '--instance', 'acme']),
        );
      } finally {
        process.stderr.write = write;
      }
      assert.equal(code, 1);
      assert.match(stderr, /idaas keys list declares no permission/);
    });
  });
}
