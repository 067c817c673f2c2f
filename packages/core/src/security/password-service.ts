// Password use-cases over the policy: the policy of an instance (stored or default),
// checking a candidate (rules, then history), setting a new password for a user in one
// transaction (hash, history, forced-change flag cleared, pending reset links voided),
// and the admin's "require a new password at next sign-in".
import type { Instance, User } from '../domain.ts';
import { AppError, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { CoreDeps } from '../services/context.ts';
import {
  checkPassword,
  defaultPasswordPolicy,
  effectivePolicy,
  passwordPolicySchema,
  violationText,
  type PasswordPolicy,
  type PasswordViolation,
} from './password-policy.ts';

/** A 400 naming the `password` field, with the rule(s) it broke; never the password. */
export function policyError(violations: PasswordViolation[], field = 'password'): AppError {
  const issues = violations.map((v) => ({ field, message: violationText(v) }));
  return new AppError('validation_failed', `${field}: ${issues[0]!.message}`, {
    issues,
    extra: { rules: violations.map((v) => v.rule) },
  });
}

export class PasswordService {
  readonly #deps: CoreDeps;
  constructor(deps: CoreDeps) {
    this.#deps = deps;
  }

  /** The policy in force for an instance (its own, else the defaults; platform ≥ 15). */
  async policy(instance: Instance): Promise<PasswordPolicy> {
    const own = await this.#deps.store.repos.passwordPolicies.get(instance.id);
    return effectivePolicy(own ?? defaultPasswordPolicy(instance.platform), instance.platform);
  }

  /** Whether the instance has its own policy (false: the defaults apply). */
  async hasOwnPolicy(instance: Instance): Promise<boolean> {
    return (await this.#deps.store.repos.passwordPolicies.get(instance.id)) !== null;
  }

  /** Replaces the instance's policy; the platform instance may not go below 15. */
  async setPolicy(instance: Instance, raw: unknown): Promise<PasswordPolicy> {
    const policy = parseInput(passwordPolicySchema, raw);
    if (instance.platform && policy.minLength < 15)
      throw new AppError(
        'validation_failed',
        'minLength: must be at least 15 on the platform instance (administrators)',
        {
          issues: [{ field: 'minLength', message: 'must be at least 15 on the platform instance' }],
        },
      );
    await this.#deps.store.repos.passwordPolicies.put(instance.id, policy, this.#deps.clock.now());
    return policy;
  }

  /** The rules a candidate breaks (history included when the user is known). */
  async violations(
    instance: Instance,
    password: string,
    who: { username?: string | null; email?: string | null; user?: User | null },
  ): Promise<PasswordViolation[]> {
    const policy = await this.policy(instance);
    const out = checkPassword(policy, password, {
      username: who.username ?? who.user?.username ?? null,
      email: who.email ?? who.user?.email ?? null,
    });
    if (out.length === 0 && policy.historyCount > 0 && who.user) {
      const state = await this.#deps.store.repos.passwordStates.get(instance.id, who.user.id);
      const previous = [who.user.passwordHash, ...(state?.history ?? [])]
        .filter((h): h is string => !!h)
        .slice(0, policy.historyCount);
      for (const h of previous)
        if ((await this.#deps.hasher.verify(h, password)).ok) {
          out.push({ rule: 'history', key: 'password.policy.history', params: {} });
          break;
        }
    }
    return out;
  }

  /** Throws a 400 naming `field` when the candidate breaks the policy. */
  async assertAcceptable(
    instance: Instance,
    password: string,
    who: { username?: string | null; email?: string | null; user?: User | null },
    field = 'password',
  ): Promise<void> {
    const v = await this.violations(instance, password, who);
    if (v.length) throw policyError(v, field);
  }

  /**
   * Sets a checked password (the caller ran assertAcceptable): in one transaction the new
   * hash, the previous one into the history, the forced-change flag cleared, unused reset
   * links voided; with `revokeSessions`, the user's OIDC sessions and tokens deleted.
   */
  async setPassword(
    instance: Instance,
    user: User,
    password: string,
    opts: { revokeSessions?: boolean; beforeWrite?: () => Promise<void> } = {},
  ): Promise<{ revoked: number }> {
    const { store, clock, hasher } = this.#deps;
    const policy = await this.policy(instance);
    const hash = await hasher.hash(password);
    return store.transaction(async (tx) => {
      await opts.beforeWrite?.();
      const at = clock.now();
      const current = await tx.users.get(instance.id, user.id);
      if (!current) throw notFound('user');
      await tx.users.update(instance.id, user.id, { passwordHash: hash }, at);
      await tx.passwordStates.recordChange(
        instance.id,
        user.id,
        current.passwordHash,
        policy.historyCount,
        at,
      );
      await tx.passwordResets.voidForUser(instance.id, user.id, at);
      const revoked = opts.revokeSessions
        ? await tx.passwordSessions.revokeUser(instance.id, user.id)
        : 0;
      return { revoked };
    });
  }

  async changeRequired(instance: Instance, userId: string): Promise<boolean> {
    return (
      (await this.#deps.store.repos.passwordStates.get(instance.id, userId))?.changeRequired ??
      false
    );
  }

  async requireChange(instance: Instance, userId: string, required = true): Promise<void> {
    const { store, clock } = this.#deps;
    if (!(await store.repos.users.get(instance.id, userId))) throw notFound('user');
    await store.repos.passwordStates.setChangeRequired(instance.id, userId, required, clock.now());
  }
}
