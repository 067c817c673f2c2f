// The agreement engine as the scheduler drives it: `evolve` from @idaas/agreement, plus
// the one event the engine leaves to its caller — `expire` at a known term end (the
// agreement README: "the caller sends expire at the term end (the scheduler's job)").
import {
  due,
  evolve,
  policyByKey,
  type EngineEvent,
  type Entry,
  type InstanceState as EngineState,
  type Policy,
} from '@idaas/agreement';

function policyOf(s: EngineState): Policy {
  const p = policyByKey(s.policy);
  if (!p) throw new RangeError(`policy: unknown policy "${s.policy}"`);
  return p;
}

/**
 * When the instance expires by itself: its recorded term end, while the policy has an
 * `expire` rule in the current state and that term end has not expired it yet.
 */
export function expiryDue(s: EngineState, policy: Policy = policyOf(s)): number | null {
  const termEnd = s.anchors['term-end'];
  if (termEnd === undefined || s.state === null) return null;
  const expiry = s.anchors.expiry;
  if (expiry !== undefined && expiry >= termEnd) return null;
  const rule = policy.transitions.some((t) => t.on === 'expire' && t.from.includes(s.state));
  return rule ? termEnd : null;
}

/** The next instant anything happens to this state by itself (timer or expiry), or null. */
export function nextDue(s: EngineState): number | null {
  const policy = policyOf(s);
  const d = due(s, policy);
  const e = expiryDue(s, policy);
  if (d === null) return e;
  if (e === null) return d;
  return Math.min(d, e);
}

export interface Advanced {
  state: EngineState;
  entries: Entry[];
  ignored?: string;
}

/**
 * Fires everything due at or before `at` in order — timers, and the expiry at a term end
 * (a timer due at the same instant fires first: deadline semantics) — then applies
 * `event` at `at`.
 */
export function advance(state: EngineState, event: EngineEvent | null, at: number): Advanced {
  const policy = policyOf(state);
  let s = state;
  const entries: Entry[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const d = due(s, policy);
    const e = expiryDue(s, policy);
    const timer = d !== null && d <= at ? d : null;
    const expiry = e !== null && e <= at ? e : null;
    if (expiry !== null && (timer === null || expiry < timer)) {
      const step = evolve(s, { type: 'expire' }, expiry, policy);
      entries.push(...step.entries);
      if (step.state.anchors.expiry === s.anchors.expiry && step.state.state === s.state) {
        // the rule did not record an expiry: remember the term end as expired
        s = { ...step.state, anchors: { ...step.state.anchors, expiry } };
      } else s = step.state;
    } else if (timer !== null) {
      const step = evolve(s, null, timer, policy);
      entries.push(...step.entries);
      s = step.state;
    } else break;
  }
  if (!event) return { state: s, entries };
  const step = evolve(s, event, at, policy);
  entries.push(...step.entries);
  return step.ignored === undefined
    ? { state: step.state, entries }
    : { state: step.state, entries, ignored: step.ignored };
}
