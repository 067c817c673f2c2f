// Second factors (issue 6): TOTP (RFC 6238 via otpauth), WebAuthn / passkeys
// (@simplewebauthn/server), one-time codes by email and SMS, recovery codes.
//
// Secrets stay server-side: TOTP secrets are sealed under the instance data key, one-time
// and recovery codes are stored only as keyed hashes (HMAC under a key derived from the
// data key), WebAuthn challenges are single use with a TTL. Failed verifications write
// nothing but attempt counters (and the audit records the callers make).
import { randomBytes, randomInt } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import {
  newId,
  type Instance,
  type MfaChallenge,
  type MfaChallengeKind,
  type MfaFactor,
  type User,
} from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { mfaChannels } from './channels.ts';

/** Authentication context classes (acr) of this service, weakest first. */
export const ACR = {
  pwd: 'urn:idaas:acr:pwd',
  mfa: 'urn:idaas:acr:mfa',
  /** Phishing-resistant: a WebAuthn credential (passkey or security key). */
  phr: 'urn:idaas:acr:phr',
} as const;
export const ACR_VALUES = [ACR.pwd, ACR.mfa, ACR.phr];

export function acrRank(acr: string | undefined | null): number {
  const i = ACR_VALUES.indexOf(acr as (typeof ACR_VALUES)[number]);
  return i < 0 ? 0 : i + 1;
}

export const TOTP_PERIOD = 30;
export const TOTP_WINDOW = 1;
export const OTP_TTL_MS = 5 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;
/** Codes sent per user and minute (email and SMS together). */
export const OTP_SENDS_PER_MINUTE = 10;
export const ENROLL_TTL_MS = 10 * 60_000;
export const WEBAUTHN_TTL_MS = 5 * 60_000;
export const RECOVERY_CODE_COUNT = 10;

/** A refused verification: `key` is the message key shown to the user; nothing secret. */
export class MfaError extends Error {
  readonly key: string;
  readonly reason: string;
  constructor(reason: string, key: string) {
    super(reason);
    this.name = 'MfaError';
    this.reason = reason;
    this.key = key;
  }
}

const totpPurpose = (id: string) => `mfa-totp:${id}`;

function dataKey(sctx: ServerContext, instance: Instance) {
  return sctx.core.instances.dataKey(instance);
}

export function rp(sctx: ServerContext): { id: string; origin: string } {
  const u = new URL(sctx.config.publicUrl);
  return { id: u.hostname, origin: u.origin };
}

async function newChallenge(
  sctx: ServerContext,
  instance: Instance,
  kind: MfaChallengeKind,
  userId: string | null,
  value: string,
  ttlMs: number,
  id = newId(sctx.clock),
): Promise<MfaChallenge> {
  const now = sctx.clock.now();
  const c: MfaChallenge = {
    instanceId: instance.id,
    id,
    userId,
    kind,
    value,
    attempts: 0,
    expiresAt: new Date(now.getTime() + ttlMs),
    consumedAt: null,
    createdAt: now,
  };
  await sctx.store.repos.mfaChallenges.insert(c);
  return c;
}

/** An open (unconsumed, unexpired) challenge of this kind and user, or null. */
async function openChallenge(
  sctx: ServerContext,
  instance: Instance,
  id: string,
  kind: MfaChallengeKind,
  userId: string | null,
): Promise<MfaChallenge | null> {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) return null;
  const c = await sctx.store.repos.mfaChallenges.get(instance.id, id);
  if (!c || c.kind !== kind || c.consumedAt) return null;
  if (userId !== null && c.userId !== userId) return null;
  if (c.expiresAt.getTime() <= sctx.clock.now().getTime()) return null;
  return c;
}

// ---------------------------------------------------------------- factors

export async function listFactors(
  sctx: ServerContext,
  instance: Instance,
  userId: string,
): Promise<MfaFactor[]> {
  return sctx.store.repos.mfaFactors.list(instance.id, userId);
}

