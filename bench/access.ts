// node bench/access.ts — the conditional-access evaluator on one core: evaluations per
// second for an instance with POLICIES policies of CIDRS networks each (IPv4 and IPv6),
// the sign-in matching none of them (the worst case: every policy and network checked,
// the explanation built). Prints the figure; nothing is asserted.
import { performance } from 'node:perf_hooks';
import { evaluate, type AccessFacts, type AccessPolicy } from '@idaas/core';

const POLICIES = Number(process.env.POLICIES ?? 50);
const CIDRS = Number(process.env.CIDRS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 2_000);
const at = new Date(0);

const policies: AccessPolicy[] = Array.from({ length: POLICIES }, (_, i) => ({
  instanceId: 'ins',
  id: `p${i}`,
  name: `policy ${i}`,
  priority: i,
  enabled: true,
  decision: 'deny',
  conditions: {
    applications: [],
    users: [],
    groups: [`g${i}`, `h${i}`],
    networks: Array.from({ length: CIDRS }, (_, j) =>
      j % 2 ? `10.${i}.${j}.0/24` : `2001:db8:${i.toString(16)}:${j.toString(16)}::/64`,
    ),
    device: 'any',
    exclude: { applications: [], users: [], groups: [], networks: [] },
  },
  createdAt: at,
  updatedAt: at,
}));
const facts: AccessFacts = {
  application: { kind: 'oidc', id: 'web' },
  userId: 'u',
  groupIds: ['g-none'],
  ip: '192.0.2.10',
  deviceKnown: true,
};
// the user is in none of the groups, so every policy fails on `user` but still checks
// its networks (all conditions are evaluated for the explanation)

for (let i = 0; i < 200; i++) evaluate(policies, 'allow', facts); // warm-up
const t0 = performance.now();
for (let i = 0; i < ROUNDS; i++) evaluate(policies, 'allow', facts);
const ms = performance.now() - t0;
console.log(
  `access evaluate: ${POLICIES} policies × ${CIDRS} networks, no match: ` +
    `${Math.round((ROUNDS / ms) * 1000)} evaluations/s (${((ms / ROUNDS) * 1000).toFixed(0)} µs each)`,
);
