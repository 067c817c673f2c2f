// idaas start [--dev]: run the server. --dev (what `npm start` uses) also creates an
// instance `default` for trying things.
import { parseArgs } from 'node:util';
import { loadConfig, startServer } from '@idaas/server';
import { ADMIN_USERNAME } from '@idaas/server';
import { fail } from '../output.ts';
import { NO_IDENTITY, type PermissionTable } from '../permissions.ts';

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { dev: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    return fail(e);
  }
  if (values.help) {
    console.log(
      'usage: idaas start [--dev]\n  Runs the server (configuration from the environment; see README).\n  --dev  also create an instance "default" for trying things',
    );
    return 0;
  }
  try {
    const config = loadConfig({
      ...process.env,
      ...(values.dev ? { IDAAS_DEFAULT_INSTANCE: 'true' } : {}),
    });
    const server = await startServer(config);
    const { logger } = server.sctx;
    if (server.boot.generatedAdminPassword) {
      // Printed once, on the terminal only (not in the JSON log stream).
      process.stderr.write(
        `\n  Platform administrator created.\n    instance: platform\n    username: ${ADMIN_USERNAME}\n    password: ${server.boot.generatedAdminPassword}\n  Keep it now: it is not shown again (set IDAAS_ADMIN_PASSWORD to choose it).\n\n`,
      );
    }
    logger.info(
      {
        url: config.publicUrl,
        listen: `${config.host}:${config.port}`,
        store: server.sctx.store.dialect,
      },
      'idaas is running',
    );
    const stop = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    return await new Promise<number>(() => {});
  } catch (e) {
    return fail(e);
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  '': NO_IDENTITY,
};
