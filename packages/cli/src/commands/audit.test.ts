// `idaas audit …` through the real launcher, on the store of a running test server:
// verify passes on an intact chain and, after the database is edited, exits 1 naming the
// first broken record; export writes JSON Lines and CSV; checkpoint signs the head.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { availableStoreKinds, type OpenedStore } from '@idaas/storage';
import { startTestServer, type TestServer } from '@idaas/server';
import type { Instance } from '@idaas/core';
import { idaas, badInput } from '../testing.ts';

for (const kind of availableStoreKinds()) {
  describe(`idaas audit on ${kind}`, () => {
    let server: TestServer;
    let env: Record<string, string>;
    let inst: Instance;
    const exec = (q: ReturnType<typeof sql>) => q.execute((server.sctx.store as OpenedStore).db);
    const seed = async (slug: string, n: number) => {
      const i = await server.sctx.core.instances.create({ slug });
      await Promise.all(
        Array.from({ length: n }, (_, k) =>
          server.sctx.audit.record({
            instanceId: i.id,
            actor: { type: 'admin', id: 'adm-1' },
            action: k % 2 ? 'user.update' : 'login.failed',
            target: { type: 'user', id: `usr-${k}` },
            result: k % 2 ? 'success' : 'failure',
            ip: '198.51.100.4',
            userAgent: 'cli-test',
            host: 'id.example.test',
          }),
        ),
      );
      return i;
    };
    const verify = (slug: string) => idaas(['audit', 'verify', '--instance', slug], env);

    before(async () => {
      server = await startTestServer(kind);
      env = { DATABASE_URL: server.databaseUrl, IDAAS_KEK: server.kek };
      inst = await seed('cli-audit', 25);
    });
    after(async () => {
      await server?.close();
    });

    test('verify: intact chain → exit 0; --json reports the records checked', async () => {
      const r = await verify('cli-audit');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /audit trail of cli-audit: intact \(25 records 1–25/);
      const j = await idaas(['audit', 'verify', '--instance', 'cli-audit', '--json'], env);
      assert.equal(j.code, 0, j.stderr);
      const out = JSON.parse(j.stdout) as { ok: boolean; checked: number; broken: unknown };
      assert.deepEqual([out.ok, out.checked, out.broken], [true, 25, null]);
    });

    test('checkpoint signs the head; a second one is not needed', async () => {
      const r = await idaas(['audit', 'checkpoint', '--instance', 'cli-audit', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const c = JSON.parse(r.stdout) as { created: boolean; seq: number; jws: string };
      assert.equal(c.created, true);
      assert.equal(c.seq, 25);
      assert.equal(c.jws.split('.').length, 3);
      const again = await idaas(['audit', 'checkpoint', '--instance', 'cli-audit'], env);
      assert.match(again.stdout, /no checkpoint needed/);
    });

    test('export: JSON Lines parse, CSV has a header and one row per record', async () => {
      const jl = await idaas(['audit', 'export', '--instance', 'cli-audit'], env);
      assert.equal(jl.code, 0, jl.stderr);
      const lines = jl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { seq: number; ip: string });
      assert.deepEqual(
        lines.map((l) => l.seq),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      assert.equal(lines[0]!.ip, '198.51.100.4');
      const csv = await idaas(
        ['audit', 'export', '--instance', 'cli-audit', '--format', 'csv'],
        env,
      );
      assert.equal(csv.code, 0, csv.stderr);
      const rows = csv.stdout.trimEnd().split('\r\n');
      assert.equal(rows.length, 26);
      assert.ok(rows[0]!.startsWith('seq,id,at,'));
    });

    test('an edited row: exit 1 naming seq, id and the reason', async () => {
      const i = await seed('cli-edit', 12);
      const [row] = await server.sctx.store.repos.audit.scan(i.id, 6, 1);
      await exec(
        sql`update audit_records set result = 'success' where instance_id = ${i.id} and seq = 7`,
      );
      const r = await verify('cli-edit');
      assert.equal(r.code, 1);
      assert.equal(
        r.stdout.trim(),
        `audit trail of cli-edit: BROKEN at seq 7 (id ${row!.id}): hash mismatch: the record was altered (or its hash column was)`,
      );
    });

    test('a deleted middle row, a truncated tail, swapped rows: each named', async () => {
      const del = await seed('cli-delete', 12);
      const [r6] = await server.sctx.store.repos.audit.scan(del.id, 5, 1);
      await exec(sql`delete from audit_records where instance_id = ${del.id} and seq = 5`);
      let r = await verify('cli-delete');
      assert.equal(r.code, 1);
      assert.match(
        r.stdout,
        new RegExp(
          `BROKEN at seq 6 \\(id ${r6!.id}\\): the previous record \\(seq 5\\) is missing`,
        ),
      );

      const cut = await seed('cli-truncate', 12);
      await exec(sql`delete from audit_records where instance_id = ${cut.id} and seq > 10`);
      r = await verify('cli-truncate');
      assert.equal(r.code, 1);
      assert.match(r.stdout, /BROKEN at seq 11 .*stored records end at seq 10 .*seq 12/);

      const swap = await seed('cli-swap', 12);
      const [s3] = await server.sctx.store.repos.audit.scan(swap.id, 3, 1);
      await exec(sql`update audit_records set seq = -1 where instance_id = ${swap.id} and seq = 3`);
      await exec(sql`update audit_records set seq = 3 where instance_id = ${swap.id} and seq = 4`);
      await exec(sql`update audit_records set seq = 4 where instance_id = ${swap.id} and seq = -1`);
      r = await verify('cli-swap');
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`BROKEN at seq 3 \\(id ${s3!.id}\\): hash mismatch`));
      // the intact instance is unaffected
      assert.equal((await verify(inst.slug)).code, 0);
    });

    test('bad input → exit 2 with one line naming the flag', async () => {
      badInput(await idaas(['audit', 'verify'], env), /--instance: is required/);
      badInput(
        await idaas(['audit', 'verify', '--instance', 'nope'], env),
        /--instance: no instance "nope"/,
      );
      badInput(
        await idaas(['audit', 'export', '--instance', 'cli-audit', '--format', 'xml'], env),
        /--format: must be jsonl or csv/,
      );
      badInput(
        await idaas(['audit', 'export', '--instance', 'cli-audit', '--from', 'yesterday'], env),
        /--from: must be an RFC 3339 instant/,
      );
      badInput(
        await idaas(['audit', 'shred', '--instance', 'cli-audit'], env),
        /unknown subcommand "shred"/,
      );
    });

    test('--help', async () => {
      const r = await idaas(['audit', '--help'], env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /verify --instance S/);
    });
  });
}
