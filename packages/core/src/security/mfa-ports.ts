// Multi-factor authentication (issue 6): what the sign-in flow and the account pages need
// from storage (implemented in packages/storage/src/mfa.ts).

export type MfaFactorKind = 'totp' | 'webauthn' | 'email' | 'sms';

/** An enrolled second factor of a user. Secrets are sealed; nothing here is shown to anyone. */
export interface MfaFactor {
  instanceId: string;
  id: string;
  userId: string;
  kind: MfaFactorKind;
  /** The user's label ("Phone", "YubiKey 5"). */
  name: string;
  /** TOTP: the shared secret sealed under the instance data key. */
  secretEncrypted: string | null;
  /** WebAuthn: credential id (base64url). */
  credentialId: string | null;
  /** WebAuthn: COSE public key (base64url). */
  publicKey: string | null;
  /** WebAuthn signature counter. */
  counter: number;
  transports: string[];
  /** WebAuthn: whether the credential is a synced passkey (multiDevice) and backed up. */
  deviceType: 'singleDevice' | 'multiDevice' | null;
  backedUp: boolean;
  /** TOTP: the last accepted time step (a code at or before it is a replay). */
  lastUsedStep: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type MfaChallengeKind =
  'totp-enroll' | 'webauthn-register' | 'webauthn-auth' | 'email' | 'sms';

/** A server-side, single-use challenge (WebAuthn challenge, or the keyed hash of a one-time code). */
export interface MfaChallenge {
  instanceId: string;
  id: string;
  userId: string | null;
  kind: MfaChallengeKind;
  /** WebAuthn: the challenge (base64url); OTP: keyed hash of the code; TOTP enrollment: the sealed secret. */
  value: string;
  attempts: number;
  expiresAt: Date;
  consumedAt: Date | null;
  createdAt: Date;
}

export interface MfaFactorRepo {
  insert(f: MfaFactor): Promise<void>;
  get(instanceId: string, id: string): Promise<MfaFactor | null>;
  list(instanceId: string, userId: string): Promise<MfaFactor[]>;
  getByCredentialId(instanceId: string, credentialId: string): Promise<MfaFactor | null>;
  delete(instanceId: string, id: string): Promise<boolean>;
  /** Removes every factor and recovery code of a user; returns how many factors. */
  deleteAllOfUser(instanceId: string, userId: string): Promise<number>;
  /**
   * Records a TOTP time step as used, atomically: false when a step at or after it was
   * already used (a replayed code).
   */
  useTotpStep(instanceId: string, id: string, step: number, at: Date): Promise<boolean>;
  /** Stores the new WebAuthn counter (and last use). */
  useWebauthn(instanceId: string, id: string, counter: number, at: Date): Promise<void>;
  touch(instanceId: string, id: string, at: Date): Promise<void>;
}

export interface MfaRecoveryCodeRepo {
  /** Replaces the user's recovery codes with these keyed hashes. */
  replace(instanceId: string, userId: string, hashes: string[], at: Date): Promise<void>;
  /** Marks a code used; false when unknown or already used. */
  use(instanceId: string, userId: string, hash: string, at: Date): Promise<boolean>;
  remaining(instanceId: string, userId: string): Promise<number>;
}

export interface MfaChallengeRepo {
  insert(c: MfaChallenge): Promise<void>;
  get(instanceId: string, id: string): Promise<MfaChallenge | null>;
  /** Consumes an unexpired, unconsumed challenge; false otherwise (single use). */
  consume(instanceId: string, id: string, at: Date): Promise<boolean>;
  /** Counts one more failed attempt; returns the new count. */
  addAttempt(instanceId: string, id: string): Promise<number>;
  /** Deletes expired challenges of every instance; returns how many. */
  sweepExpired(at: Date): Promise<number>;
}

export interface MfaRepos {
  mfaFactors: MfaFactorRepo;
  mfaRecoveryCodes: MfaRecoveryCodeRepo;
  mfaChallenges: MfaChallengeRepo;
}
