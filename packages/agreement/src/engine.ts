// The lifecycle engine: pure functions over a plain, JSON-serialisable state.
//
//   evolve(state, event, now)  fire every timer due at or before `now`, then apply
//                              the event (if any) at `now`
//   due(state)                 the instant the next timer falls due, or null
//
// Deadline semantics: a timer due at instant T fires before an event at T. A rule
// "within 24 h of A" therefore means the half-open interval [A, A + 24 h): a payment
// at exactly A + 24 h comes too late. Timers due at the same instant fire in the order
// the policy lists them.
import { policyByKey, policyKey } from './catalog.ts';
import type { ClauseId } from './clauses.ts';
import { dueAt } from './delay.ts';
import type { Anchor, From, Policy, Timer, Transition } from './model.ts';
import type { Effect, EventType, State } from './vocabulary.ts';
import { TERMINAL_STATES, sortEffects } from './vocabulary.ts';

export interface InstanceState {
  /** policy key (`P5/postpaid`, `ID1`) */
  policy: string;
  /** null before the first event: no instance yet */
  state: State | null;
  /** recorded anchor instants, epoch ms */
  anchors: Partial<Record<Anchor, number>>;
  /** ids of timers that fired (or were already past) since their anchor was recorded */
  fired: string[];
}

export interface EngineEvent {
  type: EventType;
  /** optional term end (epoch ms) on order-paid / renew: anchors reminders (ID1) */
  termEnd?: number;
}

export interface Entry {
  at: number;
  state: State;
  cause: EventType | 'timer';
  clause: ClauseId;
  effects: Effect[];
}

export interface Step {
  state: InstanceState;
  entries: Entry[];
  /** set when the event was refused by the policy in the current state */
  ignored?: string;
}

interface CompiledTimer {
  timer: Timer;
  effects: Effect[];
}
interface Compiled {
  key: string;
  zone: string;
  transitions: Map<string, { t: Transition; effects: Effect[] }>;
  timersByState: Map<State, CompiledTimer[]>;
  timersByAnchor: Map<Anchor, Timer[]>;
}

const compiledCache = new WeakMap<Policy, Compiled>();
function compile(policy: Policy): Compiled {
  let c = compiledCache.get(policy);
  if (c) return c;
  c = {
    key: policyKey(policy),
    zone: policy.zone,
    transitions: new Map(),
    timersByState: new Map(),
    timersByAnchor: new Map(),
  };
  for (const t of policy.transitions) {
    for (const from of t.from) {
      const k = transitionKey(from, t.on);
      if (!c.transitions.has(k)) c.transitions.set(k, { t, effects: sortEffects(t.effects) });
    }
  }
  for (const timer of policy.timers) {
    const ct = { timer, effects: sortEffects(timer.effects) };
    for (const s of timer.when) c.timersByState.set(s, [...(c.timersByState.get(s) ?? []), ct]);
    c.timersByAnchor.set(timer.anchor, [...(c.timersByAnchor.get(timer.anchor) ?? []), timer]);
  }
  compiledCache.set(policy, c);
  return c;
}

function transitionKey(from: From, on: EventType): string {
  return `${from ?? ''}|${on}`;
}

export function initialState(policy: Policy): InstanceState {
  return { policy: policyKey(policy), state: null, anchors: {}, fired: [] };
}

function resolve(state: InstanceState, policy: Policy | undefined): Policy {
  const p = policy ?? policyByKey(state.policy);
  if (!p) throw new RangeError(`state.policy: unknown policy "${state.policy}"`);
  return p;
}

function nextTimer(c: Compiled, s: InstanceState): { ct: CompiledTimer; at: number } | null {
  if (s.state === null) return null;
  const timers = c.timersByState.get(s.state);
  if (!timers) return null;
  let best: { ct: CompiledTimer; at: number } | null = null;
  for (const ct of timers) {
    const anchor = s.anchors[ct.timer.anchor];
    if (anchor === undefined || s.fired.includes(ct.timer.id)) continue;
    const at = dueAt(ct.timer.delay, anchor, c.zone);
    if (best === null || at < best.at) best = { ct, at };
  }
  return best;
}

