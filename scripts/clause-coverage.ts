// Clause coverage: every clause id of the agreement (docs/spec/agreement.md) must be
// cited by a test under packages/agreement or packages/cli, unless
// packages/agreement/src/clauses.ts lists it as not carried out by this package.
// A test cites a clause in its name (`test('… [P5 G3.2.1]')`) or in a `clause:` /
// `clauses: [...]` property of a table row.
//
//   node scripts/clause-coverage.ts      prints the uncovered ids; exit 1 if any
import { existsSync, globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLAUSE_IDS, NOT_HERE } from '../packages/agreement/src/clauses.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SPEC_COPY = join(ROOT, 'docs/spec/agreement.md');
/** The shared spec beside the checkout (CI has a copy of shared/ beside the clone). */
export const SPEC_SHARED = join(ROOT, '..', 'shared', 'spec', 'agreement.md');

const ID = /\b(?:G\d+(?:\.\d+)*|P\d+|ID\d+|SLA\d+)\b/g;

/** Clause ids defined by the spec: the first column of its rule tables. */
export function specClauseIds(markdown: string): string[] {
  const ids: string[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*((?:G\d+(?:\.\d+)*|P\d+|ID\d+|SLA\d+))\s*\|/.exec(line);
    if (m?.[1]) ids.push(m[1]);
  }
  return ids;
}

/** Clause ids cited by one test file's source. */
export function citedIn(source: string): Set<string> {
  const cited = new Set<string>();
  const add = (text: string) => {
    for (const m of text.matchAll(ID)) cited.add(m[0]);
  };
  // Titles of test(…), it(…), describe(…): a quoted first argument.
  for (const m of source.matchAll(/\b(?:test|it|describe)\s*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g))
    add(m[2] ?? '');
  // Table rows: clause: 'X' or clauses: ['X', 'Y'].
  for (const m of source.matchAll(/\bclauses?\s*:\s*(\[[^\]]*\]|'[^']*'|"[^"]*")/g))
    add(m[1] ?? '');
  return cited;
}

export function testFiles(): string[] {
  return ['packages/agreement/**/*.test.ts', 'packages/cli/**/*.test.ts']
    .flatMap((g) => globSync(g, { cwd: ROOT }))
    .sort();
}

export interface Coverage {
  spec: string[];
  notHere: string[];
  uncovered: string[];
  /** ids in clauses.ts but not in the spec, or the other way round */
  mismatch: string[];
}

export function coverage(): Coverage {
  const spec = specClauseIds(readFileSync(SPEC_COPY, 'utf8'));
  const known = new Set<string>(CLAUSE_IDS);
  const mismatch = [
    ...spec
      .filter((id) => !known.has(id))
      .map((id) => `${id}: in the spec, missing from clauses.ts`),
    ...CLAUSE_IDS.filter((id) => !spec.includes(id)).map(
      (id) => `${id}: in clauses.ts, not in the spec`,
    ),
  ];
  const cited = new Set<string>();
  for (const f of testFiles())
    for (const id of citedIn(readFileSync(join(ROOT, f), 'utf8'))) cited.add(id);
  const notHere = spec.filter((id) => id in NOT_HERE);
  const uncovered = spec.filter((id) => !(id in NOT_HERE) && !cited.has(id));
  return { spec, notHere, uncovered, mismatch };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const c = coverage();
  for (const m of c.mismatch) console.log(`mismatch ${m}`);
  for (const id of c.uncovered) console.log(id);
  console.error(
    `# ${c.spec.length} clauses; ${c.notHere.length} not carried out here (clauses.ts); ${c.uncovered.length} without a test`,
  );
  if (
    existsSync(SPEC_SHARED) &&
    readFileSync(SPEC_SHARED, 'utf8') !== readFileSync(SPEC_COPY, 'utf8')
  ) {
    console.error(
      '# docs/spec/agreement.md differs from ../shared/spec/agreement.md: refresh the copy',
    );
    process.exitCode = 1;
  }
  if (c.uncovered.length || c.mismatch.length) process.exitCode = 1;
}
