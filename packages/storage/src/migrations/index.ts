import { sql, type Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001_init.ts';
import * as m0002 from './0002_business.ts';
import * as m0003 from './0003_saml.ts';
import * as m0004 from './0004_scim.ts';
import * as m0005 from './0005_audit.ts';
import * as m0006 from './0006_roles.ts';
import * as m0007 from './0007_mfa.ts';
import * as m0008 from './0008_passwords.ts';
import * as m0009 from './0009_access_policies.ts';
import * as m0010 from './0010_issue5.ts';
import * as m0011 from './0011_branding.ts';
import * as m0012audit from './0012_audit_keys.ts';

export type Dialect = 'sqlite' | 'postgres';

const all: Record<string, Record<Dialect, string[]>> = {
  '0001_init': m0001,
  '0002_business': m0002,
  '0003_saml': m0003,
  '0004_scim': m0004,
  '0005_audit': m0005,
  '0006_roles': m0006,
  '0007_mfa': m0007,
  '0008_passwords': m0008,
  '0009_access_policies': m0009,
  '0010_issue5': m0010,
  '0011_branding': m0011,
  '0012_audit_keys': m0012audit,
};

/** Migrations in order; each one is a list of SQL statements per dialect. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(all)) {
        out[name] = {
          async up(db: Kysely<unknown>) {
            for (const stmt of m[dialect]) await sql.raw(stmt).execute(db);
          },
        };
      }
      return out;
    },
  };
}

export const migrationNames = Object.keys(all);
