// idaas migrate: apply pending database migrations (the server also does this at start, under a lock).
import { parseArgs } from 'node:util';
import { openStore } from '@idaas/storage';
import { loadConfig } from '@idaas/server';
import { fail, print } from '../output.ts';
import { NO_IDENTITY, type PermissionTable } from '../permissions.ts';

export async function run(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log('usage: idaas migrate [--json]\n  Applies pending migrations to DATABASE_URL.');
      return 0;
    }
    const config = loadConfig();
    const store = openStore(config.databaseUrl);
    try {
      const applied = await store.migrate();
      print(!!values.json, { dialect: store.dialect, applied }, () =>
        applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date',
      );
    } finally {
      await store.close();
    }
    return 0;
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  '': NO_IDENTITY,
};
