// Configuration: one zod schema parsed at boot from the environment. An error names
// the variable. Development defaults (a generated key-encryption key) warn loudly.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes, hkdfSync } from 'node:crypto';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '@idaas/core';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable the server reads, with its default. The README's table mirrors this. */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().default('sqlite:./data/idaas.db'),
  KEY_VAULT_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  IDAAS_KEK: z.string().optional(),
  IDAAS_KEK_FILE: z.string().default('./data/dev-kek'),
  IDAAS_ADMIN_PASSWORD: z
    .string()
    .min(15, 'must be at least 15 characters (the platform password policy)')
    .optional(),
  IDAAS_DEFAULT_INSTANCE: bool.default(false),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  PROVIDER_CACHE_SIZE: z.coerce.number().int().min(1).default(5000),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_TOKEN_PER_SECOND: z.coerce.number().int().min(1).default(5000),
  // brute-force protection of sign-in (issue 6)
  LOGIN_BACKOFF_AFTER: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  LOGIN_LOCKOUT_AFTER: z.coerce.number().int().min(2).max(1000).default(10),
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  LOGIN_IP_LOCKOUT_AFTER: z.coerce.number().int().min(2).max(100_000).default(100),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  ID_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(14 * 86400),
  NODE_ENV: z.string().default('development'),
  // business: the durable scheduler, notices, support, metering
  IDAAS_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_FROM: z.string().min(3).default('IDaaS <no-reply@localhost>'),
  NOTICE_LEAD_HOURS: z.coerce.number().int().min(1).max(720).default(48),
  NOTICE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  SUPPORT_RESPONSE_HOURS: z
    .string()
    .regex(
      /^\d+,\d+,\d+,\d+$/,
      'must be four whole numbers of hours, severity 1..4, e.g. 1,4,24,72',
    )
    .default('1,4,24,72'),
  METERING_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  // G4.6 + PRC Cybersecurity Law art. 21: network logs kept no less than six months
  AUDIT_MIN_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(180),
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string;
  /** Where wrapped instance data keys live, apart from the store; null = beside it (see defaultVaultUrl). */
  keyVaultUrl: string | null;
  redisUrl: string | null;
  /** 32 bytes, base64. */
  kek: string;
  adminPassword: string | null;
  createDefaultInstance: boolean;
  trustProxy: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  providerCacheSize: number;
  rateLimit: { loginPerMinute: number; tokenPerSecond: number };
  /** Brute-force protection: backoff and temporary lockout per login and per IP. */
  lockout: {
    backoffAfter: number;
    backoffMaxSeconds: number;
    lockAfter: number;
    lockSeconds: number;
    ipLockAfter: number;
  };
  ttl: { accessToken: number; idToken: number; refreshToken: number };
  /** Keys for signed cookies, derived from the KEK. */
  cookieKeys: string[];
  /** Pause between sweeps of the durable scheduler (lifecycle timers, jobs). */
  schedulerIntervalMs: number;
  notices: { smtpUrl: string | null; smtpFrom: string; leadHours: number; maxAttempts: number };
  /** First-response targets of support tickets, hours, by severity 1..4. */
  supportResponseHours: [number, number, number, number];
  meteringFlushMs: number;
  /** Audit trail: legal minimum retention (days); how often heads are checkpointed and retention swept. */
  audit: { minRetentionDays: number; checkpointIntervalMs: number };
  production: boolean;
  warnings: string[];
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const field = String(i.path[0] ?? 'environment');
    throw new AppError('validation_failed', `${field}: ${i.message}`, {
      issues: [{ field, message: i.message }],
    });
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const warnings: string[] = [];
  let kek = e.IDAAS_KEK;
  if (!kek) {
    if (production)
      throw new AppError('validation_failed', 'IDAAS_KEK: required when NODE_ENV=production', {
        issues: [{ field: 'IDAAS_KEK', message: 'required in production' }],
      });
    if (existsSync(e.IDAAS_KEK_FILE)) kek = readFileSync(e.IDAAS_KEK_FILE, 'utf8').trim();
    else {
      kek = randomBytes(32).toString('base64');
      mkdirSync(dirname(e.IDAAS_KEK_FILE), { recursive: true });
      writeFileSync(e.IDAAS_KEK_FILE, kek + '\n', { mode: 0o600 });
    }
    warnings.push(
      `IDAAS_KEK is not set: using the development key in ${e.IDAAS_KEK_FILE}. Never do this in production.`,
    );
  }
  if (Buffer.from(kek, 'base64').length !== 32)
    throw new AppError('validation_failed', 'IDAAS_KEK: must be 32 random bytes, base64-encoded', {
      issues: [{ field: 'IDAAS_KEK', message: 'must be 32 bytes base64' }],
    });
  if (production && !e.KEY_VAULT_URL && !e.DATABASE_URL.startsWith('sqlite:'))
    warnings.push(
      'KEY_VAULT_URL is not set: instance data keys are kept in a schema of the main database, so its backups hold them too. Point KEY_VAULT_URL at a database backed up separately.',
    );
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  if (production && !publicUrl.startsWith('https://'))
    warnings.push('PUBLIC_URL is not https: cookies will not be marked Secure.');
  const cookieKey = Buffer.from(
    hkdfSync('sha256', Buffer.from(kek, 'base64'), Buffer.alloc(0), 'idaas cookie keys', 32),
  ).toString('base64url');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    keyVaultUrl: e.KEY_VAULT_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    kek,
    adminPassword: e.IDAAS_ADMIN_PASSWORD ?? null,
    createDefaultInstance: e.IDAAS_DEFAULT_INSTANCE,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    providerCacheSize: e.PROVIDER_CACHE_SIZE,
    rateLimit: {
      loginPerMinute: e.RATE_LIMIT_LOGIN_PER_MINUTE,
      tokenPerSecond: e.RATE_LIMIT_TOKEN_PER_SECOND,
    },
    lockout: {
      backoffAfter: e.LOGIN_BACKOFF_AFTER,
      backoffMaxSeconds: e.LOGIN_BACKOFF_MAX_SECONDS,
      lockAfter: e.LOGIN_LOCKOUT_AFTER,
      lockSeconds: e.LOGIN_LOCKOUT_SECONDS,
      ipLockAfter: e.LOGIN_IP_LOCKOUT_AFTER,
    },
    ttl: {
      accessToken: e.ACCESS_TOKEN_TTL_SECONDS,
      idToken: e.ID_TOKEN_TTL_SECONDS,
      refreshToken: e.REFRESH_TOKEN_TTL_SECONDS,
    },
    cookieKeys: [cookieKey],
    schedulerIntervalMs: e.IDAAS_SCHEDULER_INTERVAL_MS,
    notices: {
      smtpUrl: e.SMTP_URL ?? null,
      smtpFrom: e.SMTP_FROM,
      leadHours: e.NOTICE_LEAD_HOURS,
      maxAttempts: e.NOTICE_MAX_ATTEMPTS,
    },
    supportResponseHours: e.SUPPORT_RESPONSE_HOURS.split(',').map(Number) as [
      number,
      number,
      number,
      number,
    ],
    meteringFlushMs: e.METERING_FLUSH_MS,
    audit: {
      minRetentionDays: e.AUDIT_MIN_RETENTION_DAYS,
      checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
    },
    production,
    warnings,
  };
}
