// The `idaas` command: a thin dispatcher. Each command lives in ./commands/<name>.ts,
// exports `run(argv): Promise<number>` (the exit code), and is loaded only when used,
// so that e.g. `idaas agreement simulate` never loads the server or a database driver.
const commands: Record<
  string,
  { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }
> = {
  start: { summary: 'run the server', load: () => import('./commands/start.ts') },
  migrate: { summary: 'apply database migrations', load: () => import('./commands/migrate.ts') },
  instance: {
    summary: 'create and list identity instances',
    load: () => import('./commands/instance.ts'),
  },
  user: { summary: 'manage users of an instance', load: () => import('./commands/user.ts') },
  client: {
    summary: 'manage OIDC applications (clients)',
    load: () => import('./commands/client.ts'),
  },
  keys: { summary: 'signing keys of an instance', load: () => import('./commands/keys.ts') },
  agreement: {
    summary: 'the service agreement: simulate, policies, explain',
    load: () => import('./commands/agreement.ts'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: idaas <command> [options]   (add --help to any command)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

const [name, ...argv] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
  process.exitCode = name ? 0 : 2;
} else {
  const command = commands[name];
  if (!command) {
    process.stderr.write(`idaas: unknown command "${name}"\n${usage()}\n`);
    process.exitCode = 2;
  } else {
    const mod = await command.load();
    process.exitCode = await mod.run(argv);
  }
}
