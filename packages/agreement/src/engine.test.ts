// Engine semantics: deadlines, purity, serialisable state, due(), repeated arrears,
// payments in every state, offsets other than +08:00, reminders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPolicy, policyByKey } from './catalog.ts';
import type { EngineEvent, InstanceState } from './engine.ts';
import { due, evolve, initialState } from './engine.ts';
import type { Policy } from './model.ts';
import { simulate } from './simulate.ts';
import { HOUR, instant, iso } from './time.ts';
import type { EventType } from './vocabulary.ts';

function pol(id: string, variant?: string): Policy {
  const f = findPolicy(id, variant);
  if (!f.ok) throw new Error(f.error);
  return f.policy;
}

function run(
  p: Policy,
  steps: [string | number, EventType | null, number?][],
): { s: InstanceState; log: string[] } {
  let s = initialState(p);
  const log: string[] = [];
  for (const [at, type, termEnd] of steps) {
    const now = typeof at === 'number' ? at : instant(at);
    const ev: EngineEvent | null = type ? { type, ...(termEnd ? { termEnd } : {}) } : null;
    const r = evolve(s, ev, now, p);
    s = r.state;
    for (const e of r.entries) log.push(`${iso(e.at)} ${e.state} ${e.cause}`);
    if (r.ignored) log.push(`ignored ${type}: ${r.ignored}`);
  }
  return { s, log };
}

const ARREARS = instant('2026-03-05T10:00:00+08:00');

test('deadline: a timer due at T fires before an event at T; payment at T − 1 ms prevents it [P1]', () => {
  const p = pol('P1');
  const at = run(p, [
    ['2026-03-01T10:00:00+08:00', 'activate'],
    [ARREARS, 'arrears'],
    [ARREARS + 24 * HOUR, 'payment'],
  ]);
  assert.deepEqual(at.log.slice(2), [
    '2026-03-06T02:00:00.000Z suspended timer',
    '2026-03-06T02:00:00.000Z active payment',
  ]);
  const before = run(p, [
    ['2026-03-01T10:00:00+08:00', 'activate'],
    [ARREARS, 'arrears'],
    [ARREARS + 24 * HOUR - 1, 'payment'],
  ]);
  assert.deepEqual(before.log.slice(2), ['2026-03-06T01:59:59.999Z active payment']);
});

test('deadline: the simulation applies timers due exactly at `until`, not 1 ms later [P1]', () => {
  const p = pol('P1');
  const events = [
    { at: instant('2026-03-01T10:00:00+08:00'), type: 'activate' as const },
    { at: ARREARS, type: 'arrears' as const },
  ];
  assert.equal(simulate(p, events, ARREARS + 24 * HOUR).final, 'suspended');
  assert.equal(simulate(p, events, ARREARS + 24 * HOUR - 1).final, 'grace');
});

test('deadline: a terminating timer and the event at the same instant: P2 release at 00:00 of day 31 beats a payment then [P2]', () => {
  const p = pol('P2');
  const { s } = run(p, [
    ['2026-03-01T10:00:00+08:00', 'activate'],
    ['2026-03-05T10:00:00+08:00', 'arrears'],
    ['2026-04-04T00:00:00+08:00', 'payment'],
  ]);
  assert.equal(s.state, 'released');
});

test('evolve is pure and its state round-trips through JSON [ID2]', () => {
  const p = pol('ID2');
  const s0 = initialState(p);
  const frozen = JSON.stringify(s0);
  const r1 = evolve(s0, { type: 'activate' }, instant('2026-03-01T00:00:00Z'), p);
  assert.equal(JSON.stringify(s0), frozen, 'input state not modified');
  const r2 = evolve(r1.state, { type: 'arrears' }, instant('2026-03-02T00:00:00Z'), p);
  const copy = JSON.parse(JSON.stringify(r2.state)) as InstanceState;
  assert.deepEqual(copy, r2.state);
  // The copy evolves exactly as the original, also without passing the policy (looked up by key).
  const later = instant('2026-03-20T00:00:00Z');
  assert.deepEqual(evolve(copy, null, later), evolve(r2.state, null, later, p));
  assert.equal(policyByKey(copy.policy), p);
});

