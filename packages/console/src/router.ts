// A tiny client-side router: the app is mounted at /console (operator, customer and
// instance admin) or at /i/:slug/portal (the end-user portal); routes are paths below it.
import {
  createElement,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
} from 'react';

const portal = /^\/i\/([a-z0-9][a-z0-9-]{0,62})\/portal(?=\/|$)/.exec(location.pathname);

/** Where the app is mounted ('/console' or '/i/<slug>/portal'), without trailing slash. */
export const BASE = portal ? portal[0] : '/console';
/** The instance slug when the app runs as an instance's end-user portal. */
export const PORTAL_SLUG: string | null = portal ? portal[1]! : null;

const listeners = new Set<() => void>();
function emit(): void {
  for (const l of listeners) l();
}
window.addEventListener('popstate', emit);

/** The current path below BASE, always starting with '/' (query string excluded). */
function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return p === '' ? '/' : p;
}

let snapshot = currentPath() + location.search;
function getSnapshot(): string {
  const s = currentPath() + location.search;
  if (s !== snapshot) snapshot = s;
  return snapshot;
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const s = useSyncExternalStore(subscribe, getSnapshot);
  const i = s.indexOf('?');
  return i < 0
    ? { path: s, query: new URLSearchParams() }
    : { path: s.slice(0, i), query: new URLSearchParams(s.slice(i)) };
}

export function href(to: string): string {
  return BASE + (to.startsWith('/') ? to : `/${to}`);
}

let routeChanged = false;
/** True once after an in-app navigation (the next page heading takes the focus). */
export function consumeRouteChange(): boolean {
  const r = routeChanged;
  routeChanged = false;
  return r;
}
window.addEventListener('popstate', () => {
  routeChanged = true;
});

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  routeChanged = true;
  const url = href(to);
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  emit();
}

/** Matches '/customers/:id' against a path; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const x = xs[i]!;
    if (p.startsWith(':')) out[p.slice(1)] = decodeURIComponent(x);
    else if (p !== x) return null;
  }
  return out;
}

/** An anchor that navigates inside the app (modified clicks open new tabs as usual). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const { to, onClick, ...rest } = props;
  return createElement('a', {
    ...rest,
    href: href(to),
    onClick: (e: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(e);
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
        return;
      e.preventDefault();
      navigate(to);
    },
  });
}
