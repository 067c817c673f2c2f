// The public admin API (/api/v1) with the signed-in user's bearer token. Errors arrive as
// RFC 9457 problem+json and are thrown as ApiError, which keeps the fields the server named.
import { useCallback, useEffect, useState } from 'react';
import { getSession, reauthenticate } from './auth.ts';
import { getLang } from './i18n/index.ts';
import { PORTAL_SLUG } from './router.ts';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.status = problem.status;
    this.problem = problem;
  }
  /** The message for one field (e.g. to show under its input), if the server named it. */
  fieldError(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.message;
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const forbiddenListeners = new Set<(path: string) => void>();
/** Called with the API path of every 403 answer; returns the unsubscribe function. */
export function onForbidden(l: (path: string) => void): () => void {
  forbiddenListeners.add(l);
  return () => forbiddenListeners.delete(l);
}

/** The admin API, or in the portal the instance's end-user API (/i/:slug/api). */
export const API = PORTAL_SLUG ? `/i/${PORTAL_SLUG}/api` : '/api/v1';

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const s = getSession();
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    'accept-language': getLang(),
  };
  if (s) headers.authorization = `Bearer ${s.accessToken}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(API + path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 401 && s) {
    reauthenticate();
    throw new ApiError({ status: 401, title: 'Unauthorized', detail: 'signing in again' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const p =
      data && typeof data === 'object' ? (data as Problem) : { status: res.status, detail: text };
    // roles can change mid-session: whoever shows what the caller may do reloads it
    if (res.status === 403) for (const l of forbiddenListeners) l(path);
    throw new ApiError({ ...p, status: res.status });
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body ?? {});
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, body ?? {});
export const del = <T>(path: string) => api<T>('DELETE', path);

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | Error | null;
  loading: boolean;
  reload: () => void;
}

/** Loads `path` (null: nothing to load) and reloads it on demand. */
export function useApi<T>(path: string | null): Resource<T> {
  const [state, setState] = useState<{ data?: T; error: Error | null; loading: boolean }>({
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    get<T>(path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
