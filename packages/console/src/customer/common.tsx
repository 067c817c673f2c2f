// Helpers of the customer's screens: the account of the signed-in user, the server's time
// (charts cover "the last months" of the server, not of the browser), a labelled textarea.
import { useEffect, useId, useState, type TextareaHTMLAttributes } from 'react';
import { ApiError, API, useApi } from '../api.ts';
import { t } from '../i18n/index.ts';
import { Notice } from '../ui/index.ts';

export interface Me {
  user_id: string | null;
  accounts: { id: string; name: string; role: 'owner' | 'sub' }[];
}
export interface AccountRef {
  id: string;
  name: string;
  role: 'owner' | 'sub';
}

export function useAccount(): AccountRef | null | undefined {
  const me = useApi<Me>('/me');
  if (me.error) return null;
  if (!me.data) return undefined;
  return me.data.accounts[0] ?? null;
}

export function NeedsAccount(props: { children: (a: AccountRef) => React.ReactNode }) {
  const a = useAccount();
  if (a === undefined) return <p role="status">{t('app.loading')}</p>;
  if (a === null) return <Notice kind="warning">{t('cu.noAccount')}</Notice>;
  return <>{props.children(a)}</>;
}

export const accountPath = (id: string) => `/accounts/${encodeURIComponent(id)}`;

/** The server's current time (its Date header), in milliseconds; null until known. */
export function useServerNow(): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    void fetch(`${API}/openapi.json`, { method: 'HEAD' }).then((res) => {
      const d = Date.parse(res.headers.get('date') ?? '');
      if (live) setNow(Number.isNaN(d) ? 0 : d);
    });
    return () => {
      live = false;
    };
  }, []);
  return now;
}

/** The last `n` calendar months (YYYY-MM) of the agreement zone (Asia/Shanghai, UTC+8). */
export function lastMonths(n: number, nowMs: number): string[] {
  const d = new Date(nowMs + 8 * 3_600_000);
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1));
    out.push(m.toISOString().slice(0, 7));
  }
  return out;
}

export function TextArea(
  props: {
    label: string;
    field: string;
    error?: Error | null;
  } & TextareaHTMLAttributes<HTMLTextAreaElement>,
) {
  const { label, field, error, ...rest } = props;
  const id = useId();
  const msg = error instanceof ApiError ? error.fieldError(field) : undefined;
  return (
    <div className={`field${msg ? ' invalid' : ''}`}>
      <label htmlFor={id}>
        {label}
        {rest.required ? <span className="muted"> {t('form.required')}</span> : null}
      </label>
      <textarea
        id={id}
        name={field}
        rows={4}
        aria-invalid={msg ? true : undefined}
        aria-describedby={msg ? `${id}-err` : undefined}
        {...rest}
      />
      {msg ? (
        <small id={`${id}-err`} className="error-text">
          {field}: {msg}
        </small>
      ) : null}
    </div>
  );
}

/** A translated word for a known value (`prefix.value`), the value itself otherwise. */
export function word(prefix: string, value: string): string {
  const k = `${prefix}.${value}`;
  const w = t(k);
  return w === k ? value : w;
}
