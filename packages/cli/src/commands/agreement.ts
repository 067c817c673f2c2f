// `idaas agreement …`: the service agreement as code (packages/agreement).
//   simulate FILE|-     replay a scenario (docs/spec/simulate.md); JSON on stdout
//   policies            the lifecycle policy ids, one a line
//   explain POLICY      the lifecycle in plain words (en, zh-CN) with clause ids
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Lang } from '@idaas/agreement';
import {
  CATALOG,
  LANGS,
  ScenarioError,
  explain,
  findPolicy,
  formatOutput,
  parseScenario,
  policyIds,
  simulate,
  toOutput,
} from '@idaas/agreement';
import { NO_IDENTITY, type PermissionTable } from '../permissions.ts';

const USAGE = `usage: idaas agreement <command>

  simulate FILE|-                     replay a scenario (JSON; '-' reads standard input) against a
                                      lifecycle policy and print the timeline as JSON
                                      (contract: docs/spec/simulate.md; bad input: exit 2)
  policies                            the lifecycle policy ids (P1 … P31, ID1, ID2), one a line
  explain POLICY [--variant V] [--lang en|zh-CN]
                                      what happens to an instance that is not paid or renewed,
                                      in plain words with clause ids (default: both languages)
`;

/** One line on stderr; the exit code for bad input. */
function fail(message: string): number {
  process.stderr.write(`${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return 2;
}

function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

function simulateCommand(argv: string[]): number {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} }));
  } catch (e) {
    return fail(`simulate: ${(e as Error).message}`);
  }
  const [file, extra] = positionals;
  if (file === undefined || extra !== undefined)
    return fail('simulate: expected one argument, FILE or - (stdin)');
  let text: string;
  try {
    text = readInput(file);
  } catch (e) {
    return fail(
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`(input): not valid JSON: ${(e as Error).message}`);
  }
  try {
    const scenario = parseScenario(json);
    const output = toOutput(scenario, simulate(scenario.policy, scenario.events, scenario.until));
    process.stdout.write(formatOutput(output));
    return 0;
  } catch (e) {
    if (e instanceof ScenarioError) return fail(e.message);
    throw e;
  }
}

function explainCommand(argv: string[]): number {
  let values: { variant?: string; lang?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { variant: { type: 'string' }, lang: { type: 'string' } },
    }));
  } catch (e) {
    return fail(`explain: ${(e as Error).message}`);
  }
  const [id, extra] = positionals;
  if (id === undefined || extra !== undefined)
    return fail('explain: expected one POLICY (see: idaas agreement policies)');
  if (values.lang !== undefined && !(LANGS as readonly string[]).includes(values.lang)) {
    return fail(
      `--lang: unknown language ${JSON.stringify(values.lang)} (one of ${LANGS.join(', ')})`,
    );
  }
  const langs = values.lang ? [values.lang as Lang] : LANGS;
  let policies;
  if (values.variant === undefined && CATALOG.filter((p) => p.id === id).length > 1) {
    policies = CATALOG.filter((p) => p.id === id); // no variant: explain each
  } else {
    const found = findPolicy(id, values.variant);
    if (!found.ok)
      return fail(`${found.field === 'policy' ? 'POLICY' : '--variant'}: ${found.error}`);
    policies = [found.policy];
  }
  const blocks = langs.flatMap((lang) => policies.map((p) => explain(p, lang)));
  process.stdout.write(`${blocks.join('\n\n')}\n`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (
    sub === '--help' ||
    sub === '-h' ||
    sub === 'help' ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (sub) {
    case 'simulate':
      return simulateCommand(rest);
    case 'policies':
      if (rest.length) return fail('policies: takes no arguments');
      process.stdout.write(`${policyIds().join('\n')}\n`);
      return 0;
    case 'explain':
      return explainCommand(rest);
    default:
      return fail(
        `agreement: unknown command ${JSON.stringify(sub)} (simulate, policies, explain; --help)`,
      );
  }
}

/** What each subcommand requires of the --as user (see ../permissions.ts). */
export const permissions: PermissionTable = {
  simulate: NO_IDENTITY,
  policies: NO_IDENTITY,
  explain: NO_IDENTITY,
};
