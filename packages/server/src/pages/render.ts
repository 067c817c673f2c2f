// Server-rendered hosted pages: one accessible layout (lang attribute, labels, visible
// focus, AA contrast), no JavaScript, a strict per-response CSP (inline style by nonce
// only), and a language switcher (?lang=, remembered in a cookie).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { LOCALES, negotiate, t, type Locale } from '../i18n.ts';
import './messages.ts';
import { logoHtml, type PageBranding } from '../branding/index.ts';

export const LANG_COOKIE = 'idaas_lang';

const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** The page language: ?lang= (remembered in a cookie), then the cookie, then Accept-Language. */
export function pageLocale(ctx: Context): Locale {
  const q = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
  if (q) {
    const l = negotiate(q, undefined);
    ctx.cookies.set(LANG_COOKIE, l, {
      httpOnly: true,
      sameSite: 'lax',
      signed: false,
      overwrite: true,
      maxAge: 365 * 86400_000,
    });
    return l;
  }
  const c = ctx.cookies.get(LANG_COOKIE, { signed: false });
  return negotiate(c, ctx.get('accept-language'));
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1b1f24;background:#f3f4f6}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.4rem;margin:0 0 1rem}
p{margin:0 0 1rem}
label{display:block;font-weight:600;margin:0 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem;margin:0 0 1rem;font:inherit;border:1px solid #57606a;border-radius:6px;color:#1b1f24;background:#fff}
button{font:inherit;padding:.6rem 1rem;border-radius:6px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer;margin:0 .5rem .5rem 0}
button.secondary{background:#fff;color:#0b5cad}
:focus-visible{outline:3px solid #bf4800;outline-offset:2px}
.alert{padding:.75rem;border-radius:6px;background:#fff0ee;border:1px solid #a40e26;color:#7d0a1c}
.code{font:700 1.6rem/1.2 ui-monospace,monospace;letter-spacing:.1em}
nav{max-width:26rem;margin:1rem auto 0;text-align:right;font-size:.9rem}
nav a{color:#0b5cad;margin-left:.75rem}
footer{max-width:26rem;margin:0 auto;text-align:center;font-size:.85rem;color:#57606a}
ul{padding-left:1.25rem}
`;

export interface PageOptions {
  locale: Locale;
  titleKey: string;
  /** Already-escaped HTML of the main content. */
  body: string;
  status?: number;
  /** Extra origins forms on this page may post to or be redirected to (the client's). */
  formOrigins?: string[];
  /** Same-origin script URLs the page loads (allowed by the per-response nonce). */
  scripts?: string[];
}

/** Renders a hosted page into ctx with its own CSP. */
export function renderPage(ctx: Context, opts: PageOptions): void {
  const nonce = randomBytes(16).toString('base64');
  const { locale } = opts;
  // the instance's branding (issue 7), set by the branding middleware or a preview
  const brand = ctx.state.branding as PageBranding | undefined;
  const here = new URL(ctx.originalUrl, 'http://x');
  const switcher = LOCALES.map((l) => {
    here.searchParams.set('lang', l);
    const cur = l === locale ? ' aria-current="true"' : '';
    return `<a href="${esc(here.pathname + here.search)}" lang="${l}" hreflang="${l}"${cur}>${esc(t(l, `page.lang.${l}`))}</a>`;
  }).join('');
  const origins = [...new Set(opts.formOrigins ?? [])].filter((o) =>
    /^https?:\/\/[^\s;,']+$/.test(o),
  );
  ctx.set(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      `style-src 'nonce-${nonce}'`,
      ...(opts.scripts?.length ? [`script-src 'nonce-${nonce}'`] : []),
      "img-src 'self' data:",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      `form-action 'self' ${origins.join(' ')}`.trim(),
    ].join('; '),
  );
  ctx.set('Cache-Control', 'no-store');
  ctx.status = opts.status ?? 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(t(locale, opts.titleKey))}</title>
<style nonce="${nonce}">${CSS}${brand?.css ?? ''}</style>
</head>
<body>
<nav aria-label="${esc(t(locale, 'page.lang.label'))}">${switcher}</nav>
<main>
${logoHtml(brand)}${opts.body}
</main>
<footer>${esc(t(locale, 'page.footer'))}</footer>
${(opts.scripts ?? []).map((src) => `<script nonce="${nonce}" src="${esc(src)}"></script>`).join('\n')}
</body>
</html>`;
}

/** A per-interaction anti-CSRF token: HMAC of the interaction id under the server's cookie key. */
export function csrfToken(key: string, scope: string): string {
  return createHmac('sha256', key).update(`csrf:${scope}`).digest('base64url');
}

export function checkCsrf(key: string, scope: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const want = Buffer.from(csrfToken(key, scope));
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** A simple error page (also used for instances that may not sign users in). */
export function renderError(
  ctx: Context,
  locale: Locale,
  opts: { status: number; messageKey?: string; message?: string; code?: string },
): void {
  const msg = opts.messageKey ? t(locale, opts.messageKey) : (opts.message ?? '');
  renderPage(ctx, {
    locale,
    status: opts.status,
    titleKey: 'page.error.title',
    body: `<h1>${esc(t(locale, 'page.error.heading'))}</h1>
<p role="alert">${esc(msg)}</p>
${opts.code ? `<p>${esc(t(locale, 'page.error.code', { code: opts.code }))}</p>` : ''}`,
  });
}

/** Reads an application/x-www-form-urlencoded body (small, bounded). */
export async function readForm(ctx: Context, limitBytes = 16 * 1024): Promise<URLSearchParams> {
  const type = ctx.request.type;
  if (type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
