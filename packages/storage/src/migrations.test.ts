// Migrations: replayed one at a time over fixture data of each earlier version, on
// every dialect; the data must read back through the repos afterwards. Also: several
// processes migrating at once apply each migration exactly once (the migration lock).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyEncryptionKey } from '@idaas/core';
import { migrationNames } from './migrations/index.ts';
import { newMigrator, withPgMigrationLock } from './store.ts';
import { availableStoreKinds, freshDatabaseUrl, freshStore } from './testing.ts';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const cli = new URL('../../cli/bin/idaas.mjs', import.meta.url).pathname;

type Fixture = (kek: KeyEncryptionKey) => {
  vault: Record<string, string>;
  rows: Record<string, Record<string, unknown>[]>;
};
const fixtures: Record<string, () => Promise<{ fixture: Fixture }>> = {
  '0001_init': () => import('./migrations/fixtures/0001_init.ts'),
  '0002_business': () => import('./migrations/fixtures/0002_business.ts'),
  '0003_saml': () => import('./migrations/fixtures/0003_saml.ts'),
  '0004_scim': () => import('./migrations/fixtures/0004_scim.ts'),
  '0005_audit': () => import('./migrations/fixtures/0005_audit.ts'),
  '0006_roles': () => import('./migrations/fixtures/0006_roles.ts'),
  '0007_mfa': () => import('./migrations/fixtures/0007_mfa.ts'),
  '0008_passwords': () => import('./migrations/fixtures/0008_passwords.ts'),
  '0009_access_policies': () => import('./migrations/fixtures/0009_access_policies.ts'),
  '0010_issue5': () => import('./migrations/fixtures/0010_issue5.ts'),
  '0011_branding': () => import('./migrations/fixtures/0011_branding.ts'),
  '0012_audit_keys': () => import('./migrations/fixtures/0012_audit_keys.ts'),
};

for (const kind of availableStoreKinds()) {
  describe(`migrations on ${kind}`, () => {
    test('replay over fixture data of every version', async () => {
      const t = await freshStore(kind, { migrate: false });
      try {
        const migrateTo = (name: string) => {
          const step = (db: typeof t.store.db) =>
            newMigrator(db, t.store.dialect, t.store.pgSchema).migrateTo(name);
          return t.store.dialect === 'postgres'
            ? withPgMigrationLock(t.store.db, step)
            : step(t.store.db);
        };
        for (const name of migrationNames) {
          const { error } = await migrateTo(name);
          assert.equal(error, undefined);
          const fixture = fixtures[name];
          assert.ok(fixture, `migration ${name} needs a fixture in migrations/fixtures/`);
          const data = (await fixture()).fixture(t.kek);
          for (const [id, wrapped] of Object.entries(data.vault))
            await t.store.vault.put(id, wrapped);
          for (const [table, rows] of Object.entries(data.rows)) {
            for (const row of rows)
              await t.store.db
                .insertInto(table as never)
                .values(row as never)
                .execute();
          }
        }
        assert.deepEqual(await t.store.migrate(), [], 'nothing left to apply');
        const inst = await t.store.repos.instances.getBySlug('fixture');
        assert.equal(inst?.configVersion, 3);
        const user = await t.store.repos.users.getByUsername('ins-1', 'FIXTURE.USER');
        assert.equal(user?.emailVerified, true);
        assert.equal(user?.displayName, 'Fixture User');
        assert.deepEqual(await t.store.repos.users.groupNames('ins-1', 'usr-1'), ['Staff']);
        assert.equal(
          (await t.store.repos.oidc.findByUid('ins-1', 'uid-1'))?.payload.accountId,
          'usr-1',
        );
      } finally {
        await t.dispose();
      }
    });

    test('several processes starting at once apply each migration exactly once', async () => {
      const { url, drop } = await freshDatabaseUrl(kind);
      try {
        const env = {
          ...process.env,
          DATABASE_URL: url,
          IDAAS_KEK: randomBytes(32).toString('base64'),
        };
        const runs = await Promise.all(
          [1, 2, 3].map(() => execFileP(process.execPath, [cli, 'migrate', '--json'], { env })),
        );
        const applied = runs.flatMap((r) => JSON.parse(r.stdout).applied as string[]);
        assert.deepEqual(applied.sort(), [...migrationNames].sort());
      } finally {
        await drop();
      }
    });
  });
}
