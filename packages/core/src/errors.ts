// One error type inside; the edge translates it to problem+json, OAuth, SCIM or SAML
// errors. `code` is stable and doubles as the i18n message key.
export type ErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'payload_too_large'
  | 'rate_limited'
  | 'instance_unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  instance_unavailable: 403,
  internal: 500,
};

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `redirect_uris[0]`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly issues: FieldIssue[];
  readonly extra: Record<string, unknown>;
  constructor(
    code: ErrorCode,
    detail: string,
    opts: { issues?: FieldIssue[]; extra?: Record<string, unknown>; status?: number } = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? statusOf[code];
    this.detail = detail;
    this.issues = opts.issues ?? [];
    this.extra = opts.extra ?? {};
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);
export const conflict = (detail: string, field?: string): AppError =>
  new AppError('conflict', detail, field ? { issues: [{ field, message: detail }] } : {});
export const invalid = (field: string, message: string): AppError =>
  new AppError('validation_failed', `${field}: ${message}`, { issues: [{ field, message }] });
