// Support of the MFA end-to-end suites: a software WebAuthn authenticator (ES256 key pair
// from node:crypto, `none` attestation, CBOR via @simplewebauthn's isoCBOR), TOTP codes
// at chosen instants, and drivers for the hosted sign-in and account pages.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { Browser, Page } from './support/browser.ts';

const b64url = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');

export interface StoredCredential {
  id: Buffer;
  privateKey: KeyObject;
  cose: Uint8Array;
  userHandle: string;
  counter: number;
}

/** A platform authenticator in software: makes `none` attestations and ES256 assertions. */
export class SoftAuthenticator {
  readonly credentials: StoredCredential[] = [];
  readonly origin: string;
  constructor(origin: string) {
    this.origin = origin;
  }

  get rpId(): string {
    return new URL(this.origin).hostname;
  }

  /** A registration response for creation options (as the page embeds them). */
  register(options: { challenge: string; user: { id: string }; rp: { id?: string } }): string {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const id = randomBytes(16);
    const rpIdHash = createHash('sha256')
      .update(options.rp.id ?? this.rpId)
      .digest();
    const len = Buffer.alloc(2);
    len.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      rpIdHash,
      Buffer.from([0x01 | 0x04 | 0x40]), // UP, UV, AT
      Buffer.alloc(4), // counter 0
      Buffer.alloc(16), // aaguid
      len,
      id,
      Buffer.from(cose),
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.create',
        challenge: options.challenge,
        origin: this.origin,
      }),
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    this.credentials.push({ id, privateKey, cose, userHandle: options.user.id, counter: 0 });
    return JSON.stringify({
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    });
  }

  /** An assertion for request options (allowCredentials empty = a discoverable passkey). */
  assert(
    options: { challenge: string; allowCredentials?: { id: string }[] },
    tamper: {
      credential?: StoredCredential;
      origin?: string;
      challenge?: string;
      badSignature?: boolean;
      counter?: number;
    } = {},
  ): string {
    const allowed = options.allowCredentials ?? [];
    const cred =
      tamper.credential ??
      this.credentials.find((c) => !allowed.length || allowed.some((a) => a.id === b64url(c.id)));
    if (!cred) throw new Error('no matching credential');
    cred.counter = tamper.counter ?? cred.counter + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(cred.counter);
    const authData = Buffer.concat([
      createHash('sha256').update(this.rpId).digest(),
      Buffer.from([0x01 | 0x04]),
      counter,
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: tamper.challenge ?? options.challenge,
        origin: tamper.origin ?? this.origin,
      }),
    );
    const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
    const signature = sign('sha256', signed, cred.privateKey);
    if (tamper.badSignature) signature[signature.length - 3]! ^= 0x55;
    return JSON.stringify({
      id: b64url(cred.id),
      rawId: b64url(cred.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: cred.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    });
  }
}

/** The WebAuthn options a page embeds for its script. */
export function pageOptions<T = Record<string, unknown>>(page: Page): T {
  const m = /<script type="application\/json" id="webauthn-options">([\s\S]*?)<\/script>/.exec(
    page.text,
  );
  if (!m) throw new Error(`no WebAuthn options on ${page.url}\n${page.text}`);
  return JSON.parse(m[1]!) as T;
}

/** The TOTP code of `secret` at an instant (ms). */
export function totpAt(secret: string, at: number): string {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  }).generate({ timestamp: at });
}

/** The authenticator-app key shown on an enrollment page. */
export function shownSecret(page: Page): string {
  const m = /id="totp-secret">[^<]*?([A-Z2-7]{16,})</.exec(page.text);
  if (!m) throw new Error(`no TOTP key on ${page.url}\n${page.text}`);
  return m[1]!;
}

export function shownRecoveryCodes(page: Page): string[] {
  const m = /<ul class="code" id="recovery-codes">([\s\S]*?)<\/ul>/.exec(page.text);
  if (!m) throw new Error(`no recovery codes on ${page.url}\n${page.text}`);
  return [...m[1]!.matchAll(/<li>([^<]+)<\/li>/g)].map((x) => x[1]!);
}

/**
 * Opens the account page, signing in through the hosted pages when needed (password,
 * then `second` for a second step page, consent when asked).
 */
export async function openAccount(
  browser: Browser,
  serverUrl: string,
  slug: string,
  creds: { username: string; password: string },
  second?: (page: Page, stop: (l: string) => boolean) => Promise<Page>,
): Promise<Page> {
  const accountUrl = `${serverUrl}/i/${slug}/account`;
  const stop = (l: string) => l.startsWith(`${accountUrl}/callback`);
  let page = await browser.go(accountUrl, {}, stop);
  for (let i = 0; i < 6 && !stop(page.url); i++) {
    if (page.url.startsWith(accountUrl) && /id="factors"|account\.none|<h2>/.test(page.text))
      return page;
    if (page.status >= 400) throw new Error(`page ${page.url} → ${page.status}\n${page.text}`);
    if (/name="password"/.test(page.text))
      page = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: creds.username, password: creds.password },
        stop,
      });
    else if (/\/mfa\/|\/enroll"/.test(page.text) && second) page = await second(page, stop);
    else if (/\/confirm"/.test(page.text))
      page = await browser.submit(page, { action: /\/confirm$/, stop });
    else throw new Error(`unexpected page ${page.url}\n${page.text}`);
  }
  if (stop(page.url)) page = await browser.go(page.url);
  return page;
}
