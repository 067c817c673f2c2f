// Validation of policies at load: shape (zod), then meaning. Every error names the
// field, e.g. `P1.timers[1].anchor: "suspension" is never recorded`.
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { CLAUSE_IDS } from './clauses.ts';
import type { Anchor, From, Policy } from './model.ts';
import { ANCHORS } from './model.ts';
import type { State } from './vocabulary.ts';
import { EFFECTS, EVENT_TYPES, FINAL_STATES, STATES, VARIANTS } from './vocabulary.ts';

export class PolicyError extends Error {
  override name = 'PolicyError';
}

const clause = z.enum(CLAUSE_IDS);
const state = z.enum(STATES);
const effects = z.array(z.enum(EFFECTS));
const anchors = z.array(z.enum(ANCHORS)).optional();
const count = z.number().int().positive();
const delay = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hours'), n: count, before: z.boolean().optional() }).strict(),
  z.object({ kind: z.literal('days'), n: count, before: z.boolean().optional() }).strict(),
  z
    .object({ kind: z.literal('natural-day'), day: count, count: z.enum(['after', 'from-day-of']) })
    .strict(),
]);
const text = z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) }).strict();

const policySchema = z
  .object({
    id: clause,
    variant: z.enum(VARIANTS).optional(),
    variantRequired: z.boolean().optional(),
    product: text,
    zone: z.string().min(1),
    transitions: z.array(
      z
        .object({
          on: z.enum(EVENT_TYPES),
          from: z.array(state.nullable()).min(1),
          to: state,
          effects,
          clause,
          record: anchors,
          clear: anchors,
        })
        .strict(),
    ),
    timers: z.array(
      z
        .object({
          id: z.string().min(1),
          anchor: z.enum(ANCHORS),
          delay,
          when: z.array(state).min(1),
          to: state.optional(),
          effects,
          clause,
          record: anchors,
          clear: anchors,
        })
        .strict(),
    ),
    notes: z.array(text).optional(),
  })
  .strict();

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Throws PolicyError naming the first problem; returns the policy when it is sound. */
export function validatePolicy(policy: unknown): Policy {
  const name = (policy as { id?: unknown } | null)?.id;
  const at = typeof name === 'string' ? name : 'policy';
  const parsed = policySchema.safeParse(policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PolicyError(`${at}${pathOf(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`);
  }
  const p = policy as Policy;
  const fail = (field: string, msg: string): never => {
    throw new PolicyError(`${at}.${field}: ${msg}`);
  };

  if (!/^(P\d+|ID\d+)$/.test(p.id))
    fail('id', `${p.id} is not a lifecycle clause (P1–P31, ID1, ID2)`);
  if (p.variantRequired && !p.variant) fail('variant', 'required when variantRequired is set');
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(p.zone);
  } catch {
    fail('zone', `unknown time zone ${JSON.stringify(p.zone)}`);
  }

  // Which anchors something records; term-end comes only from order-paid / renew.
  const recorded = new Set<Anchor>();
  p.transitions.forEach((t, i) => {
    for (const a of t.record ?? []) {
      if (a === 'term-end' && t.on !== 'order-paid' && t.on !== 'renew') {
        fail(
          `transitions[${i}].record`,
          `"term-end" comes from an order-paid or renew event, not "${t.on}"`,
        );
      }
      recorded.add(a);
    }
  });
  p.timers.forEach((t) => (t.record ?? []).forEach((a) => recorded.add(a)));

  const seenTransition = new Set<string>();
  p.transitions.forEach((t, i) => {
    for (const f of t.from) {
      const k = `${f}|${t.on}`;
      if (seenTransition.has(k))
        fail(`transitions[${i}]`, `a second rule for "${t.on}" from ${f ?? '(no instance)'}`);
      seenTransition.add(k);
      if (f !== null && FINAL_STATES.includes(f))
        fail(`transitions[${i}].from`, `"${f}" is final: nothing leaves it`);
    }
  });
  const ids = new Set<string>();
  p.timers.forEach((t, i) => {
    const f = `timers[${i}]`;
    if (ids.has(t.id)) fail(`${f}.id`, `duplicate timer id "${t.id}"`);
    ids.add(t.id);
    if (!recorded.has(t.anchor))
      fail(`${f}.anchor`, `"${t.anchor}" is never recorded: a timer needs an anchor`);
    if ('before' in t.delay && t.delay.before && t.anchor !== 'term-end') {
      fail(`${f}.delay`, 'only a term end may be counted backwards from');
    }
    for (const s of t.when)
      if (FINAL_STATES.includes(s)) fail(`${f}.when`, `"${s}" is final: no timer runs in it`);
    if (t.to === undefined && t.effects.length === 0)
      fail(f, 'a timer must change the state or carry effects');
  });

  // Reachability from "no instance yet" over transitions and timers.
  const reached = new Set<From>([null]);
  for (let grew = true; grew;) {
    grew = false;
    for (const t of p.transitions) {
      if (t.from.some((f) => reached.has(f)) && !reached.has(t.to)) {
        reached.add(t.to);
        grew = true;
      }
    }
    for (const t of p.timers) {
      if (t.to && t.when.some((s) => reached.has(s)) && !reached.has(t.to)) {
        reached.add(t.to);
        grew = true;
      }
    }
  }
  const mentioned: [string, State][] = [
    ...p.transitions.flatMap((t, i) => [
      ...t.from
        .filter((s): s is State => s !== null)
        .map((s): [string, State] => [`transitions[${i}].from`, s]),
      [`transitions[${i}].to`, t.to] as [string, State],
    ]),
    ...p.timers.flatMap((t, i) => [
      ...t.when.map((s): [string, State] => [`timers[${i}].when`, s]),
      ...(t.to ? [[`timers[${i}].to`, t.to] as [string, State]] : []),
    ]),
  ];
  for (const [field, s] of mentioned) {
    if (!reached.has(s)) fail(field, `state "${s}" is unreachable`);
  }
  if (!p.transitions.some((t) => t.from.includes(null)))
    fail('transitions', 'no rule opens an instance');
  return p;
}

/** Validates every policy and the catalog as a whole: one entry per (clause, variant). */
export function validateCatalog(policies: readonly Policy[]): void {
  const keys = new Set<string>();
  for (const p of policies) {
    validatePolicy(p);
    const k = `${p.id}/${p.variant ?? ''}`;
    if (keys.has(k))
      throw new PolicyError(`${p.id}: two policies for variant ${p.variant ?? '(none)'}`);
    keys.add(k);
  }
  for (const p of policies) {
    const siblings = policies.filter((q) => q.id === p.id);
    if (siblings.length > 1 && !p.variantRequired) {
      throw new PolicyError(
        `${p.id}.variantRequired: the clause has ${siblings.length} variants; set it`,
      );
    }
  }
  const lifecycle = CLAUSE_IDS.filter((c) => /^(P\d+|ID[12])$/.test(c));
  for (const c of lifecycle) {
    if (!policies.some((p) => p.id === c))
      throw new PolicyError(`catalog: no policy for lifecycle clause ${c}`);
  }
}
