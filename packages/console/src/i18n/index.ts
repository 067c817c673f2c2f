// Dictionaries and the current language. Every user-facing string of the console lives in
// a dictionary registered with `registerMessages(en, zh)` (both languages, same keys) by the
// module that uses it, at import time, so lazily loaded sections bring their own strings.
import { useSyncExternalStore } from 'react';

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];
export type Dict = Record<string, string>;

const dicts: Record<Lang, Dict> = { en: {}, 'zh-CN': {} };

/** Registers messages in both languages; a key missing from one of them is a programming error. */
export function registerMessages<K extends string>(
  en: Record<K, string>,
  zh: Record<K, string>,
): void {
  for (const k of Object.keys(en))
    if (!(k in zh)) throw new Error(`i18n: key ${k} has no Simplified Chinese text`);
  for (const k of Object.keys(zh))
    if (!(k in en)) throw new Error(`i18n: key ${k} has no English text`);
  Object.assign(dicts.en, en);
  Object.assign(dicts['zh-CN'], zh);
}

const STORAGE_KEY = 'idaas.console.lang';

function initialLang(): Lang {
  const query = new URLSearchParams(location.search).get('lang');
  if (query === 'en' || query === 'zh-CN') return query;
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'zh-CN') return stored;
  } catch {
    // storage may be unavailable (privacy mode): fall back to the browser's language
  }
  return navigator.languages?.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();
document.documentElement.lang = current;

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered across visits
  }
  for (const l of listeners) l();
}

/** The message `key` in the current language, `{name}` placeholders replaced from `vars`. */
export function t(key: string, vars?: Record<string, string | number>): string {
  const text = dicts[current][key] ?? dicts.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Re-renders the calling component when the language changes. */
export function useLang(): Lang {
  return useSyncExternalStore(subscribe, getLang);
}

const dateFmt = new Map<string, Intl.DateTimeFormat>();

/** An instant from the API (RFC 3339) in the current language, in the browser's time zone. */
export function formatInstant(iso: string | null | undefined, withTime = true): string {
  if (!iso) return '—';
  const key = `${current}|${withTime}`;
  let f = dateFmt.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(current, {
      dateStyle: 'medium',
      ...(withTime ? { timeStyle: 'short' } : {}),
    });
    dateFmt.set(key, f);
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : f.format(d);
}

/** A CNY amount from the API ("99.00") for display. */
export function formatCny(amount: string | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  const n = Number(amount);
  if (!Number.isFinite(n)) return amount;
  return new Intl.NumberFormat(current, { style: 'currency', currency: 'CNY' }).format(n);
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(current).format(n);
}
