// The simulate.md contract: the example reproduces byte for byte; bad input names the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatOutput, toOutput } from './format.ts';
import { ScenarioError, parseScenario } from './scenario.ts';
import { simulate } from './simulate.ts';

const spec = readFileSync(new URL('../../../docs/spec/simulate.md', import.meta.url), 'utf8');
const blocks = [...spec.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

function run(input: unknown): string {
  const sc = parseScenario(input);
  return formatOutput(toOutput(sc, simulate(sc.policy, sc.events, sc.until)));
}

test('the example of simulate.md reproduces byte for byte [P1]', () => {
  assert.equal(blocks.length >= 2, true, 'simulate.md has an input and an output example');
  const [input, output] = blocks as [string, string];
  const printed = run(JSON.parse(input));
  assert.equal(printed, output);
  assert.deepEqual(JSON.parse(printed), JSON.parse(output));
});

test('output: ignored listed with reasons, key omitted when empty; variant implied for single-variant clauses [P5 P3]', () => {
  const out = JSON.parse(
    run({
      policy: 'P5',
      variant: 'subscription',
      events: [
        { at: '2026-03-01T10:00:00+08:00', type: 'order-created' },
        { at: '2026-03-05T10:00:00+08:00', type: 'renew' },
      ],
      until: '2026-03-10T00:00:00+08:00',
    }),
  );
  assert.deepEqual(Object.keys(out), ['policy', 'variant', 'timeline', 'ignored', 'final']);
  assert.deepEqual(out.ignored, [
    {
      at: '2026-03-05T02:00:00.000Z',
      type: 'renew',
      reason: 'instance is void: no event changes it',
    },
  ]);
  const p1 = JSON.parse(run({ policy: 'P1', events: [], until: '2026-03-10T00:00:00Z' }));
  assert.deepEqual(p1, { policy: 'P1', variant: 'postpaid', timeline: [], final: null });
  const p3 = JSON.parse(
    run({
      policy: 'P3',
      events: [{ at: '2026-03-01T00:00:00Z', type: 'activate' }],
      until: '2026-03-10T00:00:00Z',
    }),
  );
  assert.deepEqual(Object.keys(p3), ['policy', 'timeline', 'final']);
});

test('events after `until` are not applied and are listed as ignored [P1]', () => {
  const out = JSON.parse(
    run({
      policy: 'P1',
      events: [
        { at: '2026-03-01T00:00:00Z', type: 'activate' },
        { at: '2026-03-11T00:00:00Z', type: 'arrears' },
      ],
      until: '2026-03-10T00:00:00Z',
    }),
  );
  assert.equal(out.final, 'active');
  assert.deepEqual(out.ignored, [
    { at: '2026-03-11T00:00:00.000Z', type: 'arrears', reason: 'after until: not simulated' },
  ]);
});

const ok = { at: '2026-03-01T10:00:00+08:00', type: 'activate' };
const bad: [string, unknown, string][] = [
  ['not an object', [1], '(input): expected a JSON object'],
  ['missing policy', { events: [], until: '2026-03-01T00:00:00Z' }, 'policy: required'],
  [
    'unknown policy',
    { policy: 'P99', events: [], until: '2026-03-01T00:00:00Z' },
    'policy: unknown policy "P99"',
  ],
  [
    'unknown variant',
    { policy: 'P5', variant: 'gold', events: [], until: '2026-03-01T00:00:00Z' },
    'variant: unknown variant "gold"',
  ],
  [
    'variant the clause lacks',
    { policy: 'P1', variant: 'cloud', events: [], until: '2026-03-01T00:00:00Z' },
    'variant: P1 has no variant "cloud"',
  ],
  [
    'variant required',
    { policy: 'P25', events: [], until: '2026-03-01T00:00:00Z' },
    'variant: required for P25: one of on-premises, cloud',
  ],
  [
    'events not an array',
    { policy: 'P1', events: {}, until: '2026-03-01T00:00:00Z' },
    'events: expected an array',
  ],
  [
    'event not an object',
    { policy: 'P1', events: [ok, 'x'], until: '2026-03-01T00:00:00Z' },
    'events[1]: expected an object',
  ],
  [
    'no offset',
    {
      policy: 'P1',
      events: [ok, ok, ok, { at: '2026-03-02T10:00:00', type: 'arrears' }],
      until: '2026-04-01T00:00:00Z',
    },
    'events[3].at: timestamp has no UTC offset',
  ],
  [
    'missing at',
    { policy: 'P1', events: [{ type: 'arrears' }], until: '2026-04-01T00:00:00Z' },
    'events[0].at: required',
  ],
  [
    'bad date',
    {
      policy: 'P1',
      events: [{ at: '2026-02-30T10:00:00Z', type: 'arrears' }],
      until: '2026-04-01T00:00:00Z',
    },
    'events[0].at: not a valid date or time',
  ],
  [
    'unknown type',
    {
      policy: 'P1',
      events: [ok, { at: '2026-03-02T10:00:00Z', type: 'refund' }],
      until: '2026-04-01T00:00:00Z',
    },
    'events[1].type: unknown event type "refund"',
  ],
  [
    'out of order',
    {
      policy: 'P1',
      events: [ok, { at: '2026-03-01T01:59:59Z', type: 'arrears' }],
      until: '2026-04-01T00:00:00Z',
    },
    'events[1].at: out of order',
  ],
  [
    'term end on arrears',
    {
      policy: 'ID1',
      events: [{ ...ok, type: 'arrears', termEnd: '2026-04-01T00:00:00Z' }],
      until: '2026-04-01T00:00:00Z',
    },
    'events[0].termEnd: only order-paid and renew',
  ],
  [
    'term end before the event',
    {
      policy: 'ID1',
      events: [{ ...ok, type: 'order-paid', termEnd: '2026-02-01T00:00:00Z' }],
      until: '2026-04-01T00:00:00Z',
    },
    'events[0].termEnd: must be after the event',
  ],
  ['missing until', { policy: 'P1', events: [] }, 'until: required'],
  [
    'until without offset',
    { policy: 'P1', events: [], until: '2026-04-01T00:00:00' },
    'until: timestamp has no UTC offset',
  ],
];

for (const [name, input, message] of bad) {
  test(`bad scenario (${name}) is rejected naming the field`, () => {
    assert.throws(
      () => parseScenario(input),
      (e: unknown) =>
        e instanceof ScenarioError && e.message.startsWith(message) && !e.message.includes('\n'),
    );
  });
}

test('equal instants keep their listed order', () => {
  const at = '2026-03-01T10:00:00+08:00';
  const sc = parseScenario({
    policy: 'P1',
    events: [
      { at, type: 'activate' },
      { at, type: 'arrears' },
      { at, type: 'payment' },
    ],
    until: at,
  });
  assert.deepEqual(
    simulate(sc.policy, sc.events, sc.until).timeline.map((e) => e.cause),
    ['activate', 'arrears', 'payment'],
  );
});
