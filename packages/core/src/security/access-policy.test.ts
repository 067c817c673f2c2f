// The conditional-access evaluator: examples of each condition, CIDR parsing, schema
// errors naming fields, and properties (fast-check) of the ordering rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ACCESS_DECISIONS,
  accessPolicyCreateSchema,
  evaluate,
  parseCidr,
  type AccessConditions,
  type AccessFacts,
  type AccessPolicy,
} from './access-policy.ts';
import { parseInput } from '../validation.ts';

const at = new Date('2026-01-01T00:00:00Z');

function conditions(c: Partial<AccessConditions> = {}): AccessConditions {
  return {
    applications: [],
    users: [],
    groups: [],
    networks: [],
    device: 'any',
    ...c,
    exclude: { applications: [], users: [], groups: [], networks: [], ...c.exclude },
  };
}

let seq = 0;
function policy(p: Partial<AccessPolicy> & Pick<AccessPolicy, 'decision'>): AccessPolicy {
  seq++;
  return {
    instanceId: 'ins',
    id: `p${seq}`,
    name: `policy ${seq}`,
    priority: seq * 10,
    enabled: true,
    conditions: conditions(),
    createdAt: at,
    updatedAt: at,
    ...p,
  };
}

const facts: AccessFacts = {
  application: { kind: 'oidc', id: 'portal' },
  userId: 'u1',
  groupIds: ['g-staff'],
  ip: '10.1.2.3',
  deviceKnown: true,
};

describe('parseCidr', () => {
  test('IPv4 and IPv6 blocks and single addresses', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('2001:db8::/32'), {
      address: '2001:db8::',
      prefix: 32,
      family: 'ipv6',
    });
    assert.deepEqual(parseCidr('192.0.2.7'), { address: '192.0.2.7', prefix: 32, family: 'ipv4' });
    assert.equal(parseCidr('::1')?.prefix, 128);
  });
  test('rejects what is not a block', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0/8', '10.0.0.0/', '10.0.0.0/-1', 'x', ''])
      assert.equal(parseCidr(bad), null, bad);
  });
});

describe('schema', () => {
  test('a bad CIDR names its place: conditions.networks[1]', () => {
    assert.throws(
      () =>
        parseInput(accessPolicyCreateSchema, {
          name: 'n',
          decision: 'deny',
          conditions: { networks: ['10.0.0.0/8', '10.0.0.0/40'] },
        }),
      /^AppError: conditions\.networks\[1\]: must be an IPv4 or IPv6/,
    );
    assert.throws(
      () =>
        parseInput(accessPolicyCreateSchema, {
          name: 'n',
          decision: 'deny',
          conditions: { exclude: { networks: ['nope'] } },
        }),
      /conditions\.exclude\.networks\[0\]/,
    );
  });
  test('unknown fields and decisions are refused; defaults fill the rest', () => {
    assert.throws(
      () => parseInput(accessPolicyCreateSchema, { name: 'n', decision: 'maybe' }),
      /decision/,
    );
    assert.throws(
      () => parseInput(accessPolicyCreateSchema, { name: 'n', decision: 'allow', colour: 1 }),
      /colour/,
    );
    const p = parseInput(accessPolicyCreateSchema, { name: ' n ', decision: 'allow' });
    assert.equal(p.name, 'n');
    assert.equal(p.enabled, true);
    assert.deepEqual(p.conditions, conditions());
  });
});

