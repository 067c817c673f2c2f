// The audit trail's input (issue 6, G4.6): who did what to which target, with what
// result, when, from which IP address, user agent and host. The sink chains records by
// hash per instance (tamper evidence); see the implementation in the server/storage.

export type AuditActorType =
  | 'user' // an end user of the instance
  | 'admin' // a platform user acting through an instance role
  | 'subaccount' // an authorised sub-account acting on the account owner's behalf (G5.6)
  | 'operator' // the platform operator (idaas:admin)
  | 'client' // an application (client credentials)
  | 'system' // the service itself (scheduler, sweeper)
  | 'anonymous'; // not (yet) identified, e.g. a failed sign-in

export interface AuditActor {
  type: AuditActorType;
  /** User id, platform user id, client id …; null when unknown. */
  id: string | null;
  /** The account on whose behalf a sub-account acted (G5.6); null otherwise. */
  onBehalfOf?: string | null;
}

export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditInput {
  /** The instance the record belongs to (its chain); the platform instance for platform events. */
  instanceId: string;
  actor: AuditActor;
  /** Dotted verb, e.g. `login.succeeded`, `user.create`, `mfa.totp.enroll`, `api.updateUser`. */
  action: string;
  target?: { type: string; id: string | null } | null;
  result: AuditResult;
  ip?: string | null;
  userAgent?: string | null;
  /** The domain/host the request was made to (G4.6). */
  host?: string | null;
  /** Small, non-sensitive details (never passwords, codes, secrets or tokens). */
  details?: Record<string, unknown> | null;
}

/**
 * Where audit records go. `record` resolves once the record is durable (committed in
 * its instance's hash chain) and rejects when it could not be written: an audit failure
 * is never silent. Called inside an open store transaction, the record joins that
 * transaction (it is durable exactly when the change it describes is).
 */
export interface AuditSink {
  record(e: AuditInput): Promise<void>;
  /** Writes everything queued so far (resolves once it is committed). */
  flush?(): Promise<void>;
  /** Flushes and stops accepting records (process shutdown). */
  close?(): Promise<void>;
}
