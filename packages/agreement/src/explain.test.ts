import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOG, findPolicy } from './catalog.ts';
import { explain } from './explain.ts';

test('explain: every policy in both languages, citing each clause its rules use [P1 ID1]', () => {
  for (const p of CATALOG) {
    for (const lang of ['en', 'zh-CN'] as const) {
      const text = explain(p, lang);
      assert.ok(text.startsWith(`${p.id}`), text);
      // Opening by activation and renewing early change nothing a customer must know.
      const told = p.transitions.filter(
        (t) => t.on !== 'activate' && !(t.on === 'renew' && t.from.includes('active')),
      );
      for (const r of [...told, ...p.timers])
        assert.ok(text.includes(`[${r.clause}]`), `${p.id} ${lang} ${r.clause}`);
    }
  }
});

test('explain: P2 in plain words, with the natural-day rule and the deadline semantics [P2]', () => {
  const f = findPolicy('P2');
  assert.ok(f.ok);
  const en = explain(f.policy, 'en');
  assert.match(en, /24 h after the first arrears, if still in grace .*: it becomes restricted/);
  assert.match(
    en,
    /natural day 31, counting the day of the first arrears as day 1, .*released .*all data is deleted, unrecoverable\. \[P2\]/,
  );
  assert.match(en, /before the deadline instant/);
  const zh = explain(f.policy, 'zh-CN');
  assert.match(zh, /首次欠费后 24 小时/);
  assert.match(zh, /全部数据被删除，不可恢复。\[P2\]/);
});
