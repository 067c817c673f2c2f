// Envelope encryption (ARCHITECTURE.md, agreement ID3/G6.4): every instance has its
// own random data key; the data key is stored only wrapped by the platform's
// key-encryption key (KEK, from config). Secrets and keys of an instance are
// encrypted under its data key. Destroying the wrapped data key at release makes
// every copy of the instance's encrypted data, backups included, unreadable.
// AES-256-GCM from node:crypto; the format is `v1.<iv>.<tag>.<ciphertext>` (base64url).
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from './errors.ts';

const VERSION = 'v1';

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION)
    throw new AppError('internal', 'unreadable ciphertext');
  const [iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw new AppError('internal', 'ciphertext failed authentication');
  }
}

/** The platform key-encryption key. */
export class KeyEncryptionKey {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32)
      throw new AppError('validation_failed', 'IDAAS_KEK: must be 32 bytes (base64)');
    this.#key = key;
  }
  static fromBase64(text: string): KeyEncryptionKey {
    return new KeyEncryptionKey(Buffer.from(text, 'base64'));
  }
  /** A fresh data key for an instance, returned wrapped (for storage) and usable. */
  newDataKey(instanceId: string): { wrapped: string; key: DataKey } {
    const raw = randomBytes(32);
    return {
      wrapped: seal(this.#key, raw, `dek:${instanceId}`),
      key: new DataKey(raw, instanceId),
    };
  }
  unwrap(instanceId: string, wrapped: string): DataKey {
    return new DataKey(open(this.#key, wrapped, `dek:${instanceId}`), instanceId);
  }
}

/** An instance's data key: encrypts that instance's secrets and personal data, bound to the instance id. */
export class DataKey {
  readonly #key: Buffer;
  readonly #lookupKey: Buffer;
  readonly instanceId: string;
  constructor(key: Buffer, instanceId: string) {
    this.#key = key;
    this.#lookupKey = Buffer.from(
      hkdfSync('sha256', key, Buffer.alloc(0), `idaas lookup ${instanceId}`, 32),
    );
    this.instanceId = instanceId;
  }
  /**
   * A blind index: a keyed hash (HMAC-SHA256) of `value` for exact-match lookups and
   * uniqueness of encrypted fields (username, email). Worthless once the key is destroyed.
   */
  lookup(purpose: string, value: string): string {
    return createHmac('sha256', this.#lookupKey).update(`${purpose}\0${value}`).digest('base64url');
  }
  /** `purpose` is bound as associated data, so a ciphertext cannot be moved to another field. */
  encrypt(plaintext: string, purpose: string): string {
    return seal(this.#key, Buffer.from(plaintext, 'utf8'), `${this.instanceId}:${purpose}`);
  }
  decrypt(sealed: string, purpose: string): string {
    return open(this.#key, sealed, `${this.instanceId}:${purpose}`).toString('utf8');
  }
}
