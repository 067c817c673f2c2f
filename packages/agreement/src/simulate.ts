// simulate(policy, events, until): the engine replayed over a scenario, as the
// `idaas agreement simulate` command prints it (simulate.md). Built only on
// evolve(); a durable scheduler driving real instances runs the same code.
import type { Entry, InstanceState } from './engine.ts';
import { evolve, initialState } from './engine.ts';
import type { Policy } from './model.ts';
import type { EventType, State } from './vocabulary.ts';

export interface SimEvent {
  /** epoch ms */
  at: number;
  type: EventType;
  /** optional term end (epoch ms) on order-paid / renew */
  termEnd?: number;
}

export interface Ignored {
  at: number;
  type: EventType;
  reason: string;
}

export interface Simulation {
  timeline: Entry[];
  ignored: Ignored[];
  final: State | null;
  state: InstanceState;
}

/**
 * Replays `events` (in time order; equal instants keep their order) against `policy`
 * and applies the timers due up to and including `until`. Events after `until` are
 * not applied; they are listed as ignored.
 */
export function simulate(policy: Policy, events: readonly SimEvent[], until: number): Simulation {
  let state = initialState(policy);
  const timeline: Entry[] = [];
  const ignored: Ignored[] = [];
  let last = -Infinity;
  for (const e of events) {
    if (e.at < last) throw new RangeError('events must be in time order');
    last = e.at;
    if (e.at > until) {
      ignored.push({ at: e.at, type: e.type, reason: 'after until: not simulated' });
      continue;
    }
    const step = evolve(
      state,
      e.termEnd === undefined ? { type: e.type } : { type: e.type, termEnd: e.termEnd },
      e.at,
      policy,
    );
    state = step.state;
    for (const entry of step.entries) timeline.push(entry);
    if (step.ignored !== undefined) ignored.push({ at: e.at, type: e.type, reason: step.ignored });
  }
  const rest = evolve(state, null, until, policy);
  for (const entry of rest.entries) timeline.push(entry);
  return { timeline, ignored, final: rest.state.state, state: rest.state };
}
