// The PATCH engine on its own: every op and path form, and its errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScimError } from './errors.ts';
import type { Json } from './filter.ts';
import { applyPatch, parsePatchPath } from './patch.ts';
import { PATCH_OP } from './schemas.ts';
import { patchSchemas } from './service.ts';

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const base = (): Json => ({
  userName: 'u',
  name: { givenName: 'A', familyName: 'B' },
  emails: [
    { value: 'a@w.test', type: 'work', primary: true },
    { value: 'a@h.test', type: 'home' },
  ],
  [E]: { department: 'D' },
});
const run = (...ops: unknown[]) =>
  applyPatch(base(), patchSchemas.User, { schemas: [PATCH_OP], Operations: ops }, PATCH_OP);
const fails = (scimType: string, ...ops: unknown[]) =>
  assert.throws(
    () => run(...ops),
    (e: unknown) => e instanceof ScimError && e.scimType === scimType,
  );

describe('SCIM PATCH engine', () => {
  it('parses paths', () => {
    assert.deepEqual(parsePatchPath('name.givenName'), {
      path: { attr: 'name', sub: 'givenName' },
    });
    const p = parsePatchPath('emails[type eq "a]b"].value');
    assert.equal(p.valueSub, 'value');
    assert.equal(p.path.attr, 'emails');
    assert.deepEqual(parsePatchPath(`${E}:manager.value`).path, {
      schema: E,
      attr: 'manager',
      sub: 'value',
    });
    for (const bad of [
      '',
      'a..b',
      'emails[',
      'emails[type eq]',
      'emails[type eq "x"]x',
      'name.givenName[value eq "x"]',
    ])
      assert.throws(
        () => parsePatchPath(bad),
        (e: unknown) => e instanceof ScimError && e.scimType === 'invalidPath',
        bad,
      );
  });
  it('add: simple, complex merge, multi-valued append, extension object without path', () => {
    const r = run(
      { op: 'add', path: 'title', value: 'T' },
      { op: 'add', path: 'name', value: { middleName: 'M' } },
      { op: 'add', path: 'emails', value: { value: 'new@x.test', type: 'other', primary: true } },
      { op: 'add', value: { nickName: 'N', [E]: { costCenter: 'C' } } },
    );
    assert.equal(r.title, 'T');
    assert.deepEqual(r.name, { givenName: 'A', familyName: 'B', middleName: 'M' });
    assert.equal((r.emails as Json[]).length, 3);
    assert.deepEqual(
      (r.emails as Json[]).filter((e) => e.primary).map((e) => e.value),
      ['new@x.test'],
    );
    assert.equal(r.nickName, 'N');
    assert.deepEqual(r[E], { department: 'D', costCenter: 'C' });
  });
  it('replace: attribute, complex whole, multi-valued whole, filtered value, filtered sub-attribute', () => {
    const r = run(
      { op: 'replace', path: 'name', value: { givenName: 'Z' } },
      {
        op: 'replace',
        path: 'emails[type eq "home"]',
        value: { value: 'h2@x.test', type: 'home' },
      },
      { op: 'replace', path: 'emails[type eq "work"].type', value: 'office' },
      { op: 'Replace', path: `${E}:department`, value: 'E' },
    );
    assert.deepEqual(r.name, { givenName: 'Z' });
    assert.deepEqual(
      (r.emails as Json[]).map((e) => `${e.type}:${e.value}`),
      ['office:a@w.test', 'home:h2@x.test'],
    );
    assert.equal((r[E] as Json).department, 'E');
    const w = run({ op: 'replace', path: 'emails', value: [{ value: 'only@x.test' }] });
    assert.deepEqual(w.emails, [{ value: 'only@x.test' }]);
  });
  it('remove: attribute, sub-attribute, filtered values, all values, extension attribute', () => {
    const r = run(
      { op: 'remove', path: 'name.givenName' },
      { op: 'remove', path: 'emails[type eq "home"]' },
      { op: 'remove', path: `${E}:department` },
      { op: 'remove', path: 'nickName' }, // absent: nothing to do
    );
    assert.deepEqual(r.name, { familyName: 'B' });
    assert.deepEqual(
      (r.emails as Json[]).map((e) => e.value),
      ['a@w.test'],
    );
    assert.deepEqual(r[E], {});
    assert.equal(run({ op: 'remove', path: 'emails' }).emails, undefined);
    // Azure AD style: remove listed values of a multi-valued attribute
    const az = run({ op: 'Remove', path: 'emails', value: [{ value: 'a@h.test' }] });
    assert.deepEqual(
      (az.emails as Json[]).map((e) => e.value),
      ['a@w.test'],
    );
    assert.equal(
      run({ op: 'remove', path: 'EMAILS[TYPE EQ "WORK"].primary' }).emails instanceof Array,
      true,
    );
  });
  it('errors, and the input is never modified', () => {
    const input = base();
    const copy = structuredClone(input);
    assert.throws(() =>
      applyPatch(
        input,
        patchSchemas.User,
        {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'title', value: 'x' }, { op: 'remove' }],
        },
        PATCH_OP,
      ),
    );
    assert.deepEqual(input, copy);
    fails('noTarget', { op: 'remove' });
    fails('noTarget', { op: 'replace', path: 'emails[type eq "fax"]', value: { value: 'x' } });
    fails('invalidPath', { op: 'replace', path: 'title[type eq "x"]', value: 'x' });
    fails('invalidPath', { op: 'add', path: 'urn:x:y:z', value: 'x' });
    fails('mutability', { op: 'replace', path: 'meta', value: {} });
    fails('mutability', { op: 'add', path: 'groups', value: [] });
    fails('invalidSyntax', { op: 'copy', path: 'title' });
    fails('invalidSyntax', 'add');
    fails('invalidValue', { op: 'add', path: 'title' });
    fails('invalidValue', { op: 'add', value: 'not an object' });
  });
});
