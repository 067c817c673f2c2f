// Passwords (issue 6): what the core and the server need from storage — the policy of
// each instance, per-user password state (forced change, history of previous hashes),
// self-service reset tokens (stored hashed) and revocation of a user's OIDC sessions.
// Implemented in packages/storage/src/passwords.ts.
import type { PasswordPolicy } from './password-policy.ts';

export interface PasswordPolicyRepo {
  /** The instance's own policy; null when it uses the defaults. */
  get(instanceId: string): Promise<PasswordPolicy | null>;
  put(instanceId: string, policy: PasswordPolicy, at: Date): Promise<void>;
}

export interface PasswordState {
  instanceId: string;
  userId: string;
  /** An administrator requires a new password at the next sign-in. */
  changeRequired: boolean;
  /** Hashes of previous passwords, newest first (only as many as the policy keeps). */
  history: string[];
  changedAt: Date | null;
}

export interface PasswordStateRepo {
  get(instanceId: string, userId: string): Promise<PasswordState | null>;
  setChangeRequired(instanceId: string, userId: string, required: boolean, at: Date): Promise<void>;
  /**
   * A new password was set: pushes the previous hash (if any) onto the history, keeps the
   * newest `keep`, clears the forced-change flag.
   */
  recordChange(
    instanceId: string,
    userId: string,
    previousHash: string | null,
    keep: number,
    at: Date,
  ): Promise<void>;
}

export interface PasswordResetToken {
  instanceId: string;
  /** SHA-256 of the token, hex: the token itself is never stored. */
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface PasswordResetRepo {
  insert(t: PasswordResetToken): Promise<void>;
  get(instanceId: string, tokenHash: string): Promise<PasswordResetToken | null>;
  /** Marks an unused token used; false if it had been used already (a concurrent use). */
  markUsed(instanceId: string, tokenHash: string, at: Date): Promise<boolean>;
  /** Marks every unused token of a user used (a newer reset or password change voids them). */
  voidForUser(instanceId: string, userId: string, at: Date): Promise<number>;
  /** Deletes tokens that expired before `before`; returns how many. */
  sweep(before: Date): Promise<number>;
}

export interface PasswordSessionRepo {
  /** Deletes the user's OIDC sessions, grants, refresh/access tokens and codes; returns how many. */
  revokeUser(instanceId: string, userId: string): Promise<number>;
}

export interface PasswordRepos {
  passwordPolicies: PasswordPolicyRepo;
  passwordStates: PasswordStateRepo;
  passwordResets: PasswordResetRepo;
  passwordSessions: PasswordSessionRepo;
}