test('due() gives the next timer instant, and null when nothing runs [ID2]', () => {
  const p = pol('ID2');
  let s = evolve(initialState(p), { type: 'activate' }, 0, p).state;
  assert.equal(due(s, p), null);
  s = evolve(s, { type: 'arrears' }, ARREARS, p).state;
  assert.equal(due(s, p), ARREARS + 24 * HOUR);
  s = evolve(s, null, ARREARS + 24 * HOUR, p).state;
  assert.equal(s.state, 'suspended');
  assert.equal(due(s, p), ARREARS + 24 * HOUR + 360 * HOUR);
  // A scheduler loop: jump from due instant to due instant until nothing is due.
  for (let d = due(s, p); d !== null; d = due(s, p)) s = evolve(s, null, d, p).state;
  assert.equal(s.state, 'released');
});

test('repeated arrears do not re-anchor: the first arrears counts (7 days after the first arrears) [P11]', () => {
  const p = pol('P11');
  const { s, log } = run(p, [
    ['2026-03-01T10:00:00+08:00', 'activate'],
    ['2026-03-05T10:00:00+08:00', 'arrears'],
    ['2026-03-06T11:00:00+08:00', 'arrears'],
    ['2026-03-10T10:00:00+08:00', 'arrears'],
    ['2026-03-20T00:00:00+08:00', null],
  ]);
  assert.equal(s.state, 'terminated');
  assert.ok(log.includes('2026-03-12T02:00:00.000Z terminated timer'), log.join('\n'));
});

test('arrears again after a payment starts new timers from the new arrears [P1]', () => {
  const p = pol('P1');
  const { log } = run(p, [
    ['2026-03-01T10:00:00+08:00', 'activate'],
    ['2026-03-05T10:00:00+08:00', 'arrears'],
    ['2026-03-05T12:00:00+08:00', 'payment'],
    ['2026-03-07T10:00:00+08:00', 'arrears'],
    ['2026-03-09T00:00:00+08:00', null],
  ]);
  assert.deepEqual(log, [
    '2026-03-01T02:00:00.000Z active activate',
    '2026-03-05T02:00:00.000Z grace arrears',
    '2026-03-05T04:00:00.000Z active payment',
    '2026-03-07T02:00:00.000Z grace arrears',
    '2026-03-08T02:00:00.000Z suspended timer',
  ]);
});

test('payment during each state of P1: what it does [P1 G3.4]', () => {
  const p = pol('P1');
  const open = instant('2026-03-01T10:00:00+08:00');
  const table: [string, [number, EventType][], string, string | null][] = [
    ['before any instance: nothing owed, no entry', [], 'null', null],
    ['active: nothing owed, no entry', [[open, 'activate']], 'active', null],
    [
      'grace: back to active',
      [
        [open, 'activate'],
        [ARREARS, 'arrears'],
      ],
      'active',
      'active payment',
    ],
    [
      'suspended: back to active',
      [
        [open, 'activate'],
        [ARREARS, 'arrears'],
        [ARREARS + 25 * HOUR, 'activate'],
      ],
      'active',
      'active payment',
    ],
    [
      'terminated: refused',
      [
        [open, 'activate'],
        [ARREARS, 'arrears'],
        [ARREARS + 200 * HOUR, 'activate'],
      ],
      'terminated',
      'ignored',
    ],
  ];
  for (const [name, steps, final, last] of table) {
    const payAt = (steps.at(-1)?.[0] ?? open) + HOUR;
    const { s, log } = run(p, [...steps, [payAt, 'payment']]);
    assert.equal(String(s.state), final, name);
    const entry = log.at(-1) ?? null;
    if (last === null) assert.ok(entry === null || !entry.includes('payment'), `${name}: ${entry}`);
    else assert.ok(entry?.includes(last), `${name}: ${entry}`);
  }
});

