// RFC 9457 problem details from AppError (and from anything else, without leaking it).
import type { Context } from 'koa';
import { AppError } from '@idaas/core';
import { t, type Locale } from '../i18n.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  [k: string]: unknown;
}

export function toProblem(err: unknown, locale: Locale, path?: string): Problem {
  const e =
    err instanceof AppError
      ? err
      : new AppError('internal', 'An internal error occurred; it has been logged.');
  return {
    type: `urn:idaas:problem:${e.code}`,
    title: t(locale, `error.${e.code}`),
    status: e.status,
    detail: e.detail,
    code: e.code,
    ...(path ? { instance: path } : {}),
    ...(e.issues.length ? { errors: e.issues } : {}),
    ...e.extra,
  };
}

export function sendProblem(ctx: Context, err: unknown, locale: Locale): void {
  const p = toProblem(err, locale, ctx.path);
  ctx.status = p.status;
  ctx.type = 'application/problem+json';
  ctx.body = p;
  if (p.status === 429 && typeof p.retryAfterSeconds === 'number')
    ctx.set('Retry-After', String(p.retryAfterSeconds));
}
