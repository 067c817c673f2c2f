// Broken policies are rejected at load, with the field named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { days, hours, on, opens, paymentRestores, policy, timer } from './builders.ts';
import { CATALOG } from './catalog.ts';
import type { Policy } from './model.ts';
import { PolicyError, validateCatalog, validatePolicy } from './validate.ts';

function sound(): Policy {
  return policy(
    { id: 'P1', variant: 'postpaid', product: ['Log service', '日志服务'] },
    opens('P1'),
    {
      transitions: [
        on('arrears', ['active'], 'grace', ['billing-continues'], 'P1', { record: ['arrears'] }),
      ],
    },
    {
      timers: [
        timer('suspend', 'arrears', hours(24), ['grace'], 'suspended', ['retain-data'], 'P1'),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P1'),
  );
}

/** Deep copy, then break. */
function broken(edit: (p: Record<string, unknown> & Policy) => void): unknown {
  const p = structuredClone(sound()) as Record<string, unknown> & Policy;
  edit(p);
  return p;
}

test('the whole catalog validates', () => {
  assert.doesNotThrow(() => validateCatalog(CATALOG));
  assert.equal(validatePolicy(sound()).id, 'P1');
});

const cases: [string, (p: Record<string, unknown> & Policy) => void, RegExp][] = [
  [
    'unknown clause id',
    (p) => ((p.transitions[0] as { clause: string }).clause = 'P99'),
    /^P1\.transitions\[0\]\.clause: /,
  ],
  [
    'policy id that is not a lifecycle clause',
    (p) => ((p as { id: string }).id = 'G3.4'),
    /G3\.4\.id: G3\.4 is not a lifecycle clause/,
  ],
  [
    'unknown state',
    (p) => ((p.transitions[0] as { to: string }).to = 'frozen'),
    /^P1\.transitions\[0\]\.to: /,
  ],
  [
    'unknown effect',
    (p) => ((p.timers[0] as unknown as { effects: string[] }).effects = ['explode']),
    /^P1\.timers\[0\]\.effects\[0\]: /,
  ],
  [
    'timer without a recorded anchor',
    (p) => ((p.timers[0] as { anchor: string }).anchor = 'suspension'),
    /P1\.timers\[0\]\.anchor: "suspension" is never recorded/,
  ],
  [
    'unreachable state',
    (p) =>
      (p.timers as unknown[]).push(
        timer('x', 'arrears', days(7), ['restricted'], 'released', ['delete-data'], 'P1'),
      ),
    /P1\.timers\[1\]\.when: state "restricted" is unreachable/,
  ],
  [
    'a timer running in a final state',
    (p) =>
      (p.timers as unknown[]).push(
        timer('x', 'arrears', days(7), ['grace'], 'released', [], 'P1'),
        timer('y', 'arrears', days(8), ['released'], undefined, ['notify'], 'P1'),
      ),
    /P1\.timers\[2\]\.when: "released" is final/,
  ],
  [
    'a transition leaving a final state',
    (p) => (p.transitions as unknown[]).push(on('renew', ['void'], 'active', [], 'P1')),
    /P1\.transitions\[\d\]\.from: "void" is final/,
  ],
  [
    'duplicate timer id',
    (p) => (p.timers as unknown[]).push({ ...p.timers[0] }),
    /P1\.timers\[1\]\.id: duplicate timer id "suspend"/,
  ],
  [
    'two rules for one event and state',
    (p) => (p.transitions as unknown[]).push(on('arrears', ['active'], 'restricted', [], 'P1')),
    /a second rule for "arrears" from active/,
  ],
  [
    'a timer that does nothing',
    (p) =>
      (p.timers as unknown[]).push(
        timer('noop', 'arrears', days(1), ['grace'], undefined, [], 'P1'),
      ),
    /P1\.timers\[1\]: a timer must change the state or carry effects/,
  ],
  [
    'negative delay',
    (p) => ((p.timers[0] as { delay: unknown }).delay = { kind: 'hours', n: -1 }),
    /P1\.timers\[0\]\.delay\.n: /,
  ],
  [
    'counting backwards from an event',
    (p) => ((p.timers[0] as { delay: unknown }).delay = { kind: 'days', n: 1, before: true }),
    /P1\.timers\[0\]\.delay: only a term end/,
  ],
  [
    'term end recorded by an arrears',
    (p) => ((p.transitions[1] as unknown as { record: string[] }).record = ['term-end']),
    /P1\.transitions\[1\]\.record: "term-end" comes from an order-paid or renew/,
  ],
  [
    'unknown time zone',
    (p) => ((p as { zone: string }).zone = 'Mars/Olympus'),
    /P1\.zone: unknown time zone "Mars\/Olympus"/,
  ],
  [
    'nothing opens an instance',
    (p) => (p.transitions as unknown[]).splice(0, 1),
    /state "active" is unreachable|no rule opens an instance/,
  ],
  ['unknown property', (p) => ((p as Record<string, unknown>).colour = 'red'), /^P1: /],
];

for (const [name, edit, message] of cases) {
  test(`a policy with ${name} is rejected`, () => {
    assert.throws(
      () => validatePolicy(broken(edit)),
      (e: unknown) => e instanceof PolicyError && message.test(e.message),
    );
  });
}

test('the catalog must cover every lifecycle clause and each variant once', () => {
  assert.throws(
    () => validateCatalog(CATALOG.filter((p) => p.id !== 'P17')),
    /no policy for lifecycle clause P17/,
  );
  const [first] = CATALOG;
  assert.ok(first);
  assert.throws(
    () => validateCatalog([...CATALOG, first]),
    /P1: two policies for variant postpaid/,
  );
});
