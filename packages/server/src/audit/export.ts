// Audit records as the outside world reads them: one wire shape (snake_case, used by the
// API, JSON Lines and CSV), and a CSV writer that neutralises spreadsheet formulas.
import type { AuditView } from '@idaas/core';

export interface AuditWire {
  seq: number;
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  on_behalf_of: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: string;
  ip: string | null;
  user_agent: string | null;
  host: string | null;
  details: Record<string, unknown> | null;
  digest: string;
}

export function auditWire(v: AuditView): AuditWire {
  return {
    seq: v.seq,
    id: v.id,
    at: v.at.toISOString(),
    actor_type: v.actor.type,
    actor_id: v.actor.id,
    on_behalf_of: v.actor.onBehalfOf,
    action: v.action,
    target_type: v.target?.type ?? null,
    target_id: v.target?.id ?? null,
    result: v.result,
    ip: v.ip,
    user_agent: v.userAgent,
    host: v.host,
    details: v.details,
    digest: v.hash,
  };
}

export const CSV_COLUMNS: (keyof AuditWire)[] = [
  'seq',
  'id',
  'at',
  'actor_type',
  'actor_id',
  'on_behalf_of',
  'action',
  'target_type',
  'target_id',
  'result',
  'ip',
  'user_agent',
  'host',
  'details',
  'digest',
];

/**
 * One CSV field (RFC 4180 quoting). A text starting with = + - @ or a tab/CR — which a
 * spreadsheet would run as a formula (CSV injection) — gets a leading apostrophe.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvHeader = (): string => `${CSV_COLUMNS.join(',')}\r\n`;
export const csvRow = (w: AuditWire): string =>
  `${CSV_COLUMNS.map((c) => csvField(w[c])).join(',')}\r\n`;
export const jsonLine = (w: AuditWire): string => `${JSON.stringify(w)}\n`;
