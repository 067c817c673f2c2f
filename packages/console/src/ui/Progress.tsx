// Long operations: their progress lives on the server; the UI keeps only the operation's id
// (sessionStorage, per key) and polls it, so leaving the page or reloading re-attaches to it.
import { useCallback, useEffect, useState } from 'react';
import { t } from '../i18n/index.ts';

export interface OperationStatus {
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  /** a failure's reason, or what is being done now */
  detail?: string;
}

export interface Operation {
  id: string | null;
  status: OperationStatus | null;
  /** true when this page found an operation started before (another visit or a reload) */
  resumed: boolean;
  start(id: string): void;
  clear(): void;
}

const PREFIX = 'idaas.console.op.';

export function useOperation(
  key: string,
  poll: (id: string) => Promise<OperationStatus>,
  intervalMs = 1000,
): Operation {
  const [id, setId] = useState<string | null>(() => sessionStorage.getItem(PREFIX + key));
  const [resumed] = useState(() => sessionStorage.getItem(PREFIX + key) !== null);
  const [status, setStatus] = useState<OperationStatus | null>(null);
  useEffect(() => {
    if (!id) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const s = await poll(id);
        if (!live) return;
        setStatus(s);
        if (s.state === 'running') timer = setTimeout(tick, intervalMs);
        else sessionStorage.removeItem(PREFIX + key);
      } catch (e) {
        if (!live) return;
        setStatus({ state: 'failed', done: 0, total: 0, detail: (e as Error).message });
        sessionStorage.removeItem(PREFIX + key);
      }
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, key, poll, intervalMs]);
  const start = useCallback(
    (next: string) => {
      sessionStorage.setItem(PREFIX + key, next);
      setStatus(null);
      setId(next);
    },
    [key],
  );
  const clear = useCallback(() => {
    sessionStorage.removeItem(PREFIX + key);
    setId(null);
    setStatus(null);
  }, [key]);
  return { id, status, resumed, start, clear };
}

export function ProgressView(props: { label: string; op: Operation }) {
  const { status, resumed } = props.op;
  if (!props.op.id) return null;
  const total = status?.total ?? 0;
  const done = status?.done ?? 0;
  return (
    <div className="progress" role="status" aria-live="polite">
      <p>
        <strong>{props.label}</strong>
        {resumed ? <> — {t('progress.resumed')}</> : null}
      </p>
      {status?.state === 'done' ? (
        <p>{t('progress.done')}</p>
      ) : status?.state === 'failed' ? (
        <p className="error-text">{t('progress.failed', { reason: status.detail ?? '' })}</p>
      ) : (
        <>
          <progress
            max={total || undefined}
            value={total ? done : undefined}
            aria-label={props.label}
          />
          <p className="muted">
            {total ? t('progress.running', { done, total }) : t('app.loading')}{' '}
            {t('progress.leave')}
          </p>
        </>
      )}
    </div>
  );
}
