// Conditional access policies (issue 6): the schema of a policy and a pure evaluator.
//
// A policy of an instance has a priority (unique per instance, lower first), can be
// disabled, and decides `allow`, `deny` or `mfa` for a sign-in whose facts meet all of its
// conditions. Each condition lists what it includes (empty = anything) and, under
// `exclude`, what it excludes; an exclusion always beats an inclusion. The first enabled
// policy, in priority order, whose conditions all hold decides; when none does, the
// instance's default decision applies (`allow` unless set).
//
// Networks are CIDR blocks (IPv4 and IPv6) checked with node:net BlockList.
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

export const ACCESS_DECISIONS = ['allow', 'deny', 'mfa'] as const;
export type AccessDecisionKind = (typeof ACCESS_DECISIONS)[number];

export const DEVICE_CONDITIONS = ['any', 'new', 'known'] as const;
export type DeviceCondition = (typeof DEVICE_CONDITIONS)[number];

/** An application of the instance: an OIDC client (by client id) or a SAML SP (by entity id). */
export interface AppRef {
  kind: 'oidc' | 'saml';
  id: string;
}

export interface AccessConditions {
  applications: AppRef[];
  /** User ids. Together with `groups`: the user matches when either list names them. */
  users: string[];
  /** Group ids (membership from the directory). */
  groups: string[];
  /** CIDR blocks (or single addresses), IPv4 or IPv6. */
  networks: string[];
  device: DeviceCondition;
  exclude: {
    applications: AppRef[];
    users: string[];
    groups: string[];
    networks: string[];
  };
}

export interface AccessPolicy {
  instanceId: string;
  id: string;
  name: string;
  /** Unique per instance; lower is considered first. */
  priority: number;
  enabled: boolean;
  conditions: AccessConditions;
  decision: AccessDecisionKind;
  createdAt: Date;
  updatedAt: Date;
}

// ---- CIDR parsing (validation only; matching is BlockList's)

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a single address; null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const v = isIP(address);
  if (v === 0) return null;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  const max = v === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  return { address, prefix, family };
}

// ---- schemas (shared by the admin API and the CLI; field names are the wire's)

export const MAX_CONDITION_ENTRIES = 200;

const idSchema = z.string().min(1, 'must not be empty').max(1024);
export const appRefSchema = z.strictObject({
  kind: z.enum(['oidc', 'saml']).meta({ description: 'oidc: a client id; saml: an SP entity id' }),
  id: idSchema,
});
export const cidrSchema = z
  .string()
  .max(64)
  .refine((s) => parseCidr(s) !== null, {
    message: 'must be an IPv4 or IPv6 address or CIDR block, e.g. 10.0.0.0/8 or 2001:db8::/32',
  });

const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_CONDITION_ENTRIES).default([]);

export const accessExcludeSchema = z
  .strictObject({
    applications: list(appRefSchema),
    users: list(idSchema),
    groups: list(idSchema),
    networks: list(cidrSchema),
  })
  .meta({ id: 'AccessPolicyExclusions', description: 'What the policy never applies to' });

export const accessConditionsSchema = z
  .strictObject({
    applications: list(appRefSchema).meta({
      description: 'Applications the policy applies to (empty: every application)',
    }),
    users: list(idSchema).meta({ description: 'User ids (with groups; both empty: every user)' }),
    groups: list(idSchema).meta({ description: 'Group ids whose members the policy applies to' }),
    networks: list(cidrSchema).meta({
      description: 'Client networks, CIDR or single address, IPv4 or IPv6 (empty: any)',
    }),
    device: z.enum(DEVICE_CONDITIONS).default('any').meta({
      description: 'new: a browser the user never completed a sign-in from; known: one they did',
    }),
    exclude: accessExcludeSchema.default({
      applications: [],
      users: [],
      groups: [],
      networks: [],
    }),
  })
  .meta({ id: 'AccessPolicyConditions' });

const EMPTY_CONDITIONS: AccessConditions = {
  applications: [],
  users: [],
  groups: [],
  networks: [],
  device: 'any',
  exclude: { applications: [], users: [], groups: [], networks: [] },
};

export const MAX_PRIORITY = 1_000_000;
const nameSchema = z.string().trim().min(1, 'must not be empty').max(200);
const prioritySchema = z.number().int().min(0).max(MAX_PRIORITY);

