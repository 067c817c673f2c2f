// The filter parser and evaluator: every operator, precedence and grouping, value
// paths, case rules, errors as invalidFilter; fuzzing with fast-check (random input
// parses or fails with invalidFilter, never anything else; printed ASTs parse back).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScimError } from './errors.ts';
import { matches, parseFilter, printFilter, pushdown, type Filter } from './filter.ts';
import { USER } from './schemas.ts';

const alice = {
  schemas: [USER],
  id: 'u1',
  externalId: 'EXT-1',
  userName: 'Alice',
  displayName: 'Alice Liddell',
  active: true,
  name: { givenName: 'Alice', familyName: 'Liddell' },
  emails: [
    { value: 'alice@work.test', type: 'work', primary: true },
    { value: 'alice@home.test', type: 'home' },
  ],
  loginCount: 7,
  meta: { created: '2026-01-02T00:00:00.000Z', lastModified: '2026-03-01T00:00:00.000Z' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
    department: 'R&D',
    employeeNumber: '42',
  },
};
const m = (f: string, r: unknown = alice) => matches(parseFilter(f), r, USER);
const invalid = (f: string) =>
  assert.throws(
    () => parseFilter(f),
    (e: unknown) => e instanceof ScimError && e.scimType === 'invalidFilter' && e.status === 400,
    f,
  );

describe('SCIM filter: operators', () => {
  const cases: [string, boolean][] = [
    ['userName eq "alice"', true], // caseExact false
    ['USERNAME EQ "ALICE"', true], // attribute names and operators are case-insensitive
    ['userName ne "alice"', false],
    ['userName ne "bob"', true],
    ['displayName co "lidd"', true],
    ['displayName co "xyz"', false],
    ['userName sw "al"', true],
    ['userName sw "li"', false],
    ['userName ew "ICE"', true],
    ['userName ew "al"', false],
    ['title pr', false],
    ['userName pr', true],
    ['emails pr', true],
    ['meta.lastModified gt "2026-02-01T00:00:00Z"', true],
    ['meta.lastModified ge "2026-03-01T00:00:00.000Z"', true],
    ['meta.created lt "2026-01-01T00:00:00Z"', false],
    ['meta.created le "2026-01-02T00:00:00.000Z"', true],
    ['loginCount gt 6', true],
    ['loginCount ge 7.5', false],
    ['loginCount lt 8', true],
    ['loginCount le 6', false],
    ['active eq true', true],
    ['active eq false', false],
    ['active ne false', true],
    ['title eq null', true],
    ['userName eq null', false],
    ['externalId eq "ext-1"', false], // caseExact true
    ['externalId eq "EXT-1"', true],
    ['id eq "U1"', false],
    ['name.givenName eq "alice"', true],
    ['emails.value eq "alice@home.test"', true], // multi-valued: any value
    ['emails eq "alice@work.test"', true], // complex multi-valued without sub → value
    ['emails.type eq "other"', false],
    ['emails[type eq "work"]', true],
    ['emails[type eq "work" and value co "home"]', false],
    ['emails[type eq "home" and value co "home"]', true],
    ['emails[type eq "work"].value co "work"', true],
    ['emails[type eq "work"].value co "home"', false],
    ['emails[not (primary eq true)].value ew "home.test"', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d"', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "43"', false],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "A"', true],
  ];
  for (const [f, want] of cases) it(`${f} → ${want}`, () => assert.equal(m(f), want));
});

describe('SCIM filter: logic, precedence, grouping', () => {
  it('and binds tighter than or', () => {
    assert.equal(m('userName eq "bob" and active eq true or displayName co "alice"'), true);
    assert.equal(m('userName eq "bob" and (active eq true or displayName co "alice")'), false);
    const f = parseFilter('a eq 1 or b eq 2 and c eq 3');
    assert.equal(f.op, 'or');
  });
  it('not negates a group; nesting', () => {
    assert.equal(m('not (userName eq "alice")'), false);
    assert.equal(m('not (not (userName eq "alice"))'), true);
    assert.equal(m('((userName eq "alice")) and not (title pr)'), true);
  });
  it('strings with escapes and quotes', () => {
    const f = parseFilter('displayName eq "a \\"quoted\\" ] [ ( ) name"');
    assert.equal((f as { value: string }).value, 'a "quoted" ] [ ( ) name');
  });
  it('bad filters → invalidFilter', () => {
    for (const f of [
      '',
      'userName',
      'userName eq',
      'userName xx "a"',
      'userName eq "a',
      'userName eq "a" and',
      '(userName eq "a"',
      'userName eq "a")',
      'emails[type eq "work"',
      'not userName eq "a"',
      'userName gt true',
      'userName co null',
      'userName eq unquoted',
      '123 eq "a"',
      'a.b.c eq "x"',
      'userName eq "a" garbage',
      '# eq 1',
      '('.repeat(200) + 'a pr' + ')'.repeat(200),
    ])
      invalid(f);
  });
  it('push-down finds exact lookups at the top or under and', () => {
    assert.deepEqual(pushdown(parseFilter('userName eq "x"'), USER), {
      key: 'userName',
      value: 'x',
    });
    assert.deepEqual(pushdown(parseFilter('active eq true and emails.value eq "a@b.c"'), USER), {
      key: 'email',
      value: 'a@b.c',
    });
    assert.deepEqual(pushdown(parseFilter('externalId eq "e"'), USER), {
      key: 'externalId',
      value: 'e',
    });
    assert.equal(pushdown(parseFilter('userName eq "x" or title pr'), USER), null);
    assert.equal(pushdown(parseFilter('userName co "x"'), USER), null);
    assert.equal(pushdown(parseFilter('not (userName eq "x")'), USER), null);
  });
});

// ---- fuzzing

const attrName = fc.constantFrom(
  'userName',
  'displayName',
  'title',
  'active',
  'emails',
  'name',
  'loginCount',
  'x-Y_z$',
);
const attrPath = fc.oneof(
  attrName.map((attr) => ({ attr })),
  fc
    .tuple(attrName, fc.constantFrom('value', 'type', 'givenName'))
    .map(([attr, sub]) => ({ attr, sub })),
  fc.constantFrom('department', 'employeeNumber').map((attr) => ({
    schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    attr,
  })),
);
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
);
const leaf: fc.Arbitrary<Filter> = fc.oneof(
  attrPath.map((path) => ({ op: 'pr' as const, path })),
  fc
    .tuple(
      attrPath,
      fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le' as const),
      scalar,
    )
    .map(([path, op, value]) => ({ op, path, value }) as Filter),
  fc
    .tuple(attrPath, fc.constantFrom('eq', 'ne' as const), fc.constantFrom(true, false, null))
    .map(([path, op, value]) => ({ op, path, value }) as Filter),
);
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(fc.constantFrom('and', 'or' as const), tie('f'), tie('f'))
      .map(([op, left, right]) => ({ op, left, right }) as Filter),
    tie('f').map((filter) => ({ op: 'not', filter }) as Filter),
    fc
      .tuple(attrName, leaf)
      .map(([attr, filter]) => ({ op: '[]', path: { attr }, filter }) as Filter),
  ),
})).f;

