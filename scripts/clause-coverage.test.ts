import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NOT_HERE } from '../packages/agreement/src/clauses.ts';
import {
  SPEC_COPY,
  SPEC_SHARED,
  citedIn,
  coverage,
  specClauseIds,
  testFiles,
} from './clause-coverage.ts';

test('every implementable clause of the agreement is cited by a test', () => {
  const c = coverage();
  assert.ok(c.spec.length >= 70, `only ${c.spec.length} clause ids found in the spec`);
  assert.deepEqual(
    c.mismatch,
    [],
    'packages/agreement/src/clauses.ts must list exactly the ids of the spec',
  );
  assert.deepEqual(
    c.uncovered,
    [],
    'clauses without a test: cite them in a test name or a clauses: [...] row',
  );
});

test('the repo copy of the spec matches ../shared/spec/agreement.md when it exists', (t) => {
  if (!existsSync(SPEC_SHARED)) {
    t.skip('no ../shared/spec beside this checkout');
    return;
  }
  assert.equal(
    readFileSync(SPEC_COPY, 'utf8'),
    readFileSync(SPEC_SHARED, 'utf8'),
    'docs/spec/agreement.md differs from ../shared/spec/agreement.md: refresh the copy (cp ../shared/spec/*.md docs/spec/)',
  );
});

test('the not-carried-out list hides no lifecycle, billing or SLA rule', () => {
  for (const [id, why] of Object.entries(NOT_HERE)) {
    assert.doesNotMatch(
      id,
      /^(P\d+|ID\d+|SLA\d+|G3\.|G9\.1|G10\.[346]|G11\.3|G14\.2)/,
      `${id}: ${why.reason}`,
    );
    assert.ok(why.reason.length > 20, `${id}: give a reason`);
  }
});

test('the scanner: ids in test names and in clause(s) properties, not elsewhere', () => {
  const src = [
    "test('late fee [G3.4 P10]', () => {});",
    'it(`deadline P1`, () => {});',
    "const rows = [{ clauses: ['SLA2', 'G9.1.3'] }, { clause: 'ID3' }];",
    '// a comment about P7 is no citation',
    "const x = 'P8';",
  ].join('\n');
  assert.deepEqual([...citedIn(src)].sort(), ['G3.4', 'G9.1.3', 'ID3', 'P1', 'P10', 'SLA2']);
  assert.deepEqual(
    specClauseIds('| id | rule |\n|---|---|\n| G3.2.1 | x |\n| P31 | Serverless | y |\n'),
    ['G3.2.1', 'P31'],
  );
  assert.ok(testFiles().some((f) => f.startsWith('packages/cli/')));
});
