// What the signed-in caller may do (issue 6, G5.6): `GET /me` once after sign-in (for a
// customer, the instances it holds a role on with its roles and permissions there; null for
// the operator, who holds everything) and `GET /instances/{slug}/permissions` on opening an
// instance. Hiding screens and actions is a courtesy: the server checks every call. Any 403
// reloads what is known (roles can change mid-session), keeping the old answer meanwhile.
import { useEffect, useSyncExternalStore } from 'react';
import { get, onForbidden } from './api.ts';
import { getSession, onSessionChange } from './auth.ts';

export interface MeInstance {
  slug: string;
  display_name: string;
  roles: string[];
  permissions: string[];
}

export interface Me {
  user_id: string | null;
  operator: boolean;
  accounts: { id: string; name: string; role: 'owner' | 'sub' }[];
  /** null for the operator: every permission on every instance */
  instances: MeInstance[] | null;
}

export interface InstancePermissions {
  instance: string;
  operator: boolean;
  roles: string[];
  permissions: string[];
}

export interface Known<T> {
  data?: T;
  error?: Error;
  loading: boolean;
}

const IDLE: Known<never> = { loading: false };
let token: string | null = null;
let me: Known<Me> = IDLE;
const instances = new Map<string, Known<InstancePermissions>>();
const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
};

/** Forgets everything when the session changes (sign-out, another user, a new token). */
function checkSession(): boolean {
  const s = getSession();
  const now = s && s.persona !== 'user' ? s.accessToken : null;
  if (now === token) return now !== null;
  token = now;
  me = IDLE;
  instances.clear();
  notify();
  return now !== null;
}
onSessionChange(checkSession);

function fetchMe(): void {
  if (!checkSession() || me.loading) return;
  me = { ...me, loading: true };
  const asked = token;
  get<Me>('/me').then(
    (data) => {
      if (asked !== token) return;
      me = { data, loading: false };
      notify();
    },
    (error: Error) => {
      if (asked !== token) return;
      me = { ...me, error, loading: false };
      notify();
    },
  );
  notify();
}

function fetchInstance(slug: string): void {
  if (!checkSession()) return;
  const cur = instances.get(slug) ?? IDLE;
  if (cur.loading) return;
  instances.set(slug, { ...cur, loading: true });
  const asked = token;
  get<InstancePermissions>(`/instances/${encodeURIComponent(slug)}/permissions`).then(
    (data) => {
      if (asked !== token) return;
      instances.set(slug, { data, loading: false });
      notify();
    },
    (error: Error) => {
      if (asked !== token) return;
      // a refusal now means no role any more: forget the old answer
      instances.set(slug, { error, loading: false });
      notify();
    },
  );
  notify();
}

/** Starts loading `/me` (after sign-in); later calls reuse it. */
export function prefetchMe(): void {
  if (checkSession() && !me.data && !me.loading && !me.error) fetchMe();
}

/** The caller (`/me`), loaded once per session. */
export function useMe(): Known<Me> {
  const state = useSyncExternalStore(subscribe, () => me);
  useEffect(prefetchMe, [state]);
  return state;
}

/** The caller's roles and permissions on an instance, loaded on first use. */
export function useInstancePermissions(slug: string): Known<InstancePermissions> {
  const state = useSyncExternalStore(subscribe, () => instances.get(slug) ?? IDLE);
  useEffect(() => {
    const s = instances.get(slug);
    if (!s || (!s.data && !s.error && !s.loading)) fetchInstance(slug);
  }, [slug, state]);
  return state;
}

// a 403 elsewhere: what the caller may do has changed; ask again (not for the questions
// themselves: a refusal there is the answer)
onForbidden((path) => {
  if (path === '/me' || /^\/instances\/[^/]+\/permissions$/.test(path)) return;
  const m = /^\/instances\/([^/?]+)/.exec(path);
  if (m) {
    const slug = decodeURIComponent(m[1]!);
    if (instances.has(slug)) fetchInstance(slug);
  }
  if (me.data) fetchMe();
});