describe('SCIM filter: fuzzing', () => {
  it('random strings parse or fail with invalidFilter, never otherwise', () => {
    const alphabet = fc.constantFrom(
      ...'ab eqnotandor()[]"\\.:$_-0123456789 prcoswgtlTRUEnull\t'.split(''),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: alphabet, maxLength: 60 }),
        ),
        (s) => {
          try {
            const f = parseFilter(s);
            matches(f, alice, USER); // evaluating never throws either
          } catch (e) {
            assert.ok(e instanceof ScimError && e.scimType === 'invalidFilter', String(e));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
  it('printed filters parse back to the same AST, and evaluate the same', () => {
    fc.assert(
      fc.property(filterArb, (f) => {
        const again = parseFilter(printFilter(f));
        assert.deepEqual(again, f);
        assert.equal(matches(again, alice, USER), matches(f, alice, USER));
      }),
      { numRuns: 1000 },
    );
  });
  it('mutated valid filters never crash', () => {
    fc.assert(
      fc.property(filterArb, fc.nat(), fc.string({ maxLength: 3 }), (f, at, ins) => {
        const s = printFilter(f);
        const k = at % (s.length + 1);
        try {
          parseFilter(s.slice(0, k) + ins + s.slice(k + 1));
        } catch (e) {
          assert.ok(e instanceof ScimError && e.scimType === 'invalidFilter', String(e));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