test('payment during pending-payment, void and downgraded [G3.2.1 P28]', () => {
  const id1 = pol('ID1');
  const pend = run(id1, [
    ['2026-03-01T10:00:00+08:00', 'order-created'],
    ['2026-03-02T10:00:00+08:00', 'payment'],
  ]);
  assert.equal(pend.s.state, 'pending-payment');
  assert.equal(pend.log.length, 1, 'payment is not the order payment: no entry');
  const voided = run(id1, [
    ['2026-03-01T10:00:00+08:00', 'order-created'],
    ['2026-03-09T10:00:00+08:00', 'payment'],
  ]);
  assert.equal(voided.s.state, 'void');
  assert.match(voided.log.at(-1) ?? '', /ignored payment: instance is void/);
  const dns = run(pol('P28'), [
    ['2026-01-01T10:00:00+08:00', 'order-paid'],
    ['2026-02-01T10:00:00+08:00', 'expire'],
    ['2026-03-01T10:00:00+08:00', 'renew'],
  ]);
  assert.equal(dns.s.state, 'downgraded');
  assert.match(
    dns.log.at(-1) ?? '',
    /ignored renew: P28 has no rule for "renew" in state "downgraded"/,
  );
});

test('events in offsets other than +08:00 are the same instants [P27]', () => {
  // 2026-03-31T23:59 in Shanghai = 15:59Z = 11:59 in New York (EDT, −04:00).
  const p = pol('P27');
  const a = run(p, [
    ['2026-03-01T00:00:00+08:00', 'order-paid'],
    ['2026-03-31T11:59:00-04:00', 'expire'],
    ['2026-05-01T00:00:00Z', null],
  ]);
  const b = run(p, [
    ['2026-02-28T16:00:00Z', 'order-paid'],
    ['2026-03-31T23:59:00+08:00', 'expire'],
    ['2026-05-01T08:00:00+08:00', null],
  ]);
  assert.deepEqual(a.log, b.log);
  // The natural day is the Shanghai day (March 31), not the New York one.
  assert.ok(a.log.includes('2026-04-07T16:00:00.000Z released timer'), a.log.join('\n'));
});

test('a reminder already past when the term end becomes known is skipped, not fired late [ID1]', () => {
  const p = pol('ID1');
  const paid = instant('2026-03-01T10:00:00+08:00');
  const termEnd = paid + 2 * 24 * HOUR + HOUR; // 2 days 1 h later: only the 1-day reminder is ahead
  const { log } = run(p, [
    [paid, 'order-paid', termEnd],
    [termEnd, 'expire'],
  ]);
  assert.deepEqual(log, [
    '2026-03-01T02:00:00.000Z active order-paid',
    '2026-03-02T03:00:00.000Z active timer',
    '2026-03-03T03:00:00.000Z suspended expire',
  ]);
});

test('a renewal without a term end drops stale reminders [ID1]', () => {
  const p = pol('ID1');
  const paid = instant('2026-03-01T10:00:00+08:00');
  const { s } = run(p, [
    [paid, 'order-paid', paid + 30 * 24 * HOUR],
    [paid + HOUR, 'renew'],
  ]);
  assert.equal(s.anchors['term-end'], undefined);
  assert.equal(due(s, p), null);
});

test('ignored events: activate is silent when already open; order events after opening are refused [P1 ID1]', () => {
  const { log } = run(pol('P1'), [
    ['2026-03-01T10:00:00+08:00', 'activate'],
    ['2026-03-02T10:00:00+08:00', 'activate'],
    ['2026-03-03T10:00:00+08:00', 'order-created'],
  ]);
  assert.deepEqual(log, [
    '2026-03-01T02:00:00.000Z active activate',
    'ignored order-created: P1 has no rule for "order-created" in state "active"',
  ]);
});

test('evolve throws on a state whose policy is unknown', () => {
  assert.throws(
    () => evolve({ policy: 'P99', state: null, anchors: {}, fired: [] }, null, 0),
    /state.policy: unknown policy "P99"/,
  );
});

test('P12 postpaid: variants differ [P12 G3.1]', () => {
  assert.notEqual(pol('P12', 'subscription'), pol('P12', 'postpaid'));
  assert.equal(pol('P12', 'postpaid').variant, 'postpaid');
});
