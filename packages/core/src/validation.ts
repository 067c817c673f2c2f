// Input schemas shared by the admin API and the CLI, and the translation of zod
// issues into AppError naming each offending field.
import { z } from 'zod';
import { AppError } from './errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, data: unknown, prefix = ''): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({
    field: prefix + formatPath(i.path),
    message: i.message,
  }));
  const first = issues[0]!;
  return fail(first.field ? `${first.field}: ${first.message}` : first.message, issues);
}

function fail(detail: string, issues: { field: string; message: string }[]): never {
  throw new AppError('validation_failed', detail, { issues });
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

export const slugSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/,
    'must be 3-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
  );

export const usernameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[\p{L}\p{N}._@+-]+$/u, 'may contain letters, digits and . _ @ + - only');

export const emailSchema = z.email('must be an email address').max(254);
export const phoneSchema = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be in E.164 form, e.g. +8613800138000');
export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Redirect URIs: absolute, no fragment; https, or http on loopback, or a private-use scheme (native apps). */
export const redirectUriSchema = z.string().superRefine((value, ctx) => {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URI' });
    return;
  }
  if (u.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a fragment' });
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname))
    ctx.addIssue({ code: 'custom', message: 'http is allowed only for loopback hosts; use https' });
  if (u.protocol === 'javascript:' || u.protocol === 'data:' || u.protocol === 'file:')
    ctx.addIssue({ code: 'custom', message: `scheme ${u.protocol} is not allowed` });
  if ((u.protocol === 'https:' || u.protocol === 'http:') && !u.hostname)
    ctx.addIssue({ code: 'custom', message: 'must name a host' });
});

export const grantTypeSchema = z.enum([
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
]);

/** CLI/API shorthand: `device_code` means the RFC 8628 grant type URN. */
export function normaliseGrantType(g: string): string {
  return g === 'device_code' ? 'urn:ietf:params:oauth:grant-type:device_code' : g;
}
