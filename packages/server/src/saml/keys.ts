// The IdP's SAML signing key per instance: RSA-2048, with a self-signed X.509 certificate
// made by @peculiar/x509. The private key is sealed under the instance data key.
import { createHmac, webcrypto } from 'node:crypto';
import './reflect.ts';
import * as x509 from '@peculiar/x509';
import type { Instance } from '@idaas/core';
import type { ServerContext } from '../context.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface SamlKey {
  privateKeyPem: string;
  /** Base64 DER of the certificate (no PEM armour), as metadata carries it. */
  certificate: string;
  /** Keys the persistent NameID HMAC (derived from the private key). */
  nameIdSecret: Buffer;
}

const PURPOSE = 'saml-signing-key';
const cache = new Map<string, SamlKey>();

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

async function generate(sctx: ServerContext, instance: Instance): Promise<SamlKey> {
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = sctx.clock.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: `CN=${instance.slug} SAML IdP`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 10 * 365 * 86400_000),
    signingAlgorithm: alg,
    keys,
  });
  const privateKeyPem = pem(
    'PRIVATE KEY',
    await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
  );
  const stored = await sctx.store.repos.samlKeys.ensure({
    instanceId: instance.id,
    privateKeyEncrypted: sctx.core.instances.dataKey(instance).encrypt(privateKeyPem, PURPOSE),
    certificate: Buffer.from(cert.rawData).toString('base64'),
    createdAt: now,
  });
  return open(sctx, instance, stored.privateKeyEncrypted, stored.certificate);
}

function open(
  sctx: ServerContext,
  instance: Instance,
  sealed: string,
  certificate: string,
): SamlKey {
  const privateKeyPem = sctx.core.instances.dataKey(instance).decrypt(sealed, PURPOSE);
  const nameIdSecret = createHmac('sha256', privateKeyPem)
    .update('saml-persistent-nameid')
    .digest();
  return { privateKeyPem, certificate, nameIdSecret };
}

/** The instance's SAML key, created on first use. */
export async function samlKey(sctx: ServerContext, instance: Instance): Promise<SamlKey> {
  const hit = cache.get(instance.id);
  if (hit) return hit;
  const row = await sctx.store.repos.samlKeys.get(instance.id);
  const key = row
    ? open(sctx, instance, row.privateKeyEncrypted, row.certificate)
    : await generate(sctx, instance);
  if (cache.size > 256) cache.delete(cache.keys().next().value as string);
  cache.set(instance.id, key);
  return key;
}

/** Persistent NameID: stable per (user, SP), opaque, not linkable across SPs. */
export function persistentNameId(key: SamlKey, userId: string, spEntityId: string): string {
  return createHmac('sha256', key.nameIdSecret)
    .update(`${userId}\u0000${spEntityId}`)
    .digest('base64url');
}
