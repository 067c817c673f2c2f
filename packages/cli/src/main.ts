// The `idaas` command: a thin dispatcher. Each command lives in ./commands/<name>.ts,
// exports `run(argv): Promise<number>` (the exit code), and is loaded only when used,
// so that e.g. `idaas agreement simulate` never loads the server or a database driver.
interface CommandModule {
  run(argv: string[]): Promise<number>;
}

/** Command name → one-line summary. The module is ./commands/<name>.ts. */
const commands: Record<string, string> = {
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

const [name, ...argv] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
  process.exitCode = name ? 0 : 2;
} else if (!Object.hasOwn(commands, name)) {
  process.stderr.write(`idaas: unknown command "${name}"\n${usage()}\n`);
  process.exitCode = 2;
} else {
  const mod = (await import(
    new URL(`./commands/${name}.ts`, import.meta.url).href
  )) as CommandModule;
  process.exitCode = await mod.run(argv);
}
