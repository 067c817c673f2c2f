// Property tests (fast-check) over random scenarios on every policy of the catalog.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CATALOG } from './catalog.ts';
import { due, evolve, initialState } from './engine.ts';
import { lateFeeForDays } from './late-fee.ts';
import { money } from './money.ts';
import { slaCredit } from './sla.ts';
import type { SimEvent } from './simulate.ts';
import { simulate } from './simulate.ts';
import { earlyTermination } from './termination.ts';
import { HOUR, instant } from './time.ts';
import type { EventType } from './vocabulary.ts';
import { EVENT_TYPES, FINAL_STATES } from './vocabulary.ts';

const T0 = instant('2026-01-01T00:00:00+08:00');
const YEAR = 366 * 24 * HOUR;

const policyArb = fc.constantFrom(...CATALOG);
const eventsArb = fc
  .array(
    fc.record({ offset: fc.integer({ min: 0, max: YEAR }), type: fc.constantFrom(...EVENT_TYPES) }),
    { maxLength: 25 },
  )
  .map((xs) =>
    xs
      .sort((a, b) => a.offset - b.offset)
      .map((x): SimEvent => ({ at: T0 + x.offset, type: x.type })),
  );

test('property: timelines are in time order and within [first event, until] [G6.4]', () => {
  fc.assert(
    fc.property(policyArb, eventsArb, (policy, events) => {
      const until = T0 + YEAR;
      const { timeline } = simulate(policy, events, until);
      for (let i = 1; i < timeline.length; i++)
        assert.ok((timeline[i - 1]?.at ?? 0) <= (timeline[i]?.at ?? 0));
      for (const e of timeline) assert.ok(e.at >= T0 && e.at <= until);
    }),
    { numRuns: 400 },
  );
});

test('property: released and void are terminal: nothing follows them [G6.5]', () => {
  fc.assert(
    fc.property(policyArb, eventsArb, (policy, events) => {
      const { timeline } = simulate(policy, events, T0 + YEAR);
      const i = timeline.findIndex((e) => FINAL_STATES.includes(e.state));
      if (i >= 0)
        assert.equal(i, timeline.length - 1, `${policy.id}: entries after ${timeline[i]?.state}`);
    }),
    { numRuns: 400 },
  );
});

test('property: suspension never deletes data; deletion only on release, termination or an explicit timer [ID3 G6.3]', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...CATALOG.filter((p) => p.id === 'ID1' || p.id === 'ID2')),
      eventsArb,
      (policy, events) => {
        for (const e of simulate(policy, events, T0 + YEAR).timeline) {
          if (e.effects.includes('delete-data')) assert.equal(e.state, 'released');
          if (e.state === 'suspended') assert.ok(e.effects.includes('retain-data'));
        }
      },
    ),
    { numRuns: 300 },
  );
});

/** Policies with timers, each with an event that starts one from an opened instance (or an order). */
const timedArb = fc.constantFrom(...CATALOG.filter((p) => p.timers.length > 0)).chain((p) => {
  const triggers = p.transitions
    .filter((t) => (t.from.includes('active') && t.on !== 'renew') || t.on === 'order-created')
    .map((t) => t.on);
  return fc.tuple(fc.constant(p), fc.constantFrom(...triggers));
});

test('property: a payment or renewal before a deadline prevents the transition at that deadline [P1 G3.2.2 G3.2.1]', () => {
  let checked = 0;
  fc.assert(
    fc.property(
      timedArb,
      fc.integer({ min: 0, max: 10 * 24 * HOUR }),
      fc.integer({ min: 1, max: 48 * HOUR }),
      ([policy, trigger], wait, early) => {
        // Open (or just order), trigger, let time pass, then look at the next deadline.
        let s = initialState(policy);
        if (trigger !== 'order-created') s = evolve(s, { type: 'activate' }, T0, policy).state;
        s = evolve(s, { type: trigger }, T0 + HOUR, policy).state;
        const now = T0 + HOUR + wait;
        s = evolve(s, null, now, policy).state;
        const d = due(s, policy);
        if (d === null || s.state === null) return;
        const cure: EventType =
          s.state === 'pending-payment'
            ? 'order-paid'
            : s.anchors.arrears !== undefined
              ? 'payment'
              : 'renew';
        const at = Math.max(d - early, now);
        if (at >= d) return;
        const cured = evolve(s, { type: cure }, at, policy);
        if (cured.state.state === s.state) return; // no cure in this state (e.g. P6 after termination)
        const after = evolve(cured.state, null, d, policy);
        assert.equal(
          after.entries.filter((e) => e.at === d && e.cause === 'timer').length,
          0,
          `${policy.id} ${s.state}`,
        );
        checked++;
      },
    ),
    { numRuns: 500 },
  );
  assert.ok(
    checked >= 250,
    `only ${checked} runs reached a curable deadline: the property is too weakly exercised`,
  );
});

test('property: the late fee is linear in days (G3.4)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.integer({ min: 0, max: 2000 }),
      fc.integer({ min: 0, max: 2000 }),
      (cents, a, b) => {
        // Linear before rounding: fee(a + b) and fee(a) + fee(b) differ by at most a rounding step.
        const amount = money(cents).dividedBy(100);
        const whole = lateFeeForDays(amount, a + b);
        const parts = lateFeeForDays(amount, a).plus(lateFeeForDays(amount, b));
        assert.ok(whole.minus(parts).abs().lte('0.01'));
        assert.equal(
          lateFeeForDays(amount, a).toFixed(2),
          money(amount).times('0.0005').times(a).toDecimalPlaces(2).toFixed(2),
        );
      },
    ),
  );
});

test('property: charge + refund = amount paid, both ≥ 0 (G9.3.3)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 * YEAR }),
      fc.integer({ min: 0, max: 3 * YEAR }),
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 10_000_000 }),
      (startOffset, length, monthlyCents, paidCents) => {
        const term = {
          start: T0 + startOffset,
          monthlyPrice: money(monthlyCents).dividedBy(100),
          paid: money(paidCents).dividedBy(100),
        };
        const r = earlyTermination(term, term.start + length);
        assert.equal(r.charge.plus(r.refund).toString(), money(term.paid).toString());
        assert.ok(r.charge.gte(0) && r.refund.gte(0));
      },
    ),
  );
});

test('property: credits never exceed the month’s fee (SLA2)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 5 }),
      (a, feeCents, claims) => {
        const fee = money(feeCents).dividedBy(100);
        let credited = money(0);
        for (const c of [a, ...claims]) {
          credited = credited.plus(
            slaCredit({
              availabilityPercent: money(c).dividedBy(100),
              monthlyFee: fee,
              alreadyCredited: credited,
            }),
          );
        }
        assert.ok(credited.lte(fee), `${credited} > ${fee}`);
      },
    ),
  );
});
