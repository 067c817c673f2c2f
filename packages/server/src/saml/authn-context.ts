// SAML authentication context classes ↔ the sign-in's acr (urn:idaas:acr:pwd|mfa|phr).
//
// What an assertion claims (AuthnContextClassRef), unless the SP asked for a class:
//   pwd → urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport
//   mfa → https://refeds.org/profile/mfa           (REFEDS MFA Profile)
//   phr → https://refeds.org/profile/mfa           (a passkey with user verification is
//         multi-factor; an SP that needs phishing resistance asks for urn:idaas:acr:phr)
// Classes an SP may request, and the acr rank each needs (1 pwd, 2 mfa, 3 phr):
//   rank 1: ...:ac:classes:unspecified, ...:Password, ...:PasswordProtectedTransport,
//           urn:idaas:acr:pwd
//   rank 2: https://refeds.org/profile/mfa, ...:MobileTwoFactorContract,
//           ...:MobileTwoFactorUnregistered, ...:TimeSyncToken, urn:idaas:acr:mfa
//   rank 3: urn:idaas:acr:phr
// Other classes (X509, Kerberos, Smartcard …) are unknown: a request naming only those
// gets Responder/NoAuthnContext.
import { ACR, ACR_VALUES } from '../mfa/service.ts';

const C = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';
export const AC = {
  unspecified: `${C}unspecified`,
  password: `${C}Password`,
  ppt: `${C}PasswordProtectedTransport`,
  mobile2f: `${C}MobileTwoFactorContract`,
  mobile2fUnreg: `${C}MobileTwoFactorUnregistered`,
  timeSync: `${C}TimeSyncToken`,
  refedsMfa: 'https://refeds.org/profile/mfa',
} as const;

export const CLASS_RANK: Readonly<Record<string, number>> = {
  [AC.unspecified]: 1,
  [AC.password]: 1,
  [AC.ppt]: 1,
  [ACR.pwd]: 1,
  [AC.refedsMfa]: 2,
  [AC.mobile2f]: 2,
  [AC.mobile2fUnreg]: 2,
  [AC.timeSync]: 2,
  [ACR.mfa]: 2,
  [ACR.phr]: 3,
};

/** The class an assertion claims for a sign-in of this rank when the SP asked nothing. */
export function defaultClass(rank: number): string {
  return rank >= 2 ? AC.refedsMfa : AC.ppt;
}

export type Comparison = 'exact' | 'minimum' | 'better' | 'maximum';

export interface RequestedContext {
  comparison: Comparison;
  refs: string[];
}

export function parseComparison(v: unknown): Comparison | null {
  if (v === undefined || v === null || v === '') return 'exact';
  return v === 'exact' || v === 'minimum' || v === 'better' || v === 'maximum' ? v : null;
}

/**
 * The acr rank a RequestedAuthnContext needs (1…3), or null when no sign-in of ours can
 * satisfy it (only unknown classes, or `better` than the strongest we have).
 */
export function requiredRank(req: RequestedContext | null): number | null {
  if (!req || req.refs.length === 0) return 1;
  const ranks = req.refs.map((r) => CLASS_RANK[r]).filter((r): r is number => r !== undefined);
  if (ranks.length === 0) return null;
  const weakest = Math.min(...ranks);
  if (req.comparison === 'better') {
    const need = Math.max(...ranks) + 1;
    return need > ACR_VALUES.length ? null : need;
  }
  return weakest;
}

/**
 * The AuthnContextClassRef to claim for a sign-in of `rank` under the request, or null
 * when that sign-in does not satisfy it (→ NoAuthnContext).
 */
export function classFor(req: RequestedContext | null, rank: number): string | null {
  if (rank < 1) return null;
  const need = requiredRank(req);
  if (need === null || rank < need) return null;
  if (!req || req.refs.length === 0) return defaultClass(rank);
  const known = req.refs.filter((r) => CLASS_RANK[r] !== undefined);
  switch (req.comparison) {
    case 'exact':
      // one of the classes asked for (the SP's order of preference) that the sign-in meets
      return known.find((r) => CLASS_RANK[r]! <= rank) ?? null;
    case 'maximum': {
      // as strong as possible without going beyond the strongest class asked for
      const fit = known.filter((r) => CLASS_RANK[r]! <= rank);
      return fit.sort((a, b) => CLASS_RANK[b]! - CLASS_RANK[a]!)[0] ?? null;
    }
    case 'minimum':
    case 'better': {
      const own = defaultClass(rank);
      if (CLASS_RANK[own]! >= need) return own;
      // e.g. phr asked for as a minimum: name the acr itself
      return ACR_VALUES[rank - 1] ?? null;
    }
  }
}
