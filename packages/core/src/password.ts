// Password hashing: argon2id at the OWASP parameters (m = 19 MiB, t = 2, p = 1).
// `verify` reports when a stored hash used other parameters, so login rehashes it.
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (an ambient const enum, not importable under type stripping). */
const ARGON2ID = 2;

export interface PasswordParams {
  memoryCost: number; // KiB
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: PasswordParams = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** `ok` and whether the hash should be replaced by one at the current parameters. */
  verify(stored: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
}

function paramsOf(phc: string): PasswordParams | null {
  // $argon2id$v=19$m=19456,t=2,p=1$salt$hash
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  return m ? { memoryCost: Number(m[1]), timeCost: Number(m[2]), parallelism: Number(m[3]) } : null;
}

export function argon2Hasher(params: PasswordParams = OWASP_ARGON2ID): PasswordHasher {
  const opts = { algorithm: ARGON2ID, ...params };
  return {
    hash: (password) => hash(password, opts),
    async verify(stored, password) {
      let ok = false;
      try {
        ok = await verify(stored, password);
      } catch {
        ok = false;
      }
      const p = paramsOf(stored);
      const needsRehash =
        ok &&
        (!p ||
          p.memoryCost !== params.memoryCost ||
          p.timeCost !== params.timeCost ||
          p.parallelism !== params.parallelism);
      return { ok, needsRehash };
    },
  };
}

/** A hash of a fixed password, verified against when a user does not exist (no timing oracle). */
export async function dummyHash(hasher: PasswordHasher): Promise<string> {
  return hasher.hash('idaas-timing-equaliser');
}
