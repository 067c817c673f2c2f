// JSON request bodies with a size limit. Over the limit → 413; malformed → 400
// naming `body`. (oidc-provider parses its own bodies; this is for our APIs.)
import type { Context } from 'koa';
import { AppError } from '@idaas/core';

export async function readJson(ctx: Context, limitBytes: number): Promise<unknown> {
  const type = ctx.request.type;
  if (type && type !== 'application/json' && !type.endsWith('+json'))
    throw new AppError('validation_failed', 'body: content type must be application/json', {
      status: 415,
      issues: [{ field: 'body', message: 'content type must be application/json' }],
    });
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError('validation_failed', `body: malformed JSON (${(e as Error).message})`, {
      issues: [{ field: 'body', message: 'malformed JSON' }],
    });
  }
}

function tooLarge(limit: number): AppError {
  return new AppError('payload_too_large', `body: larger than the limit of ${limit} bytes`, {
    issues: [{ field: 'body', message: `larger than ${limit} bytes` }],
  });
}
