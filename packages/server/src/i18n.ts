// Messages in English and Simplified Chinese, by stable key. Hosted pages and error
// titles use them; error codes double as keys (`error.<code>`).
export type Locale = 'en' | 'zh-CN';
export const LOCALES: Locale[] = ['en', 'zh-CN'];

type Messages = Record<string, string>;

const en: Messages = {
  'error.validation_failed': 'Invalid request',
  'error.not_found': 'Not found',
  'error.method_not_allowed': 'Method not allowed',
  'error.conflict': 'Conflict',
  'error.unauthorized': 'Authentication required',
  'error.forbidden': 'Forbidden',
  'error.payload_too_large': 'Request body too large',
  'error.rate_limited': 'Too many requests',
  'error.instance_unavailable': 'Instance unavailable',
  'error.internal': 'Internal error',
};

const zh: Messages = {
  'error.validation_failed': '请求无效',
  'error.not_found': '未找到',
  'error.method_not_allowed': '不允许的请求方法',
  'error.conflict': '冲突',
  'error.unauthorized': '需要身份验证',
  'error.forbidden': '禁止访问',
  'error.payload_too_large': '请求体过大',
  'error.rate_limited': '请求过于频繁',
  'error.instance_unavailable': '实例不可用',
  'error.internal': '内部错误',
};

const catalogs: Record<Locale, Messages> = { en, 'zh-CN': zh };

/** Adds messages (pages register theirs at import time); both languages must define the same keys. */
export function registerMessages(messages: Record<Locale, Messages>): void {
  const keysEn = Object.keys(messages.en).sort().join();
  const keysZh = Object.keys(messages['zh-CN']).sort().join();
  if (keysEn !== keysZh) throw new Error('i18n: en and zh-CN must define the same message keys');
  Object.assign(en, messages.en);
  Object.assign(zh, messages['zh-CN']);
}

export function t(locale: Locale, key: string, vars: Record<string, string | number> = {}): string {
  const msg = catalogs[locale][key] ?? en[key] ?? key;
  return msg.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

export function allKeys(locale: Locale): string[] {
  return Object.keys(catalogs[locale]);
}

/** Picks a locale: explicit choice (query/cookie) first, then Accept-Language, else English. */
export function negotiate(
  explicit: string | undefined | null,
  acceptLanguage: string | undefined,
): Locale {
  if (explicit) {
    const l = explicit.toLowerCase();
    if (l === 'zh-cn' || l === 'zh' || l === 'zh-hans') return 'zh-CN';
    if (l === 'en' || l.startsWith('en-')) return 'en';
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
