// The policy model: a lifecycle as data. A policy is a set of event transitions and
// timers; every rule names the clause it comes from.
import type { ClauseId } from './clauses.ts';
import type { Effect, EventType, State, Variant } from './vocabulary.ts';

/**
 * Anchors are recorded instants a timer counts from. `term-end` is not the instant of
 * an event but the optional `termEnd` an `order-paid`/`renew` event carries.
 */
export const ANCHORS = [
  'order',
  'term-end',
  'expiry',
  'arrears',
  'suspension',
  'stop',
  'release',
] as const;
export type Anchor = (typeof ANCHORS)[number];

/**
 * How far a timer lies from its anchor.
 * - `hours`: exact hours; `days`: exact N × 24 h (agreement.md, time conventions);
 *   `before: true` counts backwards (reminders before a term end).
 * - `natural-day`: 00:00 in the policy zone of natural day `day`, counted `after` the
 *   anchor's day (day 1 = date(A) + 1) or `from-day-of` it (day 1 = date(A)).
 *   "within N natural days" is modelled as the start of day N + 1.
 */
export type Delay =
  | { kind: 'hours'; n: number; before?: boolean }
  | { kind: 'days'; n: number; before?: boolean }
  | { kind: 'natural-day'; day: number; count: 'after' | 'from-day-of' };

/** `null` is the state before the first event: no instance yet. */
export type From = State | null;

export interface Transition {
  on: EventType;
  from: readonly From[];
  to: State;
  effects: readonly Effect[];
  clause: ClauseId;
  /** anchors recorded at the event's instant (`term-end`: from the event's `termEnd`) */
  record?: readonly Anchor[];
  /** anchors forgotten (re-anchoring: e.g. a payment that clears arrears) */
  clear?: readonly Anchor[];
}

export interface Timer {
  /** unique within the policy */
  id: string;
  anchor: Anchor;
  delay: Delay;
  /** the timer runs only while the instance is in one of these states */
  when: readonly State[];
  /** the state it moves to; omitted: the state stays, only the effects apply */
  to?: State;
  effects: readonly Effect[];
  clause: ClauseId;
  record?: readonly Anchor[];
  clear?: readonly Anchor[];
}

export interface Text {
  en: string;
  'zh-CN': string;
}

export interface Policy {
  /** the lifecycle clause: P1 … P31, ID1, ID2 */
  id: ClauseId;
  /** set where the product has a billing mode or the clause defines several variants */
  variant?: Variant;
  /** true when the clause defines several variants: the scenario must name one */
  variantRequired?: boolean;
  product: Text;
  /** IANA zone for natural days; the agreement zone unless the policy says otherwise */
  zone: string;
  transitions: readonly Transition[];
  timers: readonly Timer[];
  /** what the clause says beyond the timers (free products, reclaiming resources …) */
  notes?: readonly Text[];
}

export const AGREEMENT_ZONE = 'Asia/Shanghai';
