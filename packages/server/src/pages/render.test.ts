import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allKeys, t } from '../i18n.ts';
import { checkCsrf, csrfToken, esc } from './render.ts';
import { pageMessages } from './messages.ts';

describe('hosted pages', () => {
  it('registers every page message in English and Simplified Chinese', () => {
    const en = Object.keys(pageMessages.en).sort();
    assert.deepEqual(Object.keys(pageMessages['zh-CN']).sort(), en);
    for (const k of en) {
      assert.ok(allKeys('en').includes(k), k);
      assert.ok(allKeys('zh-CN').includes(k), k);
    }
    assert.equal(t('zh-CN', 'page.signin.submit'), '登录');
    assert.match(t('en', 'page.unavailable.suspended', { clause: 'ID2' }), /clause ID2\)/);
    assert.match(t('zh-CN', 'page.unavailable.suspended', { clause: 'ID1' }), /条款 ID1/);
  });

  it('escapes HTML', () => {
    assert.equal(
      esc(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('binds the CSRF token to its interaction', () => {
    const tok = csrfToken('k', 'i1:u1');
    assert.ok(checkCsrf('k', 'i1:u1', tok));
    assert.ok(!checkCsrf('k', 'i1:u2', tok));
    assert.ok(!checkCsrf('other', 'i1:u1', tok));
    assert.ok(!checkCsrf('k', 'i1:u1', undefined));
  });
});
