// The output side of simulate.md: the result object, in the documented key order,
// and its text: one timeline entry a line, as the contract shows it.
import type { Scenario } from './scenario.ts';
import type { Simulation } from './simulate.ts';
import { iso } from './time.ts';

export interface SimulationOutput {
  policy: string;
  variant?: string;
  timeline: { at: string; state: string; cause: string; clause: string; effects: string[] }[];
  ignored?: { at: string; type: string; reason: string }[];
  final: string | null;
}

/**
 * `variant` is the policy's variant (given or implied: P1 is postpaid); it is omitted
 * for policies without one (free products such as P3). `ignored` is omitted when empty.
 */
export function toOutput(scenario: Scenario, sim: Simulation): SimulationOutput {
  const v = scenario.policy.variant ?? scenario.variant;
  return {
    policy: scenario.policy.id,
    ...(v !== undefined ? { variant: v } : {}),
    timeline: sim.timeline.map((e) => ({
      at: iso(e.at),
      state: e.state,
      cause: e.cause,
      clause: e.clause,
      effects: [...e.effects],
    })),
    ...(sim.ignored.length
      ? { ignored: sim.ignored.map((i) => ({ at: iso(i.at), type: i.type, reason: i.reason })) }
      : {}),
    final: sim.final,
  };
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`);
    return parts.length ? `{ ${parts.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

/** Two-space JSON with each timeline/ignored entry on one line (simulate.md layout). */
export function formatOutput(out: SimulationOutput): string {
  const lines = Object.entries(out).map(([k, v]) => {
    if (Array.isArray(v) && v.length > 0) {
      return `  ${JSON.stringify(k)}: [\n${v.map((x) => `    ${inline(x)}`).join(',\n')}\n  ]`;
    }
    return `  ${JSON.stringify(k)}: ${inline(v)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}
