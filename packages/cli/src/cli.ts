// The `idaas` dispatcher. Each command lives in ./commands/<name>.ts, exports
// `run(argv): Promise<number>` (the exit code) and `permissions` (what each of its
// subcommands requires of the --as user: ./permissions.ts), and is loaded only when used,
// so that e.g. `idaas agreement simulate` never loads the server or a database driver.
//
// The global `--as USER_ID` (any position) runs the command with the permissions of that
// platform user, checked once, in context.ts, like the admin API checks a call.
// Exit codes: 0 done, 1 failure, 2 bad input, 3 refused (the --as user lacks the
// subcommand's permission; one line names it and the instance).
import type { ServerContext } from '@idaas/server';
import type { PermissionTable } from './permissions.ts';
import { runInvocation } from './invocation.ts';

export interface CommandModule {
  run(argv: string[]): Promise<number>;
  permissions: PermissionTable;
}

/** Command name → one-line summary. The module is ./commands/<name>.ts. */
export const commands: Record<string, string> = {
  start: 'run the server',
  migrate: 'apply database migrations',
  instance: 'identity instances: create, list, show',
  user: 'users of an instance',
  client: 'OIDC applications (clients) of an instance',
  keys: 'signing keys of an instance',
  provisioning: 'outbound SCIM provisioning: targets, re-syncs, dead letters',
  access: 'conditional access policies: list, dry-run',
  audit: 'the audit trail: verify, export, checkpoint, sweep',
  agreement: 'the service agreement: simulate, policies, explain',
  account: 'customer accounts, contacts and sub-accounts',
  plan: 'products and plans',
  order: 'orders: new, renew, upgrade',
  payment: 'payments and the ledger',
  clock: 'test clocks: create, advance',
  notice: 'notices sent to accounts',
  ticket: 'support tickets',
  sla: 'availability, maintenance windows and credits',
  role: 'delegated administration: roles of an instance and who holds them',
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: idaas <command> [options]   (add --help to any command)',
    '',
    ...Object.entries(commands).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
  ].join('\n');
}

/** Takes the global `--as USER_ID` (or `--as=USER_ID`) out of the arguments. */
export function takeAs(args: string[]): { as?: string; rest: string[]; error?: string } {
  const rest: string[] = [];
  let as: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a !== '--as' && !a.startsWith('--as=')) {
      rest.push(a);
      continue;
    }
    const v = a === '--as' ? args[++i] : a.slice('--as='.length);
    if (v === undefined || v === '' || v.startsWith('-'))
      return { rest, error: '--as: must be a platform user id' };
    if (as !== undefined && as !== v) return { rest, error: '--as: given twice' };
    as = v;
  }
  return as === undefined ? { rest } : { as, rest };
}

export function loadCommand(name: string): Promise<CommandModule> {
  return import(new URL(`./commands/${name}.ts`, import.meta.url).href) as Promise<CommandModule>;
}

/**
 * Runs `idaas ...args`; returns the exit code. `opts` serve in-process runs (tests): an
 * existing server context instead of one built from the environment, and standard input.
 */
export async function main(
  args: string[],
  opts: { sctx?: ServerContext; stdin?: string } = {},
): Promise<number> {
  const [name, ...argv] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (!Object.hasOwn(commands, name)) {
    process.stderr.write(`idaas: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  const { as, rest, error } = takeAs(argv);
  if (error) {
    process.stderr.write(`idaas: ${error}\n`);
    return 2;
  }
  const mod = await loadCommand(name);
  if (as !== undefined && Object.values(mod.permissions).every((p) => p.permission === 'none')) {
    process.stderr.write(`idaas: --as: idaas ${name} takes no identity\n`);
    return 2;
  }
  return runInvocation(
    { command: name, table: mod.permissions, as, sctx: opts.sctx, stdin: opts.stdin },
    () => mod.run(rest),
  );
}