describe('evaluate: examples', () => {
  test('no policies: the default, explained', () => {
    const r = evaluate([], 'mfa', facts);
    assert.equal(r.decision, 'mfa');
    assert.equal(r.policy, null);
    assert.deepEqual(r.explanation, ['no policies: the instance default applies (mfa)']);
  });

  test('networks, IPv4 and IPv6, including IPv4-mapped addresses', () => {
    const office = policy({
      decision: 'allow',
      conditions: conditions({ networks: ['10.0.0.0/8'] }),
    });
    const v6 = policy({ decision: 'mfa', conditions: conditions({ networks: ['2001:db8::/32'] }) });
    assert.equal(evaluate([office, v6], 'deny', facts).policy?.id, office.id);
    assert.equal(
      evaluate([office, v6], 'deny', { ...facts, ip: '::ffff:10.9.9.9' }).decision,
      'allow',
    );
    assert.equal(evaluate([office, v6], 'deny', { ...facts, ip: '2001:db8::5' }).decision, 'mfa');
    const out = evaluate([office, v6], 'deny', { ...facts, ip: '192.0.2.1' });
    assert.equal(out.decision, 'deny');
    assert.match(out.explanation[0]!, /not matched — IP 192\.0\.2\.1 is in none of the networks/);
    assert.match(out.explanation[2]!, /no policy matched: the instance default applies \(deny\)/);
  });

  test('applications: included, excluded, none', () => {
    const p = policy({
      decision: 'deny',
      conditions: conditions({ applications: [{ kind: 'saml', id: 'https://sp/' }] }),
    });
    assert.equal(evaluate([p], 'allow', facts).decision, 'allow');
    assert.equal(
      evaluate([p], 'allow', { ...facts, application: { kind: 'saml', id: 'https://sp/' } })
        .decision,
      'deny',
    );
    // same id, other kind: not the same application
    assert.equal(
      evaluate([p], 'allow', { ...facts, application: { kind: 'oidc', id: 'https://sp/' } })
        .decision,
      'allow',
    );
    assert.equal(evaluate([p], 'allow', { ...facts, application: null }).decision, 'allow');
    const ex = policy({
      decision: 'deny',
      conditions: conditions({
        exclude: {
          applications: [{ kind: 'oidc', id: 'portal' }],
          users: [],
          groups: [],
          networks: [],
        },
      }),
    });
    assert.equal(evaluate([ex], 'allow', facts).decision, 'allow');
    assert.equal(evaluate([ex], 'allow', { ...facts, application: null }).decision, 'deny');
  });

  test('users and groups: either includes; excluded group beats included user', () => {
    const byGroup = policy({ decision: 'mfa', conditions: conditions({ groups: ['g-staff'] }) });
    assert.equal(evaluate([byGroup], 'allow', facts).decision, 'mfa');
    assert.equal(evaluate([byGroup], 'allow', { ...facts, groupIds: [] }).decision, 'allow');
    const mixed = policy({
      decision: 'deny',
      conditions: conditions({
        users: ['u1'],
        exclude: { applications: [], users: [], groups: ['g-staff'], networks: [] },
      }),
    });
    const r = evaluate([mixed], 'allow', facts);
    assert.equal(r.decision, 'allow');
    assert.match(r.explanation[0]!, /user is a member of excluded group g-staff/);
  });

  test('device: new, known, any', () => {
    const onNew = policy({ decision: 'mfa', conditions: conditions({ device: 'new' }) });
    assert.equal(evaluate([onNew], 'allow', facts).decision, 'allow');
    assert.equal(evaluate([onNew], 'allow', { ...facts, deviceKnown: false }).decision, 'mfa');
  });

  test('the explanation lists every policy in priority order', () => {
    const a = policy({ decision: 'deny', priority: 30, name: 'late' });
    const b = policy({ decision: 'mfa', priority: 10, name: 'off', enabled: false });
    const c = policy({ decision: 'allow', priority: 20, name: 'hits' });
    const r = evaluate([a, b, c], 'deny', facts);
    assert.equal(r.decision, 'allow');
    assert.deepEqual(r.policy, { id: c.id, name: 'hits', priority: 20 });
    assert.deepEqual(
      r.steps.map((s) => [s.policy.name, s.outcome]),
      [
        ['off', 'disabled'],
        ['hits', 'matched'],
        ['late', 'not-reached'],
      ],
    );
    assert.equal(r.explanation.length, 3);
    assert.match(r.explanation[1]!, /^#20 "hits" \(allow\): matched — any application; any user/);
  });
});

// ---- properties

const ids = ['a', 'b', 'c'];
const arbApp = fc.record({
  kind: fc.constantFrom('oidc' as const, 'saml' as const),
  id: fc.constantFrom(...ids),
});
const arbNet = fc.constantFrom('10.0.0.0/8', '10.1.0.0/16', '192.0.2.0/24', '2001:db8::/32', '::1');
const arbIds = fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 2 });
const arbConditions: fc.Arbitrary<AccessConditions> = fc.record({
  applications: fc.array(arbApp, { maxLength: 2 }),
  users: arbIds,
  groups: arbIds,
  networks: fc.uniqueArray(arbNet, { maxLength: 2 }),
  device: fc.constantFrom('any' as const, 'new' as const, 'known' as const),
  exclude: fc.record({
    applications: fc.array(arbApp, { maxLength: 1 }),
    users: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 1 }),
    groups: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 1 }),
    networks: fc.uniqueArray(arbNet, { maxLength: 1 }),
  }),
});
const arbDecision = fc.constantFrom(...ACCESS_DECISIONS);
const arbPolicies = fc
  .array(fc.record({ enabled: fc.boolean(), conditions: arbConditions, decision: arbDecision }), {
    maxLength: 6,
  })
  .chain((ps) =>
    fc
      .shuffledSubarray([...Array(100).keys()], { minLength: ps.length, maxLength: ps.length })
      .map((prios) =>
        ps.map((p, i): AccessPolicy => ({
          ...p,
          instanceId: 'ins',
          id: `p${i}`,
          name: `p${i}`,
          priority: prios[i]!,
          createdAt: at,
          updatedAt: at,
        })),
      ),
  );