/** The instant the next timer falls due in this state, or null when none is running. */
export function due(state: InstanceState, policy?: Policy): number | null {
  return nextTimer(compile(resolve(state, policy)), state)?.at ?? null;
}

function forget(c: Compiled, s: InstanceState, anchor: Anchor): void {
  const timers = c.timersByAnchor.get(anchor);
  if (timers && s.fired.length) s.fired = s.fired.filter((id) => !timers.some((t) => t.id === id));
}

function record(c: Compiled, s: InstanceState, anchor: Anchor, at: number, now: number): void {
  forget(c, s, anchor);
  s.anchors[anchor] = at;
  // A timer whose instant is already past when its anchor is recorded (a reminder
  // 7 days before a term that ends in 3) is skipped, never fired late.
  for (const t of c.timersByAnchor.get(anchor) ?? []) {
    if (dueAt(t.delay, at, c.zone) < now) s.fired.push(t.id);
  }
}

function clear(c: Compiled, s: InstanceState, anchor: Anchor): void {
  forget(c, s, anchor);
  delete s.anchors[anchor];
}

function silentlyIgnored(s: InstanceState, type: EventType): boolean {
  switch (type) {
    case 'activate':
      return s.state !== null; // already opened
    case 'payment':
      return s.anchors.arrears === undefined; // nothing owed
    case 'arrears':
      return s.anchors.arrears !== undefined; // repeated arrears: the first one anchors
    default:
      return false;
  }
}

/**
 * Fire the timers due at or before `now`, then apply `event` at `now`. Returns the new
 * state (the argument is not modified), the timeline entries, and the reason when the
 * policy refused the event.
 */
export function evolve(
  state: InstanceState,
  event: EngineEvent | null,
  now: number,
  policy?: Policy,
): Step {
  const c = compile(resolve(state, policy));
  const s: InstanceState = {
    policy: state.policy,
    state: state.state,
    anchors: { ...state.anchors },
    fired: [...state.fired],
  };
  const entries: Entry[] = [];

  for (let next = nextTimer(c, s); next !== null && next.at <= now; next = nextTimer(c, s)) {
    const { ct, at } = next;
    const before = s.state;
    s.fired.push(ct.timer.id);
    if (ct.timer.to) s.state = ct.timer.to;
    for (const a of ct.timer.clear ?? []) clear(c, s, a);
    for (const a of ct.timer.record ?? []) record(c, s, a, at, at);
    if (s.state !== before || ct.effects.length > 0) {
      entries.push({
        at,
        state: s.state as State,
        cause: 'timer',
        clause: ct.timer.clause,
        effects: ct.effects,
      });
    }
  }
  if (!event) return { state: s, entries };

  const hit = c.transitions.get(transitionKey(s.state, event.type));
  if (hit) {
    const { t, effects } = hit;
    const before = s.state;
    s.state = t.to;
    for (const a of t.clear ?? []) clear(c, s, a);
    for (const a of t.record ?? []) {
      if (a !== 'term-end') record(c, s, a, now, now);
      else if (event.termEnd !== undefined) record(c, s, a, event.termEnd, now);
      else clear(c, s, a); // a renewal without a known term end: old reminders are stale
    }
    if (s.state !== before || effects.length > 0) {
      entries.push({ at: now, state: s.state, cause: event.type, clause: t.clause, effects });
    }
    return { state: s, entries };
  }
  if (s.state !== null && TERMINAL_STATES.includes(s.state)) {
    return { state: s, entries, ignored: `instance is ${s.state}: no event changes it` };
  }
  if (silentlyIgnored(s, event.type)) return { state: s, entries };
  return {
    state: s,
    entries,
    ignored: `${c.key} has no rule for "${event.type}" in state ${s.state === null ? '(no instance yet)' : `"${s.state}"`}`,
  };
}