/** The factor kinds a user can use at sign-in (recovery codes aside). */
export function usableKinds(user: User, factors: MfaFactor[]): Set<MfaFactor['kind']> {
  const out = new Set<MfaFactor['kind']>();
  for (const f of factors) {
    if (f.kind === 'email' && !user.email) continue;
    if (f.kind === 'sms' && !user.phone) continue;
    out.add(f.kind);
  }
  return out;
}

// ---------------------------------------------------------------- TOTP

function totp(secretBase32: string, label = '', issuer = ''): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

export interface TotpEnrollment {
  enrollmentId: string;
  secret: string;
  uri: string;
  qrSvg: string;
}

/** Starts a TOTP enrollment: a fresh secret, sealed server-side until a first code confirms it. */
export async function beginTotp(
  sctx: ServerContext,
  instance: Instance,
  user: User,
): Promise<TotpEnrollment> {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const id = newId(sctx.clock);
  const sealed = dataKey(sctx, instance).encrypt(secret, `mfa-totp-enroll:${id}`);
  await newChallenge(sctx, instance, 'totp-enroll', user.id, sealed, ENROLL_TTL_MS, id);
  const uri = totp(secret, user.username, instance.displayName || instance.slug).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { enrollmentId: id, secret, uri, qrSvg };
}

/** The secret of an open enrollment (to show it again after a wrong first code). */
export async function pendingTotp(
  sctx: ServerContext,
  instance: Instance,
  user: User,
  enrollmentId: string,
): Promise<TotpEnrollment | null> {
  const c = await openChallenge(sctx, instance, enrollmentId, 'totp-enroll', user.id);
  if (!c) return null;
  const secret = dataKey(sctx, instance).decrypt(c.value, `mfa-totp-enroll:${c.id}`);
  const uri = totp(secret, user.username, instance.displayName || instance.slug).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { enrollmentId: c.id, secret, uri, qrSvg };
}

const CODE = /^[0-9]{6}$/;
const normalizeCode = (code: string) => code.replace(/[\s-]/g, '');

/** The time step a code matches within ±window of `at`, or null. */
export function totpStep(secretBase32: string, code: string, at: Date): number | null {
  const token = normalizeCode(code);
  if (!CODE.test(token)) return null;
  const delta = totp(secretBase32).validate({
    token,
    timestamp: at.getTime(),
    window: TOTP_WINDOW,
  });
  if (delta === null) return null;
  return OTPAuth.TOTP.counter({ period: TOTP_PERIOD, timestamp: at.getTime() }) + delta;
}

/** Confirms an enrollment with a first code; the factor is created only then. */
export async function confirmTotp(
  sctx: ServerContext,
  instance: Instance,
  user: User,
  enrollmentId: string,
  code: string,
  name: string,
): Promise<MfaFactor> {
  const c = await openChallenge(sctx, instance, enrollmentId, 'totp-enroll', user.id);
  if (!c) throw new MfaError('enrollment expired', 'mfa.error.expired');
  const dk = dataKey(sctx, instance);
  const secret = dk.decrypt(c.value, `mfa-totp-enroll:${c.id}`);
  const now = sctx.clock.now();
  const step = totpStep(secret, code, now);
  if (step === null) throw new MfaError('wrong code', 'mfa.error.code');
  const id = newId(sctx.clock);
  const factor: MfaFactor = {
    instanceId: instance.id,
    id,
    userId: user.id,
    kind: 'totp',
    name: cleanName(name, 'Authenticator app'),
    secretEncrypted: dk.encrypt(secret, totpPurpose(id)),
    credentialId: null,
    publicKey: null,
    counter: 0,
    transports: [],
    deviceType: null,
    backedUp: false,
    // the confirming code cannot be used again to sign in
    lastUsedStep: step,
    createdAt: now,
    lastUsedAt: null,
  };
  await sctx.store.transaction(async (tx) => {
    if (!(await tx.mfaChallenges.consume(instance.id, c.id, now)))
      throw new MfaError('enrollment already used', 'mfa.error.expired');
    await tx.mfaFactors.insert(factor);
  });
  return factor;
}

