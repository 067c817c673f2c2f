// Small constructors that keep the catalog readable. They only build data.
import type { ClauseId } from './clauses.ts';
import type { Anchor, Delay, From, Policy, Text, Timer, Transition } from './model.ts';
import { AGREEMENT_ZONE } from './model.ts';
import type { Effect, EventType, State, Variant } from './vocabulary.ts';

export interface Rules {
  transitions?: Transition[];
  timers?: Timer[];
}

export const hours = (n: number): Delay => ({ kind: 'hours', n });
export const days = (n: number): Delay => ({ kind: 'days', n });
export const daysBefore = (n: number): Delay => ({ kind: 'days', n, before: true });
/** 00:00 of natural day `day` after the anchor's day (day 1 = the next day) */
export const naturalDayAfter = (day: number): Delay => ({
  kind: 'natural-day',
  day,
  count: 'after',
});
/** 00:00 of natural day `day` counted from the anchor's own day (day 1 = that day) */
export const naturalDayFrom = (day: number): Delay => ({
  kind: 'natural-day',
  day,
  count: 'from-day-of',
});

export function on(
  event: EventType,
  from: From[],
  to: State,
  effects: Effect[],
  clause: ClauseId,
  anchors: { record?: Anchor[]; clear?: Anchor[] } = {},
): Transition {
  return { on: event, from, to, effects, clause, ...anchors };
}

export function timer(
  id: string,
  anchor: Anchor,
  delay: Delay,
  when: State[],
  to: State | undefined,
  effects: Effect[],
  clause: ClauseId,
  anchors: { record?: Anchor[]; clear?: Anchor[] } = {},
): Timer {
  return { id, anchor, delay, when, ...(to ? { to } : {}), effects, clause, ...anchors };
}

/** Service opened without an order flow (simulate.md `activate`). */
export const opens = (clause: ClauseId): Rules => ({
  transitions: [on('activate', [null], 'active', [], clause)],
});

/**
 * A prepaid order: pending payment from its creation, void when the hold runs out
 * (G3.2.1: 7 days; P5/P6: 3 days), service opens at payment (G9.1.1). The paid
 * order may carry the term end, which anchors reminders.
 */
export function prepaidOrder(holdDays: number, clause: ClauseId): Rules {
  return {
    transitions: [
      on('order-created', [null], 'pending-payment', [], 'G3.2.1', { record: ['order'] }),
      on('order-paid', [null, 'pending-payment'], 'active', [], 'G9.1.1', {
        clear: ['order'],
        record: ['term-end'],
      }),
    ],
    timers: [timer('order-hold', 'order', days(holdDays), ['pending-payment'], 'void', [], clause)],
  };
}

/** A renewal paid while the term runs: no entry, the new term end re-anchors reminders. */
export const renewEarly = (clause: ClauseId): Rules => ({
  transitions: [on('renew', ['active'], 'active', [], clause, { record: ['term-end'] })],
});

/** A renewal in one of `from` restores the service; the expiry timers stop. */
export const renewRestores = (from: State[], clause: ClauseId): Rules => ({
  transitions: [
    on('renew', from, 'active', [], clause, {
      clear: ['expiry', 'stop', 'release'],
      record: ['term-end'],
    }),
  ],
});

/** Paying everything owed in one of `from` returns to active (agreement.md, P-terms preamble). */
export const paymentRestores = (from: State[], clause: ClauseId): Rules => ({
  transitions: [
    on('payment', from, 'active', [], clause, { clear: ['arrears', 'suspension', 'stop'] }),
  ],
});

export interface PolicyHead {
  id: ClauseId;
  variant?: Variant;
  variantRequired?: boolean;
  product: [en: string, zh: string];
  notes?: Text[];
  zone?: string;
}

export function policy(head: PolicyHead, ...rules: Rules[]): Policy {
  return {
    id: head.id,
    ...(head.variant ? { variant: head.variant } : {}),
    ...(head.variantRequired ? { variantRequired: true } : {}),
    product: { en: head.product[0], 'zh-CN': head.product[1] },
    zone: head.zone ?? AGREEMENT_ZONE,
    transitions: rules.flatMap((r) => r.transitions ?? []),
    timers: rules.flatMap((r) => r.timers ?? []),
    ...(head.notes ? { notes: head.notes } : {}),
  };
}
