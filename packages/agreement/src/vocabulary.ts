// The vocabulary of agreement.md ("States and effects") and of simulate.md (event
// types, variants). Order matters: effects are always listed in this order.

export const STATES = [
  'pending-payment',
  'void',
  'active',
  'grace',
  'restricted',
  'suspended',
  'terminated',
  'released',
  'downgraded',
] as const;
export type State = (typeof STATES)[number];

/** States no event leaves. `terminated` may still carry effect-only timers (P6). */
export const TERMINAL_STATES: readonly State[] = ['void', 'terminated', 'released'];
/** States nothing leaves at all, not even a timer (G6.5: deletion is irreversible). */
export const FINAL_STATES: readonly State[] = ['void', 'released'];

export const EFFECTS = [
  'block-create',
  'block-write',
  'block-console',
  'block-api',
  'stop-running-jobs',
  'finish-running-jobs',
  'drop-queued-jobs',
  'retain-data',
  'delete-data',
  'delete-config',
  'billing-continues',
  'billing-stops',
  'forfeit-quota',
  'fallback-postpaid',
  'notify',
] as const;
export type Effect = (typeof EFFECTS)[number];

export const EVENT_TYPES = [
  'order-created',
  'order-paid',
  'activate',
  'expire',
  'quota-exhausted',
  'renew',
  'arrears',
  'payment',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const VARIANTS = [
  'subscription',
  'postpaid',
  'on-premises',
  'cloud',
  'organisation',
  'consortium',
] as const;
export type Variant = (typeof VARIANTS)[number];

const effectRank = new Map<string, number>(EFFECTS.map((e, i) => [e, i]));

/** Effects in vocabulary order, without duplicates. */
export function sortEffects(effects: readonly Effect[]): Effect[] {
  return [...new Set(effects)].sort((a, b) => (effectRank.get(a) ?? 0) - (effectRank.get(b) ?? 0));
}

export function isState(x: unknown): x is State {
  return typeof x === 'string' && (STATES as readonly string[]).includes(x);
}
export function isEventType(x: unknown): x is EventType {
  return typeof x === 'string' && (EVENT_TYPES as readonly string[]).includes(x);
}
export function isVariant(x: unknown): x is Variant {
  return typeof x === 'string' && (VARIANTS as readonly string[]).includes(x);
}
