// The password policy (NIST SP 800-63B): lengths in code points after NFKC, the offline
// breached list, username containment, composition rules off by default, the platform
// minimum, and the schema's refusals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  breachedPasswords,
  checkPassword,
  defaultPasswordPolicy,
  effectivePolicy,
  passwordLength,
  passwordPolicySchema,
  PASSWORD_POLICY_MESSAGES,
  violationText,
} from './password-policy.ts';

const rules = (...a: Parameters<typeof checkPassword>) => checkPassword(...a).map((v) => v.rule);
const tenant = defaultPasswordPolicy(false);
const platform = defaultPasswordPolicy(true);

describe('password policy', () => {
  test('defaults: 8 for an instance, 15 on the platform, max 128, no composition', () => {
    assert.equal(tenant.minLength, 8);
    assert.equal(platform.minLength, 15);
    assert.equal(tenant.maxLength, 128);
    assert.ok(tenant.maxLength >= 64);
    for (const k of [
      'requireUppercase',
      'requireLowercase',
      'requireDigit',
      'requireSymbol',
    ] as const)
      assert.equal(tenant[k], false, k);
    assert.equal(tenant.rejectBreached, true);
    assert.equal(tenant.rejectUsername, true);
    assert.equal(tenant.historyCount, 0);
  });

  test('lengths count code points after NFKC', () => {
    assert.equal(passwordLength('密码密码密码密码'), 8); // 8 code points, 24 UTF-8 bytes
    assert.deepEqual(rules(tenant, '密码密码密码密码'), []);
    assert.deepEqual(rules(tenant, '密码密码密码密'), ['min_length']);
    // emoji outside the BMP: one code point each (two UTF-16 units)
    assert.equal(passwordLength('🔑🔑🔑🔑🔑🔑🔑🔑'), 8);
    assert.deepEqual(rules(tenant, '🔑🔑🔑🔑🔑🔑🔑'), ['min_length']);
    // NFKC folds the ligature "ﬃ" (1 code point) into "ffi" (3)
    assert.equal(passwordLength('ﬃ'), 3);
    assert.deepEqual(rules(tenant, 'zq ﬃ9x'), []); // 5 + 3 = 8 after NFKC
    // composed vs decomposed é count the same
    assert.equal(passwordLength('e\u0301'.repeat(8)), passwordLength('\u00e9'.repeat(8)));
    assert.deepEqual(rules(tenant, 'x'.repeat(129)), ['max_length']);
    assert.deepEqual(rules(tenant, 'zq-x'.repeat(32)), []); // 128 is allowed
  });

  test('platform minimum is 15 and a stored policy cannot lower it', () => {
    assert.deepEqual(rules(platform, 'fourteen-chars'), ['min_length']);
    assert.deepEqual(rules(platform, 'fifteen-chars!!'), []);
    const lowered = effectivePolicy({ ...tenant, minLength: 8 }, true);
    assert.equal(lowered.minLength, 15);
    assert.equal(effectivePolicy({ ...tenant, minLength: 20 }, true).minLength, 20);
  });

  test('common and breached passwords are refused, case-insensitively, from an offline list', () => {
    const list = breachedPasswords();
    assert.ok(list.size > 30_000, `list has ${list.size} entries`);
    for (const p of ['password1', 'Password1', 'iloveyou', '12345678', 'PASSW0RD'])
      assert.ok(rules(tenant, p).includes('breached'), p);
    assert.deepEqual(rules(tenant, 'violet staple orbit'), []);
    assert.deepEqual(rules({ ...tenant, rejectBreached: false }, 'password1'), []);
  });

  test('passwords containing the username or the email name are refused', () => {
    const who = { username: 'Alice.Wong', email: 'awong@example.com' };
    assert.deepEqual(rules(tenant, 'my-alice.wong-pw', who), ['username']);
    assert.deepEqual(rules(tenant, 'MY-ALICE.WONG-PW', who), ['username']);
    assert.deepEqual(rules(tenant, 'hello-awong-2026', who), ['username']);
    assert.deepEqual(rules(tenant, 'quiet river stone', who), []);
    // very short usernames are not looked for (every password would contain "a")
    assert.deepEqual(rules(tenant, 'x9 quiet river', { username: 'x9' }), []);
    // full-width letters fold to ASCII under NFKC before the comparison
    assert.deepEqual(rules(tenant, 'ｂｏｂｂｙ-tables-7', { username: 'bobby' }), ['username']);
    assert.deepEqual(rules({ ...tenant, rejectUsername: false }, 'my-alice.wong-pw', who), []);
  });

  test('composition rules, when an instance turns them on', () => {
    const strict = {
      ...tenant,
      requireUppercase: true,
      requireLowercase: true,
      requireDigit: true,
      requireSymbol: true,
    };
    assert.deepEqual(rules(strict, 'quiet river stone'), ['uppercase', 'digit']);
    assert.deepEqual(rules(strict, 'QUIETRIVERSTONE'), ['lowercase', 'digit', 'symbol']);
    assert.deepEqual(rules(strict, 'Quiet river st0ne'), []);
    assert.deepEqual(rules(strict, 'Ünïcode-ßtone9'), []);
  });

  test('several rules can fail at once, each with a message in both languages', () => {
    const v = checkPassword({ ...tenant, requireDigit: true }, 'zqb', { username: 'zqb' });
    assert.deepEqual(
      v.map((x) => x.rule),
      ['min_length', 'digit', 'username'],
    );
    assert.equal(violationText(v[0]!), 'must be at least 8 characters');
    const en = Object.keys(PASSWORD_POLICY_MESSAGES.en).sort();
    assert.deepEqual(Object.keys(PASSWORD_POLICY_MESSAGES['zh-CN']).sort(), en);
    for (const x of v) assert.ok(PASSWORD_POLICY_MESSAGES['zh-CN'][x.key], x.key);
  });

  test('the schema refuses values against NIST and names the field', () => {
    const bad = (patch: Record<string, unknown>) => {
      const r = passwordPolicySchema.safeParse({ ...tenant, ...patch });
      assert.equal(r.success, false, JSON.stringify(patch));
      return r.error!.issues.map((i) => i.path.join('.'));
    };
    assert.deepEqual(bad({ minLength: 6 }), ['minLength']);
    assert.deepEqual(bad({ maxLength: 32 }), ['maxLength']);
    assert.deepEqual(bad({ minLength: 64, maxLength: 64, historyCount: -1 }), ['historyCount']);
    assert.deepEqual(bad({ minLength: 'eight' }), ['minLength']);
    assert.deepEqual(bad({ extra: true }), ['']);
    assert.ok(passwordPolicySchema.safeParse(tenant).success);
  });
});