const arbFacts: fc.Arbitrary<AccessFacts> = fc.record({
  application: fc.option(arbApp, { nil: null }),
  userId: fc.constantFrom(...ids),
  groupIds: arbIds,
  ip: fc.constantFrom('10.1.2.3', '10.2.0.1', '192.0.2.9', '198.51.100.1', '2001:db8::7', '::1'),
  deviceKnown: fc.boolean(),
});

describe('evaluate: properties', () => {
  test('the first enabled matching policy in priority order decides', () => {
    fc.assert(
      fc.property(arbPolicies, arbDecision, arbFacts, (ps, def, f) => {
        const r = evaluate(ps, def, f);
        const sorted = [...ps].sort((a, b) => a.priority - b.priority);
        const first = sorted.find((p) => p.enabled && evaluate([p], def, f).policy !== null);
        assert.equal(r.policy?.id ?? null, first?.id ?? null);
        assert.equal(r.decision, first ? first.decision : def);
        assert.deepEqual(
          r.steps.map((s) => s.policy.id),
          sorted.map((p) => p.id),
        );
        // independent of the order the policies are given in
        assert.deepEqual(evaluate([...ps].reverse(), def, f), r);
      }),
    );
  });

  test('disabled policies never match', () => {
    fc.assert(
      fc.property(arbPolicies, arbDecision, arbFacts, (ps, def, f) => {
        const off = ps.map((p) => ({ ...p, enabled: false }));
        const r = evaluate(off, def, f);
        assert.equal(r.policy, null);
        assert.equal(r.decision, def);
        assert.ok(r.steps.every((s) => s.outcome === 'disabled'));
      }),
    );
  });

  test('exclude beats include: excluding the sign-in’s user, app or network unmatches a policy', () => {
    fc.assert(
      fc.property(arbConditions, arbDecision, arbFacts, fc.nat(3), (c, d, f, which) => {
        const ex = { ...c.exclude };
        if (which === 0) ex.users = [f.userId];
        else if (which === 1 && f.groupIds.length) ex.groups = [f.groupIds[0]!];
        else if (which === 2 && f.application) ex.applications = [f.application];
        else ex.networks = [f.ip];
        // everything included too
        const p = policy({
          decision: d,
          conditions: {
            ...c,
            users: [f.userId],
            groups: [...f.groupIds],
            applications: f.application ? [f.application] : [],
            networks: [f.ip],
            exclude: ex,
          },
        });
        assert.equal(evaluate([p], 'allow', f).policy, null);
      }),
    );
  });

  test('a policy without conditions matches every sign-in', () => {
    fc.assert(
      fc.property(arbDecision, arbFacts, (d, f) => {
        assert.equal(evaluate([policy({ decision: d })], 'allow', f).decision, d);
      }),
    );
  });
});
