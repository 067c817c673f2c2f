// Conditional access (issue 6): what the server needs from storage (implemented in
// packages/storage/src/access-policies.ts).
import type { AccessDecisionKind, AccessPolicy } from './access-policy.ts';

export interface AccessPolicyRepo {
  /** The policies of an instance in priority order. */
  list(instanceId: string): Promise<AccessPolicy[]>;
  get(instanceId: string, id: string): Promise<AccessPolicy | null>;
  insert(p: AccessPolicy): Promise<void>;
  update(p: AccessPolicy): Promise<void>;
  delete(instanceId: string, id: string): Promise<boolean>;
  /** Sets the priorities of the given policies at once (call inside a transaction). */
  setPriorities(
    instanceId: string,
    priorities: { id: string; priority: number }[],
    at: Date,
  ): Promise<void>;
  /** The instance's default decision; null when never set (the default is then `allow`). */
  getDefault(instanceId: string): Promise<{ decision: AccessDecisionKind; updatedAt: Date } | null>;
  setDefault(instanceId: string, decision: AccessDecisionKind, at: Date): Promise<void>;
  /** Ids of the groups a user belongs to (a fact of the evaluation). */
  groupIdsOf(instanceId: string, userId: string): Promise<string[]>;
}

/** A browser a user completed a sign-in from; only a hash of its device id is kept. */
export interface KnownDevice {
  instanceId: string;
  userId: string;
  deviceHash: string;
  firstSeen: Date;
  lastSeen: Date;
}

export interface KnownDeviceRepo {
  has(instanceId: string, userId: string, deviceHash: string): Promise<boolean>;
  /**
   * Records (or refreshes last seen of) a device of a user, then keeps only the `cap`
   * most recently seen devices of that user.
   */
  remember(
    instanceId: string,
    userId: string,
    deviceHash: string,
    at: Date,
    cap: number,
  ): Promise<void>;
  /** The user's known devices, most recently seen first. */
  list(instanceId: string, userId: string): Promise<KnownDevice[]>;
  /** Forgets every device of a user; returns how many. */
  forget(instanceId: string, userId: string): Promise<number>;
}

export interface AccessRepos {
  accessPolicies: AccessPolicyRepo;
  knownDevices: KnownDeviceRepo;
}
