// Branding of the hosted pages, user imports and the end-user portal's view of sessions
// (issue 7): what the server needs from storage (implemented in
// packages/storage/src/portal.ts).
import type { OidcModelRecord } from './domain.ts';

/** How an instance's hosted pages look: colours (WCAG AA checked) and an optional logo. */
export interface Branding {
  instanceId: string;
  /** `#rrggbb`: buttons (white text on it) and links. */
  primaryColor: string;
  /** `#rrggbb`: the page background around the card. */
  backgroundColor: string;
  /** A `data:image/png;base64,…` or `data:image/jpeg;base64,…` URL, or null. */
  logo: string | null;
  updatedAt: Date;
}

export interface BrandingRepo {
  get(instanceId: string): Promise<Branding | null>;
  put(b: Branding): Promise<void>;
  delete(instanceId: string): Promise<boolean>;
}

export type UserImportStatus = 'queued' | 'running' | 'done';

/** A failed row of an import: where (1-based CSV line, column name) and why; no values. */
export interface ImportRowError {
  line: number;
  column: string | null;
  message: string;
}

/** A user import: rows are sealed under the instance data key (they hold personal data). */
export interface UserImport {
  instanceId: string;
  id: string;
  status: UserImportStatus;
  total: number;
  /** Rows processed so far (created or failed). */
  done: number;
  failed: number;
  errors: ImportRowError[];
  /** The validated rows as JSON, encrypted; emptied once the import is done. */
  rowsSealed: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserImportRepo {
  insert(r: UserImport): Promise<void>;
  get(instanceId: string, id: string): Promise<UserImport | null>;
  /** Most recent first. */
  list(instanceId: string, limit: number): Promise<UserImport[]>;
  update(
    instanceId: string,
    id: string,
    patch: Pick<UserImport, 'status' | 'done' | 'failed' | 'errors' | 'rowsSealed' | 'updatedAt'>,
  ): Promise<void>;
}

export interface UserSessionRepo {
  /** oidc-provider records of `model` (e.g. Session, Grant) belonging to a user. */
  listOfUser(instanceId: string, userId: string, model: string): Promise<OidcModelRecord[]>;
}

export interface PortalRepos {
  branding: BrandingRepo;
  userImports: UserImportRepo;
  userSessions: UserSessionRepo;
}
