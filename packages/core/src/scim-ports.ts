// Storage port of the SCIM 2.0 service provider: the SCIM-only attributes of users and
// groups (an encrypted JSON blob the server seals under the instance data key), the
// blind index of externalId and the version behind ETags.

/**
 * User/Group: SCIM-only attributes; Target: an application's outbound SCIM endpoint;
 * Link: local → remote id; Pending: an outbound push being delivered (lease token);
 * Dead: an outbound push that failed its last attempt (the dead-letter list).
 */
export type ScimKind = 'User' | 'Group' | 'Target' | 'Link' | 'Pending' | 'Dead';

/** A full outbound re-sync of one application: pushes queued, done and failed so far. */
export interface ResyncRecord {
  instanceId: string;
  id: string;
  applicationId: string;
  total: number;
  done: number;
  failed: number;
  startedAt: Date;
  updatedAt: Date;
}

export interface ScimRecord {
  instanceId: string;
  kind: ScimKind;
  resourceId: string;
  /** Blind index (DataKey.lookup) of externalId, or null. */
  externalIdLookup: string | null;
  version: number;
  /** Sealed JSON (DataKey.encrypt) of the SCIM-only attributes. */
  data: string;
  updatedAt: Date;
}

export interface ScimRepo {
  get(instanceId: string, kind: ScimKind, resourceId: string): Promise<ScimRecord | null>;
  getMany(instanceId: string, kind: ScimKind, ids: string[]): Promise<ScimRecord[]>;
  /** Ids of resources of that kind whose externalId has this blind index. */
  findByExternalId(instanceId: string, kind: ScimKind, lookup: string): Promise<string[]>;
  put(r: ScimRecord): Promise<void>;
  delete(instanceId: string, kind: ScimKind, resourceId: string): Promise<void>;
  /** Resource ids of one kind in an instance. */
  listIds(instanceId: string, kind: ScimKind): Promise<string[]>;
  /** Groups (id, name) a user belongs to. */
  groupsOfUser(instanceId: string, userId: string): Promise<{ id: string; name: string }[]>;
  /** Ids of a group's members. */
  memberIds(instanceId: string, groupId: string): Promise<string[]>;
  resyncInsert(r: ResyncRecord): Promise<void>;
  resyncGet(instanceId: string, id: string): Promise<ResyncRecord | null>;
  /** Re-syncs of an instance (of one application when given), newest first. */
  resyncList(instanceId: string, applicationId?: string): Promise<ResyncRecord[]>;
  /** Counts one push of the re-sync as done or failed. */
  resyncCount(instanceId: string, id: string, what: 'done' | 'failed', at: Date): Promise<void>;
}

export interface ScimRepos {
  scim: ScimRepo;
}
