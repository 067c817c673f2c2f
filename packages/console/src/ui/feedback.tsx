// Loading, error and empty states. Errors from the API show the server's detail and the
// fields it named (problem+json `errors`), so a bad form input is explained next to its name.
import type { ReactNode } from 'react';
import { ApiError, type Resource } from '../api.ts';
import { t } from '../i18n/index.ts';

export function Loading() {
  return (
    <p className="muted" role="status">
      {t('app.loading')}
    </p>
  );
}

export function ErrorView(props: { error: Error; onRetry?: () => void }) {
  const e = props.error;
  const api = e instanceof ApiError ? e : null;
  return (
    <div className="alert alert-error" role="alert">
      <p>
        <strong>{api?.status === 403 ? t('error.forbidden') : t('error.title')}</strong>{' '}
        {api ? (api.problem.detail ?? api.problem.title) : e.message}
      </p>
      {api?.problem.errors?.length ? (
        <>
          <p>{t('error.fields')}</p>
          <ul>
            {api.problem.errors.map((f) => (
              <li key={f.field}>
                <code>{f.field}</code>: {f.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {props.onRetry ? (
        <button type="button" onClick={props.onRetry}>
          {t('error.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** Renders a resource's loading and error states, then `children(data)`. */
export function Loaded<T>(props: { resource: Resource<T>; children: (data: T) => ReactNode }) {
  const r = props.resource;
  if (r.error) return <ErrorView error={r.error} onRetry={r.reload} />;
  if (r.data === undefined) return <Loading />;
  return <>{props.children(r.data)}</>;
}

export function Notice(props: { kind?: 'info' | 'success' | 'warning'; children: ReactNode }) {
  return (
    <div className={`alert alert-${props.kind ?? 'info'}`} role="status">
      {props.children}
    </div>
  );
}
