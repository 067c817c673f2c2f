// Fetching SP metadata from a URL (admin API import): http(s) only, 5 s for the whole
// exchange, at most 256 KiB, redirects only within the same host (at most 3), and — in
// production — no loopback, private, link-local or other special-use address (checked on
// the address actually connected to, so DNS rebinding cannot slip one in).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '@idaas/core';
import { MAX_METADATA } from './apps.ts';

export const METADATA_FETCH_TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 3;

// two lists: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules
const blocked = new BlockList();
const blocked6 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96], // IPv4-mapped in hex form (the dotted form is checked as IPv4 below)
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked6.addSubnet(net, bits, 'ipv6');

/** Whether an address is loopback, private, link-local or otherwise not public. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked6.check(address, 'ipv6');
  }
  return true;
}

const refuse = (message: string) =>
  new AppError('validation_failed', `metadataUrl: ${message}`, {
    issues: [{ field: 'metadataUrl', message }],
  });

/** A DNS lookup that fails for non-public addresses (used at connect time). */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isNonPublicAddress(a.address));
      if (!allowPrivate && (bad || list.length === 0)) {
        const e = Object.assign(new Error('refused address'), { code: 'IDAAS_REFUSED_ADDRESS' });
        return callback(e, '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, list as never, 0);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function getOnce(
  url: URL,
  allowPrivate: boolean,
  signal: AbortSignal,
): Promise<{ status: number; location: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.get(
      url,
      {
        lookup: guardedLookup(allowPrivate),
        signal,
        headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          return resolve({ status, location: res.headers.location ?? null, body: '' });
        }
        const declared = Number(res.headers['content-length'] ?? '0');
        if (declared > MAX_METADATA) {
          res.destroy();
          return reject(refuse(`the document is larger than ${MAX_METADATA} bytes`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_METADATA) {
            res.destroy();
            reject(refuse(`the document is larger than ${MAX_METADATA} bytes`));
          } else chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status, location: null, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/**
 * The SP metadata document at `raw`. `allowPrivate`: outside production, so that tests
 * and development can use a server on this machine.
 */
export async function fetchSpMetadata(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw refuse('only http and https URLs');
  if (url.username || url.password) throw refuse('credentials in the URL are refused');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isNonPublicAddress(host))
    throw refuse('loopback and private addresses are refused');
  const signal = AbortSignal.timeout(METADATA_FETCH_TIMEOUT_MS);
  for (let hop = 0; ; hop++) {
    let r;
    try {
      r = await getOnce(url, allowPrivate, signal);
    } catch (err) {
      if (err instanceof AppError) throw err;
      const e = err as { code?: string; name?: string };
      if (e.code === 'IDAAS_REFUSED_ADDRESS')
        throw refuse('loopback and private addresses are refused');
      if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ABORT_ERR')
        throw refuse(`no answer within ${METADATA_FETCH_TIMEOUT_MS / 1000} s`);
      throw refuse(`could not be fetched (${e.code ?? 'network error'})`);
    }
    if (r.location !== null || (r.status >= 300 && r.status < 400)) {
      if (hop >= MAX_REDIRECTS) throw refuse('too many redirects');
      let next: URL;
      try {
        next = new URL(r.location ?? '', url);
      } catch {
        throw refuse('bad redirect');
      }
      if (next.host !== url.host || next.protocol !== url.protocol)
        throw refuse('redirects to another host are refused');
      url = next;
      continue;
    }
    if (r.status !== 200) throw refuse(`the server answered HTTP ${r.status}`);
    return r.body;
  }
}