/** Checks a TOTP code against the user's authenticator apps; records the step (replay defence). */
export async function verifyTotp(
  sctx: ServerContext,
  instance: Instance,
  userId: string,
  code: string,
): Promise<MfaFactor> {
  const now = sctx.clock.now();
  const dk = dataKey(sctx, instance);
  const factors = (await listFactors(sctx, instance, userId)).filter((f) => f.kind === 'totp');
  let replay = false;
  for (const f of factors) {
    const step = totpStep(dk.decrypt(f.secretEncrypted!, totpPurpose(f.id)), code, now);
    if (step === null) continue;
    if (f.lastUsedStep !== null && step <= f.lastUsedStep) {
      replay = true;
      continue;
    }
    if (await sctx.store.repos.mfaFactors.useTotpStep(instance.id, f.id, step, now)) return f;
    replay = true;
  }
  if (replay) throw new MfaError('code already used', 'mfa.error.replay');
  throw new MfaError('wrong code', 'mfa.error.code');
}

function cleanName(name: string, fallback: string): string {
  const n = [...name]
    .filter((c) => c >= ' ' && c !== '\u007f')
    .join('')
    .trim()
    .slice(0, 64);
  return n || fallback;
}

// ---------------------------------------------------------------- WebAuthn

const b64url = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const RegistrationSchema = z.object({
  id: b64url,
  rawId: b64url,
  type: z.literal('public-key'),
  response: z
    .object({
      clientDataJSON: b64url,
      attestationObject: z
        .string()
        .min(1)
        .max(16384)
        .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'),
      transports: z.array(z.string().max(32)).max(8).optional(),
    })
    .loose(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.string().max(32).optional(),
});
const AuthenticationSchema = z.object({
  id: b64url,
  rawId: b64url,
  type: z.literal('public-key'),
  response: z
    .object({
      clientDataJSON: b64url,
      authenticatorData: b64url,
      signature: b64url,
      userHandle: z
        .string()
        .max(512)
        .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url')
        .optional(),
    })
    .loose(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.string().max(32).optional(),
});

/** Parses the JSON a browser (or the test's software authenticator) posted. */
function parseCredential<S extends z.ZodType>(schema: S, raw: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new MfaError('credential: not JSON', 'mfa.error.malformed');
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new MfaError(`credential.${i.path.join('.')}: ${i.message}`, 'mfa.error.malformed');
  }
  return r.data;
}

/** The challenge string inside clientDataJSON (to find its stored row). */
function challengeOf(clientDataJSON: string): string {
  try {
    const c = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    if (typeof c.challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(c.challenge))
      return c.challenge;
  } catch {
    /* below */
  }
  throw new MfaError('clientDataJSON unreadable', 'mfa.error.malformed');
}

export async function registrationOptions(
  sctx: ServerContext,
  instance: Instance,
  user: User,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = (await listFactors(sctx, instance, user.id)).filter(
    (f) => f.kind === 'webauthn',
  );
  const challenge = new Uint8Array(randomBytes(32));
  const options = await generateRegistrationOptions({
    rpName: instance.displayName || instance.slug,
    rpID: rp(sctx).id,
    userName: user.username,
    userDisplayName: user.displayName ?? user.username,
    userID: new TextEncoder().encode(user.id),
    challenge,
    attestationType: 'none',
    timeout: WEBAUTHN_TTL_MS,
    excludeCredentials: existing.map((f) => ({
      id: f.credentialId!,
      transports: f.transports as AuthenticatorTransport[],
    })),
    // discoverable credentials (passkeys) for passwordless sign-in
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  // stored as the page sends it back in clientDataJSON (base64url)
  await newChallenge(
    sctx,
    instance,
    'webauthn-register',
    user.id,
    options.challenge,
    WEBAUTHN_TTL_MS,
    `wa-${options.challenge}`,
  );
  return options;
}

export async function registerCredential(
  sctx: ServerContext,
  instance: Instance,
  user: User,
  raw: string,
  name: string,
): Promise<MfaFactor> {
  const response = parseCredential(RegistrationSchema, raw) as RegistrationResponseJSON;
  const challenge = challengeOf(response.response.clientDataJSON);
  const c = await openChallenge(sctx, instance, `wa-${challenge}`, 'webauthn-register', user.id);
  if (!c) throw new MfaError('unknown or expired challenge', 'mfa.error.webauthn');
  const { id: rpID, origin } = rp(sctx);
  let v;
  try {
    v = await verifyRegistrationResponse({
      response,
      expectedChallenge: c.value,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    });
  } catch (err) {
    throw new MfaError(`registration: ${(err as Error).message}`, 'mfa.error.webauthn');
  }
  if (!v.verified) throw new MfaError('registration not verified', 'mfa.error.webauthn');
  const info = v.registrationInfo;
  const now = sctx.clock.now();
  const factor: MfaFactor = {
    instanceId: instance.id,
    id: newId(sctx.clock),
    userId: user.id,
    kind: 'webauthn',
    name: cleanName(name, 'Security key'),
    secretEncrypted: null,
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: (info.credential.transports ?? response.response.transports ?? []).slice(0, 8),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    lastUsedStep: null,
    createdAt: now,
    lastUsedAt: null,
  };
  await sctx.store.transaction(async (tx) => {
    if (!(await tx.mfaChallenges.consume(instance.id, c.id, now)))
      throw new MfaError('challenge already used', 'mfa.error.webauthn');
    if (await tx.mfaFactors.getByCredentialId(instance.id, factor.credentialId!))
      throw new MfaError('credential already registered', 'mfa.error.webauthn_duplicate');
    await tx.mfaFactors.insert(factor);
  });
  return factor;
}

/**
 * Options for an assertion. With a user: that user's credentials (second factor);
 * without: an empty allow list, so the authenticator offers its discoverable passkeys.
 */
export async function authenticationOptions(
  sctx: ServerContext,
  instance: Instance,
  userId: string | null,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const creds = userId
    ? (await listFactors(sctx, instance, userId)).filter((f) => f.kind === 'webauthn')
    : [];
  const challenge = new Uint8Array(randomBytes(32));
  const options = await generateAuthenticationOptions({
    rpID: rp(sctx).id,
    challenge,
    timeout: WEBAUTHN_TTL_MS,
    userVerification: userId ? 'preferred' : 'required',
    allowCredentials: creds.map((f) => ({
      id: f.credentialId!,
      transports: f.transports as AuthenticatorTransport[],
    })),
  });
  await newChallenge(
    sctx,
    instance,
    'webauthn-auth',
    userId,
    options.challenge,
    WEBAUTHN_TTL_MS,
    `wa-${options.challenge}`,
  );
  return options;
}

/**
 * Verifies an assertion. `userId` null = passwordless: the credential names its user (and
 * user verification is required, so the passkey stands for two factors).
 */
export async function authenticateCredential(
  sctx: ServerContext,
  instance: Instance,
  userId: string | null,
  raw: string,
): Promise<{ factor: MfaFactor; userVerified: boolean }> {
  const response = parseCredential(AuthenticationSchema, raw) as AuthenticationResponseJSON;
  const challenge = challengeOf(response.response.clientDataJSON);
  const c = await openChallenge(sctx, instance, `wa-${challenge}`, 'webauthn-auth', userId);
  if (!c) throw new MfaError('unknown or expired challenge', 'mfa.error.webauthn');
  const factor = await sctx.store.repos.mfaFactors.getByCredentialId(instance.id, response.id);
  if (!factor || factor.kind !== 'webauthn' || (userId && factor.userId !== userId))
    throw new MfaError('unknown credential', 'mfa.error.webauthn');
  if (
    !userId &&
    response.response.userHandle &&
    Buffer.from(response.response.userHandle, 'base64url').toString('utf8') !== factor.userId
  )
    throw new MfaError('user handle does not match the credential', 'mfa.error.webauthn');
  const { id: rpID, origin } = rp(sctx);
  let v;
  try {
    v = await verifyAuthenticationResponse({
      response,
      expectedChallenge: c.value,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: factor.credentialId!,
        publicKey: new Uint8Array(Buffer.from(factor.publicKey!, 'base64url')),
        counter: factor.counter,
        transports: factor.transports as AuthenticatorTransport[],
      },
      requireUserVerification: !userId,
    });
  } catch (err) {
    throw new MfaError(`assertion: ${(err as Error).message}`, 'mfa.error.webauthn');
  }
  if (!v.verified) throw new MfaError('assertion not verified', 'mfa.error.webauthn');
  const now = sctx.clock.now();
  await sctx.store.transaction(async (tx) => {
    if (!(await tx.mfaChallenges.consume(instance.id, c.id, now)))
      throw new MfaError('challenge already used', 'mfa.error.webauthn');
    await tx.mfaFactors.useWebauthn(instance.id, factor.id, v.authenticationInfo.newCounter, now);
  });
  return {
    factor: { ...factor, counter: v.authenticationInfo.newCounter, lastUsedAt: now },
    userVerified: v.authenticationInfo.userVerified,
  };
}

// ---------------------------------------------------------------- email / SMS codes

const otpHash = (sctx: ServerContext, instance: Instance, challengeId: string, code: string) =>
  dataKey(sctx, instance).lookup(`mfa-otp:${challengeId}`, code);

/** Sends a 6-digit code by email or SMS; returns the challenge id (goes into the form). */
export async function sendOtp(
  sctx: ServerContext,
  instance: Instance,
  user: User,
  channel: 'email' | 'sms',
  locale: 'en' | 'zh-CN',
): Promise<string> {
  const to = channel === 'email' ? user.email : user.phone;
  if (!to) throw new MfaError(`no ${channel} destination`, 'mfa.error.no_destination');
  const limit = await sctx.limiter.hit(
    `mfa:send:${instance.id}:${user.id}`,
    OTP_SENDS_PER_MINUTE,
    60_000,
  );
  if (!limit.allowed) throw new MfaError('too many codes sent', 'mfa.error.rate_limited');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const id = newId(sctx.clock);
  await newChallenge(
    sctx,
    instance,
    channel,
    user.id,
    otpHash(sctx, instance, id, code),
    OTP_TTL_MS,
    id,
  );
  const name = instance.displayName || instance.slug;
  const text =
    locale === 'zh-CN'
      ? `${name} 验证码：${code}（5 分钟内有效）。如非本人操作，请忽略。`
      : `${name} verification code: ${code} (valid for 5 minutes). If you did not ask for it, ignore this message.`;
  const ch = mfaChannels(sctx);
  if (channel === 'email')
    await ch.mail.send({
      to,
      subject: locale === 'zh-CN' ? `${name} 验证码` : `${name} verification code`,
      text,
    });
  else await ch.sms.send({ to, text });
  return id;
}

/** Checks a one-time code: single use, 5 minutes, at most OTP_MAX_ATTEMPTS wrong tries. */
export async function verifyOtp(
  sctx: ServerContext,
  instance: Instance,
  userId: string,
  channel: 'email' | 'sms',
  challengeId: string,
  code: string,
): Promise<void> {
  const c = await openChallenge(sctx, instance, challengeId, channel, userId);
  if (!c) throw new MfaError('code expired', 'mfa.error.expired');
  if (c.attempts >= OTP_MAX_ATTEMPTS) throw new MfaError('too many attempts', 'mfa.error.too_many');
  const token = normalizeCode(code);
  if (!CODE.test(token) || otpHash(sctx, instance, c.id, token) !== c.value) {
    const n = await sctx.store.repos.mfaChallenges.addAttempt(instance.id, c.id);
    throw new MfaError(
      'wrong code',
      n >= OTP_MAX_ATTEMPTS ? 'mfa.error.too_many' : 'mfa.error.code',
    );
  }
  if (!(await sctx.store.repos.mfaChallenges.consume(instance.id, c.id, sctx.clock.now())))
    throw new MfaError('code already used', 'mfa.error.expired');
}

/** Turns on email or SMS codes once a code sent there was entered. */
export async function enableOtpFactor(
  sctx: ServerContext,
  instance: Instance,
  user: User,
  channel: 'email' | 'sms',
  challengeId: string,
  code: string,
): Promise<MfaFactor> {
  await verifyOtp(sctx, instance, user.id, channel, challengeId, code);
  const existing = (await listFactors(sctx, instance, user.id)).find((f) => f.kind === channel);
  if (existing) return existing;
  const factor: MfaFactor = {
    instanceId: instance.id,
    id: newId(sctx.clock),
    userId: user.id,
    kind: channel,
    name: channel === 'email' ? 'Email' : 'SMS',
    secretEncrypted: null,
    credentialId: null,
    publicKey: null,
    counter: 0,
    transports: [],
    deviceType: null,
    backedUp: false,
    lastUsedStep: null,
    createdAt: sctx.clock.now(),
    lastUsedAt: null,
  };
  await sctx.store.repos.mfaFactors.insert(factor);
  return factor;
}

// ---------------------------------------------------------------- recovery codes

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

function recoveryCode(): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += RECOVERY_ALPHABET[randomInt(0, RECOVERY_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}-${s.slice(12)}`;
}
const normalizeRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

/** New recovery codes (the old ones stop working); the plain codes are shown once. */
export async function regenerateRecoveryCodes(
  sctx: ServerContext,
  instance: Instance,
  userId: string,
): Promise<string[]> {
  const dk = dataKey(sctx, instance);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
  await sctx.store.repos.mfaRecoveryCodes.replace(
    instance.id,
    userId,
    codes.map((c) => dk.lookup(`mfa-recovery:${userId}`, normalizeRecovery(c))),
    sctx.clock.now(),
  );
  return codes;
}

export async function useRecoveryCode(
  sctx: ServerContext,
  instance: Instance,
  userId: string,
  code: string,
): Promise<number> {
  const norm = normalizeRecovery(code);
  if (norm.length !== 16) throw new MfaError('malformed recovery code', 'mfa.error.recovery');
  const hash = dataKey(sctx, instance).lookup(`mfa-recovery:${userId}`, norm);
  if (!(await sctx.store.repos.mfaRecoveryCodes.use(instance.id, userId, hash, sctx.clock.now())))
    throw new MfaError('unknown or used recovery code', 'mfa.error.recovery');
  return sctx.store.repos.mfaRecoveryCodes.remaining(instance.id, userId);
}

// ---------------------------------------------------------------- removal / reset

export async function removeFactor(
  sctx: ServerContext,
  instance: Instance,
  userId: string,
  factorId: string,
): Promise<MfaFactor | null> {
  const f = await sctx.store.repos.mfaFactors.get(instance.id, factorId);
  if (!f || f.userId !== userId) return null;
  await sctx.store.transaction(async (tx) => {
    await tx.mfaFactors.delete(instance.id, f.id);
    // the last factor gone: recovery codes have nothing left to recover
    if (!(await tx.mfaFactors.list(instance.id, userId)).length)
      await tx.mfaRecoveryCodes.replace(instance.id, userId, [], sctx.clock.now());
  });
  return f;
}

export async function resetAll(
  sctx: ServerContext,
  instance: Instance,
  userId: string,
): Promise<number> {
  return sctx.store.transaction((tx) => tx.mfaFactors.deleteAllOfUser(instance.id, userId));
}

/** The amr values (RFC 8176) a factor contributes. */
export function amrOf(kind: MfaFactor['kind'] | 'recovery', userVerified = false): string[] {
  switch (kind) {
    case 'totp':
      return ['otp'];
    case 'email':
      return ['otp'];
    case 'sms':
      return ['otp', 'sms'];
    case 'webauthn':
      return userVerified ? ['hwk', 'user'] : ['hwk'];
    case 'recovery':
      // a single-use code from the list the user kept
      return ['otp'];
  }
}