/** A new policy; without a priority it goes after the last one. */
export const accessPolicyCreateSchema = z.strictObject({
  name: nameSchema,
  priority: prioritySchema.optional(),
  enabled: z.boolean().default(true),
  conditions: accessConditionsSchema.default(EMPTY_CONDITIONS),
  decision: z.enum(ACCESS_DECISIONS),
});

/** A change; `conditions`, when given, replaces the conditions as a whole. */
export const accessPolicyPatchSchema = z.strictObject({
  name: nameSchema.optional(),
  priority: prioritySchema.optional(),
  enabled: z.boolean().optional(),
  conditions: accessConditionsSchema.optional(),
  decision: z.enum(ACCESS_DECISIONS).optional(),
});

export type AccessPolicyCreate = z.output<typeof accessPolicyCreateSchema>;
export type AccessPolicyPatch = z.output<typeof accessPolicyPatchSchema>;

// ---- evaluation

/** What is known about a sign-in when policies are evaluated. */
export interface AccessFacts {
  /** The application signing the user in; null when there is none (e.g. the portal). */
  application: AppRef | null;
  userId: string;
  /** Ids of the groups the user belongs to. */
  groupIds: readonly string[];
  ip: string;
  deviceKnown: boolean;
}

export type ConditionName = 'application' | 'user' | 'network' | 'device';

export interface ConditionCheck {
  condition: ConditionName;
  ok: boolean;
  reason: string;
}

export interface PolicyRef {
  id: string;
  name: string;
  priority: number;
}

export interface EvaluationStep {
  policy: PolicyRef;
  /** matched: it decided; not-matched: a condition failed; disabled; not-reached: an earlier policy decided. */
  outcome: 'matched' | 'not-matched' | 'disabled' | 'not-reached';
  decision: AccessDecisionKind;
  /** The checks of each condition (empty for disabled and not-reached policies). */
  checks: ConditionCheck[];
}

export interface Evaluation {
  decision: AccessDecisionKind;
  /** The policy that decided; null when the default applied. */
  policy: PolicyRef | null;
  /** Every policy in priority order, then (if no policy decided) the default. */
  steps: EvaluationStep[];
  /** The same as human-readable lines. */
  explanation: string[];
}

const appText = (a: AppRef): string => `${a.kind}:${a.id}`;
const sameApp = (a: AppRef, b: AppRef): boolean => a.kind === b.kind && a.id === b.id;

