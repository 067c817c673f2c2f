// The AuthnContextClassRef mapping and the RequestedAuthnContext comparisons.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AC, classFor, requiredRank } from './authn-context.ts';
import { isNonPublicAddress } from './metadata-fetch.ts';

const PHR = 'urn:idaas:acr:phr';
const X509 = 'urn:oasis:names:tc:SAML:2.0:ac:classes:X509';

describe('SAML authentication context', () => {
  it('claims PasswordProtectedTransport for a password, REFEDS MFA for a second factor or a passkey', () => {
    assert.equal(classFor(null, 1), AC.ppt);
    assert.equal(classFor(null, 2), AC.refedsMfa);
    assert.equal(classFor(null, 3), AC.refedsMfa);
  });
  it('exact: one of the classes asked for that the sign-in meets, in the SP order', () => {
    const req = { comparison: 'exact' as const, refs: [AC.refedsMfa, AC.ppt] };
    assert.equal(requiredRank(req), 1);
    assert.equal(classFor(req, 2), AC.refedsMfa);
    assert.equal(classFor(req, 1), AC.ppt);
    assert.equal(classFor({ comparison: 'exact', refs: [AC.refedsMfa] }, 1), null);
  });
  it('minimum / better / maximum', () => {
    assert.equal(requiredRank({ comparison: 'minimum', refs: [AC.mobile2f] }), 2);
    assert.equal(classFor({ comparison: 'minimum', refs: [AC.mobile2f] }, 2), AC.refedsMfa);
    assert.equal(classFor({ comparison: 'minimum', refs: [PHR] }, 3), PHR);
    assert.equal(requiredRank({ comparison: 'better', refs: [AC.ppt] }), 2);
    assert.equal(classFor({ comparison: 'better', refs: [AC.ppt] }, 1), null);
    assert.equal(requiredRank({ comparison: 'better', refs: [PHR] }), null);
    assert.equal(
      classFor({ comparison: 'maximum', refs: [AC.ppt, AC.refedsMfa] }, 3),
      AC.refedsMfa,
    );
    assert.equal(classFor({ comparison: 'maximum', refs: [AC.ppt] }, 2), AC.ppt);
  });
  it('only unknown classes: nothing can satisfy the request', () => {
    assert.equal(requiredRank({ comparison: 'exact', refs: [X509] }), null);
    assert.equal(classFor({ comparison: 'minimum', refs: [X509] }, 3), null);
    assert.equal(requiredRank({ comparison: 'exact', refs: [X509, AC.ppt] }), 1);
  });
});

describe('metadata fetch: non-public addresses', () => {
  it('refuses loopback, private, link-local, mapped and unique-local addresses; allows public ones', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '100.64.0.1',
    ])
      assert.equal(isNonPublicAddress(a), true, a);
    for (const a of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:8.8.8.8'])
      assert.equal(isNonPublicAddress(a), false, a);
  });
});
