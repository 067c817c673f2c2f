// Password policy per instance, after NIST SP 800-63B §5.1.1.2 (memorized secrets):
// a minimum length (8; 15 for the platform instance, whose users administer the service),
// a maximum of at least 64, no composition rules unless an instance turns them on,
// refusal of common and breached passwords (an offline list shipped with the package)
// and of passwords containing the username (or the local part of the email).
//
// Lengths are counted in Unicode code points after NFKC normalisation (§5.1.1.2: each
// code point counts as one character).
//
// The breached/common list is the `passwords` dictionary of @zxcvbn-ts/language-common:
// lowercased passwords of Mark Burnett's ten-million-password corpus (xato.net, 2015,
// passwords from public breaches) seen more than ten times, minus those zxcvbn already
// rates weak by pattern (sequences, repeats, keyboard walks). Loaded lazily, once.
import { createRequire } from 'node:module';
import { z } from 'zod';

export const PLATFORM_MIN_LENGTH = 15;
export const DEFAULT_MIN_LENGTH = 8;
export const DEFAULT_MAX_LENGTH = 128;
/** Shortest username (or email local part) the containment rule looks for. */
export const MIN_CONTEXT_WORD = 3;

export const passwordPolicySchema = z
  .strictObject({
    minLength: z.number().int().min(8, 'must be at least 8 (NIST SP 800-63B)').max(64),
    maxLength: z
      .number()
      .int()
      .min(64, 'must be at least 64 (NIST SP 800-63B)')
      .max(256, 'must be at most 256'),
    requireUppercase: z.boolean(),
    requireLowercase: z.boolean(),
    requireDigit: z.boolean(),
    requireSymbol: z.boolean(),
    rejectBreached: z.boolean(),
    rejectUsername: z.boolean(),
    /** How many previous passwords may not be reused (0: no history kept). */
    historyCount: z.number().int().min(0).max(24),
  })
  .refine((p) => p.minLength <= p.maxLength, {
    path: ['minLength'],
    message: 'must not exceed maxLength',
  });

export type PasswordPolicy = z.infer<typeof passwordPolicySchema>;

/** The policy of an instance that has not set its own. */
export function defaultPasswordPolicy(platform: boolean): PasswordPolicy {
  return {
    minLength: platform ? PLATFORM_MIN_LENGTH : DEFAULT_MIN_LENGTH,
    maxLength: DEFAULT_MAX_LENGTH,
    requireUppercase: false,
    requireLowercase: false,
    requireDigit: false,
    requireSymbol: false,
    rejectBreached: true,
    rejectUsername: true,
    historyCount: 0,
  };
}

/** The policy in force: the platform instance never goes below the admin minimum. */
export function effectivePolicy(policy: PasswordPolicy, platform: boolean): PasswordPolicy {
  return platform && policy.minLength < PLATFORM_MIN_LENGTH
    ? { ...policy, minLength: PLATFORM_MIN_LENGTH }
    : policy;
}

export type PasswordRule =
  | 'min_length'
  | 'max_length'
  | 'uppercase'
  | 'lowercase'
  | 'digit'
  | 'symbol'
  | 'breached'
  | 'username'
  | 'history';

export interface PasswordViolation {
  rule: PasswordRule;
  /** Message key (en and zh-CN in PASSWORD_POLICY_MESSAGES). */
  key: string;
  params: Record<string, string | number>;
}

/** NFKC, as NIST asks before counting and comparing. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in code points, after NFKC. */
export function passwordLength(password: string): number {
  let n = 0;
  for (const _ of normalisePassword(password)) n++;
  return n;
}

let breached: Set<string> | null = null;

/** The offline common/breached password list (lowercase), loaded on first use. */
export function breachedPasswords(): ReadonlySet<string> {
  if (!breached) {
    const require = createRequire(import.meta.url);
    const mod = require('@zxcvbn-ts/language-common') as {
      dictionary: { 'passwords-common': string[] };
    };
    breached = new Set(mod.dictionary['passwords-common'].map((p) => p.toLowerCase()));
  }
  return breached;
}

const violation = (
  rule: PasswordRule,
  params: Record<string, string | number> = {},
): PasswordViolation => ({ rule, key: `password.policy.${rule}`, params });

/**
 * Checks a candidate password against a policy. Pure (besides loading the list once);
 * the history rule needs stored hashes and is checked by the caller.
 */
export function checkPassword(
  policy: PasswordPolicy,
  password: string,
  context: { username?: string | null; email?: string | null } = {},
): PasswordViolation[] {
  const out: PasswordViolation[] = [];
  const pw = normalisePassword(password);
  const len = passwordLength(pw);
  if (len < policy.minLength) out.push(violation('min_length', { min: policy.minLength }));
  if (len > policy.maxLength) out.push(violation('max_length', { max: policy.maxLength }));
  if (policy.requireUppercase && !/\p{Lu}/u.test(pw)) out.push(violation('uppercase'));
  if (policy.requireLowercase && !/\p{Ll}/u.test(pw)) out.push(violation('lowercase'));
  if (policy.requireDigit && !/\p{Nd}/u.test(pw)) out.push(violation('digit'));
  if (policy.requireSymbol && !/[^\p{L}\p{N}]/u.test(pw)) out.push(violation('symbol'));
  const lower = pw.toLowerCase();
  if (policy.rejectBreached && breachedPasswords().has(lower)) out.push(violation('breached'));
  if (policy.rejectUsername) {
    const words = [context.username, context.email?.split('@')[0]]
      .filter((w): w is string => !!w)
      .map((w) => normalisePassword(w).toLowerCase())
      .filter((w) => passwordLength(w) >= MIN_CONTEXT_WORD);
    if (words.some((w) => lower.includes(w))) out.push(violation('username'));
  }
  return out;
}

/** English text of a violation, for API errors (`password: <this>`). */
export function violationText(v: PasswordViolation): string {
  const msg = PASSWORD_POLICY_MESSAGES.en[v.key] ?? v.rule;
  return msg.replace(/\{(\w+)\}/g, (_, k: string) => String(v.params[k] ?? `{${k}}`));
}

/** Messages of the rules, English and Simplified Chinese (the server registers them). */
export const PASSWORD_POLICY_MESSAGES: {
  en: Record<string, string>;
  'zh-CN': Record<string, string>;
} = {
  en: {
    'password.policy.min_length': 'must be at least {min} characters',
    'password.policy.max_length': 'must be at most {max} characters',
    'password.policy.uppercase': 'must contain an uppercase letter',
    'password.policy.lowercase': 'must contain a lowercase letter',
    'password.policy.digit': 'must contain a digit',
    'password.policy.symbol': 'must contain a symbol',
    'password.policy.breached':
      'is too common: it appears in lists of breached passwords; choose another',
    'password.policy.username': 'must not contain your username or email name',
    'password.policy.history': 'must differ from your recent passwords',
  },
  'zh-CN': {
    'password.policy.min_length': '长度至少为 {min} 个字符',
    'password.policy.max_length': '长度不能超过 {max} 个字符',
    'password.policy.uppercase': '必须包含大写字母',
    'password.policy.lowercase': '必须包含小写字母',
    'password.policy.digit': '必须包含数字',
    'password.policy.symbol': '必须包含符号',
    'password.policy.breached': '过于常见：该密码出现在已泄露密码列表中，请另选一个',
    'password.policy.username': '不能包含您的用户名或邮箱名',
    'password.policy.history': '不能与最近使用过的密码相同',
  },
};