function familyOf(ip: string): 'ipv4' | 'ipv6' | null {
  const v = isIP(ip);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

// BlockLists built from CIDR lists are memoised (a cache, not state: the same list always
// gives the same BlockList), so an evaluation does not rebuild them for every sign-in.
const MAX_CACHED_LISTS = 4096;
const blockLists = new Map<string, BlockList>();

function blockListOf(cidrs: readonly string[]): BlockList {
  const key = cidrs.join('\n');
  let b = blockLists.get(key);
  if (!b) {
    b = new BlockList();
    for (const text of cidrs) {
      const c = parseCidr(text);
      if (c) b.addSubnet(c.address, c.prefix, c.family);
    }
    if (blockLists.size >= MAX_CACHED_LISTS) blockLists.clear();
    blockLists.set(key, b);
  }
  return b;
}

/** The first CIDR of `cidrs` that contains `ip`, or null. */
function networkHit(cidrs: readonly string[], ip: string): string | null {
  const family = familyOf(ip);
  if (!family || cidrs.length === 0) return null;
  if (!blockListOf(cidrs).check(ip, family)) return null;
  // which one (for the explanation): only when the list as a whole contains the address
  return cidrs.find((text) => blockListOf([text]).check(ip, family)) ?? null;
}

function checkApplication(c: AccessConditions, f: AccessFacts): ConditionCheck {
  const condition = 'application';
  const app = f.application;
  const excluded = app ? c.exclude.applications.find((a) => sameApp(a, app)) : undefined;
  if (excluded) return { condition, ok: false, reason: `application ${appText(app!)} is excluded` };
  if (c.applications.length === 0) return { condition, ok: true, reason: 'any application' };
  if (!app) return { condition, ok: false, reason: 'no application, and the policy lists some' };
  return c.applications.some((a) => sameApp(a, app))
    ? { condition, ok: true, reason: `application ${appText(app)} is included` }
    : { condition, ok: false, reason: `application ${appText(app)} is not among the included` };
}

function checkUser(c: AccessConditions, f: AccessFacts): ConditionCheck {
  const condition = 'user';
  if (c.exclude.users.includes(f.userId))
    return { condition, ok: false, reason: `user ${f.userId} is excluded` };
  const exGroup = c.exclude.groups.find((g) => f.groupIds.includes(g));
  if (exGroup !== undefined)
    return { condition, ok: false, reason: `user is a member of excluded group ${exGroup}` };
  if (c.users.length === 0 && c.groups.length === 0)
    return { condition, ok: true, reason: 'any user' };
  if (c.users.includes(f.userId))
    return { condition, ok: true, reason: `user ${f.userId} is included` };
  const inGroup = c.groups.find((g) => f.groupIds.includes(g));
  if (inGroup !== undefined)
    return { condition, ok: true, reason: `user is a member of included group ${inGroup}` };
  return { condition, ok: false, reason: 'user is neither included nor in an included group' };
}

function checkNetwork(c: AccessConditions, f: AccessFacts): ConditionCheck {
  const condition = 'network';
  const ex = networkHit(c.exclude.networks, f.ip);
  if (ex) return { condition, ok: false, reason: `IP ${f.ip} is in excluded network ${ex}` };
  if (c.networks.length === 0) return { condition, ok: true, reason: 'any network' };
  const hit = networkHit(c.networks, f.ip);
  return hit
    ? { condition, ok: true, reason: `IP ${f.ip} is in network ${hit}` }
    : { condition, ok: false, reason: `IP ${f.ip} is in none of the networks` };
}

function checkDevice(c: AccessConditions, f: AccessFacts): ConditionCheck {
  const condition = 'device';
  const is = f.deviceKnown ? 'known' : 'new';
  if (c.device === 'any') return { condition, ok: true, reason: 'any device' };
  return c.device === is
    ? { condition, ok: true, reason: `the device is ${is}` }
    : {
        condition,
        ok: false,
        reason: `the device is ${is}, the policy is for ${c.device} devices`,
      };
}

/** The checks of one policy's conditions against the facts (all of them, for the explanation). */
export function checkConditions(c: AccessConditions, f: AccessFacts): ConditionCheck[] {
  return [checkApplication(c, f), checkUser(c, f), checkNetwork(c, f), checkDevice(c, f)];
}

const ref = (p: AccessPolicy): PolicyRef => ({ id: p.id, name: p.name, priority: p.priority });

function line(s: EvaluationStep): string {
  const head = `#${s.policy.priority} "${s.policy.name}" (${s.decision})`;
  switch (s.outcome) {
    case 'disabled':
      return `${head}: disabled`;
    case 'not-reached':
      return `${head}: not evaluated, an earlier policy decided`;
    case 'matched':
      return `${head}: matched — ${s.checks.map((c) => c.reason).join('; ')}`;
    case 'not-matched':
      return `${head}: not matched — ${s.checks
        .filter((c) => !c.ok)
        .map((c) => c.reason)
        .join('; ')}`;
  }
}

/**
 * Evaluates `policies` (any order; they are sorted by priority) for `facts`. Pure: the
 * same input gives the same result.
 */
export function evaluate(
  policies: readonly AccessPolicy[],
  defaultDecision: AccessDecisionKind,
  facts: AccessFacts,
): Evaluation {
  const ordered = [...policies].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
  const steps: EvaluationStep[] = [];
  let winner: AccessPolicy | null = null;
  for (const p of ordered) {
    const base = { policy: ref(p), decision: p.decision };
    if (winner) steps.push({ ...base, outcome: 'not-reached', checks: [] });
    else if (!p.enabled) steps.push({ ...base, outcome: 'disabled', checks: [] });
    else {
      const checks = checkConditions(p.conditions, facts);
      const ok = checks.every((c) => c.ok);
      steps.push({ ...base, outcome: ok ? 'matched' : 'not-matched', checks });
      if (ok) winner = p;
    }
  }
  const explanation = steps.map(line);
  if (winner) return { decision: winner.decision, policy: ref(winner), steps, explanation };
  explanation.push(
    ordered.length
      ? `no policy matched: the instance default applies (${defaultDecision})`
      : `no policies: the instance default applies (${defaultDecision})`,
  );
  return { decision: defaultDecision, policy: null, steps, explanation };
}
