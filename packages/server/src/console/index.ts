// Serves the console single-page app (packages/console/dist, built by `npm run build:console`)
//   /console/assets/*          hashed assets, cached for a year (immutable)
//   /console, /console/*       index.html (no-cache) for every other path: deep links work
//   /i/:slug/portal[/*]        the same index.html: the end-user portal of an instance
// under a CSP allowing only this origin for scripts, styles and API calls. Without a build,
// /console answers 503 with a page saying how to build it.
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

const ASSET = /^\/console\/assets\/([A-Za-z0-9][A-Za-z0-9._-]*)$/;
const APP = /^\/console(?:\/.*)?$/;
const PORTAL = /^\/i\/[a-z0-9][a-z0-9-]{0,62}\/portal(?:\/.*)?$/;

export const DEFAULT_CONSOLE_DIST = fileURLToPath(
  new URL('../../../console/dist/', import.meta.url),
);

const MISSING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>
<body><main>
<h1>The console has not been built</h1>
<p>Run <code>npm run build:console</code> (or <code>npm ci</code>, which builds it) and reload this page.</p>
<p lang="zh-CN">控制台尚未构建。请运行 <code>npm run build:console</code>（或 <code>npm ci</code>），然后刷新本页。</p>
</main></body></html>
`;

export function createConsole(opts: { dist?: string } = {}): Middleware {
  const dist = opts.dist ?? DEFAULT_CONSOLE_DIST;
  let index: { mtimeMs: number; html: string } | null = null;

  async function indexHtml(): Promise<string | null> {
    const file = join(dist, 'index.html');
    try {
      const s = await stat(file);
      if (!index || index.mtimeMs !== s.mtimeMs)
        index = { mtimeMs: s.mtimeMs, html: await readFile(file, 'utf8') };
      return index.html;
    } catch {
      index = null;
      return null;
    }
  }

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const path = ctx.path;
    const asset = ASSET.exec(path);
    if (asset) {
      const name = asset[1]!;
      let body: Buffer;
      try {
        body = await readFile(join(dist, 'assets', name));
      } catch {
        ctx.status = 404;
        ctx.type = 'text/plain';
        ctx.body = 'no such console asset';
        ctx.set('Cache-Control', 'no-store');
        return;
      }
      ctx.type = TYPES[extname(name)] ?? 'application/octet-stream';
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.body = body;
      return;
    }
    if (!APP.test(path) && !PORTAL.test(path)) return next();
    const html = await indexHtml();
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    ctx.type = 'text/html; charset=utf-8';
    if (html === null) {
      ctx.status = 503;
      ctx.set('Retry-After', '60');
      ctx.body = MISSING;
      return;
    }
    ctx.body = html;
  };
}
