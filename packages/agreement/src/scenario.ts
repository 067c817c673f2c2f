// The input side of simulate.md: a scenario as parsed JSON → a checked scenario, or
// one error naming the field (`events[3].at: timestamp has no UTC offset`).
import { findPolicy } from './catalog.ts';
import type { Policy } from './model.ts';
import type { SimEvent } from './simulate.ts';
import { parseInstant } from './time.ts';
import { EVENT_TYPES, isEventType, isVariant, VARIANTS } from './vocabulary.ts';

export interface Scenario {
  policy: Policy;
  /** the variant as given in the input, if any */
  variant?: string;
  events: SimEvent[];
  until: number;
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function timestamp(obj: Record<string, unknown>, key: string, field: string): number {
  if (!(key in obj)) throw new ScenarioError(field, 'required');
  const p = parseInstant(obj[key]);
  if (!p.ok) throw new ScenarioError(field, p.error);
  return p.ms;
}

/** Checks a parsed scenario; throws ScenarioError naming the first bad field. */
export function parseScenario(input: unknown): Scenario {
  if (!isObject(input)) throw new ScenarioError('(input)', 'expected a JSON object');

  if (!('policy' in input)) throw new ScenarioError('policy', 'required');
  if (typeof input.policy !== 'string') throw new ScenarioError('policy', 'expected a string');
  const variant = input.variant;
  if (variant !== undefined) {
    if (typeof variant !== 'string') throw new ScenarioError('variant', 'expected a string');
    if (!isVariant(variant)) {
      throw new ScenarioError(
        'variant',
        `unknown variant ${JSON.stringify(variant)} (one of ${VARIANTS.join(', ')})`,
      );
    }
  }
  const found = findPolicy(input.policy, variant);
  if (!found.ok) throw new ScenarioError(found.field, found.error);

  if (!('events' in input)) throw new ScenarioError('events', 'required');
  if (!Array.isArray(input.events)) throw new ScenarioError('events', 'expected an array');
  const events: SimEvent[] = [];
  input.events.forEach((raw: unknown, i: number) => {
    const f = `events[${i}]`;
    if (!isObject(raw)) throw new ScenarioError(f, 'expected an object');
    const at = timestamp(raw, 'at', `${f}.at`);
    const prev = events[i - 1];
    if (prev && at < prev.at)
      throw new ScenarioError(`${f}.at`, `out of order: earlier than events[${i - 1}].at`);
    if (!('type' in raw)) throw new ScenarioError(`${f}.type`, 'required');
    if (!isEventType(raw.type)) {
      throw new ScenarioError(
        `${f}.type`,
        `unknown event type ${JSON.stringify(raw.type)} (one of ${EVENT_TYPES.join(', ')})`,
      );
    }
    const event: SimEvent = { at, type: raw.type };
    if (raw.termEnd !== undefined) {
      if (raw.type !== 'order-paid' && raw.type !== 'renew') {
        throw new ScenarioError(
          `${f}.termEnd`,
          'only order-paid and renew events carry a term end',
        );
      }
      event.termEnd = timestamp(raw, 'termEnd', `${f}.termEnd`);
      if (event.termEnd <= at) throw new ScenarioError(`${f}.termEnd`, 'must be after the event');
    }
    events.push(event);
  });

  const until = timestamp(input, 'until', 'until');
  return { policy: found.policy, ...(variant !== undefined ? { variant } : {}), events, until };
}
