// `idaas agreement …` through the real launcher: exit codes, stdout JSON, stderr lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(root, 'packages/cli/bin/idaas.mjs');

function idaas(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, 'agreement', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'America/Los_Angeles' }, // output must not depend on the machine's zone
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const spec = readFileSync(join(root, 'docs/spec/simulate.md'), 'utf8');
const [exampleIn, exampleOut] = [...spec.matchAll(/```json\n([\s\S]*?)```/g)].map(
  (m) => m[1] ?? '',
);

test('simulate FILE: the simulate.md example, byte for byte [P1]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idaas-agreement-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, exampleIn ?? '');
  const r = idaas(['simulate', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, exampleOut);
  assert.equal(r.stderr, '');
});

test('simulate -: reads standard input; ignored events listed [P5 G3.2.1]', () => {
  const r = idaas(
    ['simulate', '-'],
    JSON.stringify({
      policy: 'P5',
      variant: 'subscription',
      events: [
        { at: '2026-03-01T10:00:00+08:00', type: 'order-created' },
        { at: '2026-03-04T10:00:00+08:00', type: 'order-paid' },
      ],
      until: '2026-03-10T00:00:00+08:00',
    }),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    policy: 'P5',
    variant: 'subscription',
    timeline: [
      {
        at: '2026-03-01T02:00:00.000Z',
        state: 'pending-payment',
        cause: 'order-created',
        clause: 'G3.2.1',
        effects: [],
      },
      { at: '2026-03-04T02:00:00.000Z', state: 'void', cause: 'timer', clause: 'P5', effects: [] },
    ],
    ignored: [
      {
        at: '2026-03-04T02:00:00.000Z',
        type: 'order-paid',
        reason: 'instance is void: no event changes it',
      },
    ],
    final: 'void',
  });
});

const badInputs: [string, string, RegExp][] = [
  ['unreadable JSON', '{"policy": "P1",', /^\(input\): not valid JSON: /],
  [
    'unknown policy',
    '{"policy":"P42","events":[],"until":"2026-01-01T00:00:00Z"}',
    /^policy: unknown policy "P42"/,
  ],
  [
    'unknown variant',
    '{"policy":"P25","variant":"moon","events":[],"until":"2026-01-01T00:00:00Z"}',
    /^variant: unknown variant "moon"/,
  ],
  [
    'no offset at events[3]',
    JSON.stringify({
      policy: 'P1',
      events: [
        { at: '2026-03-01T10:00:00+08:00', type: 'activate' },
        { at: '2026-03-02T10:00:00+08:00', type: 'arrears' },
        { at: '2026-03-02T11:00:00+08:00', type: 'payment' },
        { at: '2026-03-03T10:00:00', type: 'arrears' },
      ],
      until: '2026-04-01T00:00:00+08:00',
    }),
    /^events\[3\]\.at: timestamp has no UTC offset$/,
  ],
  [
    'events out of order',
    JSON.stringify({
      policy: 'P1',
      events: [
        { at: '2026-03-02T10:00:00+08:00', type: 'activate' },
        { at: '2026-03-01T10:00:00+08:00', type: 'arrears' },
      ],
      until: '2026-04-01T00:00:00+08:00',
    }),
    /^events\[1\]\.at: out of order/,
  ],
  [
    'unknown event type',
    '{"policy":"P1","events":[{"at":"2026-03-01T00:00:00Z","type":"bill"}],"until":"2026-04-01T00:00:00Z"}',
    /^events\[0\]\.type: unknown event type "bill"/,
  ],
];

for (const [name, input, line] of badInputs) {
  test(`simulate with bad input (${name}): exit 2, one stderr line naming the field, nothing on stdout`, () => {
    const r = idaas(['simulate', '-'], input);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^[^\n]+\n$/);
    assert.match(r.stderr.trimEnd(), line);
  });
}

test('simulate with a missing file: exit 2, one line', () => {
  const r = idaas(['simulate', join(tmpdir(), 'no-such-scenario.json')]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /no-such-scenario\.json: cannot read \(ENOENT\)\n$/);
});

test('policies: the lifecycle ids, one a line [ID1 ID2]', () => {
  const r = idaas(['policies']);
  assert.equal(r.code, 0);
  const ids = r.stdout.trimEnd().split('\n');
  assert.deepEqual(ids, [...Array.from({ length: 31 }, (_, i) => `P${i + 1}`), 'ID1', 'ID2']);
});

test('explain: both languages by default, one with --lang; variants [P25 ID2]', () => {
  const both = idaas(['explain', 'ID2']);
  assert.equal(both.code, 0, both.stderr);
  assert.match(both.stdout, /ID2 \(postpaid\) — Identity service \(postpaid\)/);
  assert.match(both.stdout, /ID2 \(postpaid\) — 身份服务（按量付费）/);
  assert.match(
    both.stdout,
    /360 h after the suspension, if still suspended \(stopped\): it becomes released/,
  );
  const zh = idaas(['explain', 'P25', '--variant', 'cloud', '--lang', 'zh-CN']);
  assert.equal(zh.code, 0, zh.stderr);
  assert.match(zh.stdout, /^P25 \(cloud\) — 存储网关/);
  assert.doesNotMatch(zh.stdout, /on-premises|When /);
  const all = idaas(['explain', 'P25', '--lang', 'en']);
  assert.match(all.stdout, /P25 \(on-premises\)[\s\S]*P25 \(cloud\)/);
});

test('explain / usage errors: exit 2 with one line', () => {
  for (const args of [
    ['explain', 'P99'],
    ['explain', 'P25', '--variant', 'moon'],
    ['explain', 'P1', '--lang', 'fr'],
    ['frobnicate'],
    ['explain'],
  ]) {
    const r = idaas(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^[^\n]+\n$/, args.join(' '));
  }
});

test('--help prints usage and exits 0', () => {
  const r = idaas(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /simulate FILE\|-/);
  assert.match(r.stdout, /explain POLICY/);
});
