// Signing keys of an instance: ES256 and RS256, private parts encrypted under the
// instance data key. Rotation makes new keys active and keeps the old ones published
// (status `retiring`) until the tokens they signed have expired.
import { exportJWK, generateKeyPair } from 'jose';
import type { Clock } from './clock.ts';
import type { DataKey } from './envelope.ts';
import type { KeyAlg, SigningKey } from './domain.ts';
import { randomToken } from './ids.ts';

export const KEY_ALGS: KeyAlg[] = ['ES256', 'RS256'];

export async function generateSigningKey(
  instanceId: string,
  alg: KeyAlg,
  dataKey: DataKey,
  clock: Clock,
): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const kid = randomToken(12);
  const pub = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const priv = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return {
    instanceId,
    kid,
    alg,
    status: 'active',
    publicJwk: pub,
    privateJwkEncrypted: dataKey.encrypt(JSON.stringify(priv), `signing-key:${kid}`),
    createdAt: clock.now(),
    retireAfter: null,
  };
}

export function privateJwk(key: SigningKey, dataKey: DataKey): Record<string, unknown> {
  return JSON.parse(dataKey.decrypt(key.privateJwkEncrypted, `signing-key:${key.kid}`));
}
