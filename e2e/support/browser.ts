// A tiny HTML "browser" for tests: plain HTTP requests with a cookie jar, manual
// redirects and a form driver (no JavaScript, like the hosted pages expect).
// node:http rather than fetch: fetch forces `Sec-Fetch-Mode: cors`, and relying parties
// such as mod_auth_openidc treat that as an XHR (401 instead of a sign-in redirect).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

function send(
  url: URL,
  init: { method?: string; headers: Headers; body?: string; localAddress?: string },
): Promise<{ status: number; headers: Headers; setCookies: string[]; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    init.headers.forEach((v, k) => (headers[k] = v));
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        ...(init.localAddress ? { localAddress: init.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          const setCookies: string[] = [];
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            if (k === 'set-cookie') setCookies.push(...(v as string[]));
            else h.set(k, Array.isArray(v) ? v.join(', ') : v);
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: h,
            setCookies,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

export class CookieJar {
  #cookies = new Map<string, Cookie>();

  store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq < 1) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const a of attrs) {
        const [k, v = ''] = a.trim().split('=');
        const key = k!.toLowerCase();
        if (key === 'path') path = v || '/';
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) < Date.parse('2000-01-01')) expired = true;
      }
      const id = `${url.host}|${path}|${name}`;
      if (expired || value === '') this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, host: url.host, path });
    }
  }

  header(url: URL): string {
    return [...this.#cookies.values()]
      .filter(
        (c) =>
          c.host === url.host &&
          (url.pathname === c.path ||
            url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  names(): string[] {
    return [...this.#cookies.values()].map((c) => c.name);
  }
}

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

export interface Form {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** submit buttons: name → value */
  buttons: { name: string | null; value: string; label: string }[];
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attrOf(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decode(m[1]!) : null;
}

export function parseForms(html: string, base: string): Form[] {
  const forms: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = m[1]!;
    const inner = m[2]!;
    const fields: Record<string, string> = {};
    for (const i of inner.matchAll(/<input\b[^>]*>/gi)) {
      const name = attrOf(i[0], 'name');
      if (name) fields[name] = attrOf(i[0], 'value') ?? '';
    }
    const buttons = [...inner.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].map((b) => ({
      name: attrOf(b[0], 'name'),
      value: attrOf(b[0], 'value') ?? '',
      label: b[2]!.trim(),
    }));
    forms.push({
      action: new URL(attrOf(`<x ${open}>`, 'action') ?? base, base).href,
      method: (attrOf(`<x ${open}>`, 'method') ?? 'get').toUpperCase(),
      fields,
      buttons,
    });
  }
  return forms;
}

export class Browser {
  readonly jar = new CookieJar();
  /** Sent with every request, like a browser navigating (relying parties look at them). */
  headers: Record<string, string> = {
    accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-dest': 'document',
  };
  /** The local address requests leave from (e.g. 127.0.0.2: another client network). */
  localAddress: string | undefined;

  /** One request, no redirect following. */
  async request(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Page> {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) if (!headers.has(k)) headers.set(k, v);
    const cookie = this.jar.header(u);
    if (cookie) headers.set('cookie', cookie);
    const res = await send(u, {
      headers,
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
      ...(init.method ? { method: init.method } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    this.jar.store(u, res.setCookies);
    return { url: u.href, status: res.status, headers: res.headers, text: res.text };
  }

  /**
   * Follows redirects until a non-redirect response, or until the next location
   * satisfies `stop` (e.g. the client's redirect URI): then returns that location in `url`.
   */
  async go(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
    stop: (location: string) => boolean = () => false,
  ): Promise<Page> {
    let page = await this.request(url, init);
    for (let i = 0; i < 20; i++) {
      const loc = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || !loc) return page;
      const next = new URL(loc, page.url).href;
      if (stop(next)) return { ...page, url: next };
      page = await this.request(next);
    }
    throw new Error('too many redirects');
  }

  /** Submits a form of `page` (the first whose action matches), with field overrides. */
  async submit(
    page: Page,
    opts: {
      action?: RegExp;
      fields?: Record<string, string>;
      button?: { name: string; value: string };
      stop?: (location: string) => boolean;
    } = {},
  ): Promise<Page> {
    const forms = parseForms(page.text, page.url);
    const form = forms.find((f) => !opts.action || opts.action.test(f.action));
    if (!form) throw new Error(`no form matching ${opts.action} on ${page.url}:\n${page.text}`);
    const body = new URLSearchParams({ ...form.fields, ...opts.fields });
    if (opts.button) body.set(opts.button.name, opts.button.value);
    return this.go(
      form.action,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      },
      opts.stop,
    );
  }
}
