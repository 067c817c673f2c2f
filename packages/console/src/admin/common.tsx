// Shared pieces of the instance-administration screens: the instance's frame (sub-navigation
// of its screens), API paths, form helpers and copyable values.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useApi } from '../api.ts';
import { t } from '../i18n/index.ts';
import { Link } from '../router.ts';
import { SCREEN_ACTIONS } from './can.ts';
import { LackingNote } from './perm.tsx';

export interface Instance {
  id: string;
  slug: string;
  display_name: string;
  region: string;
  state: string;
  platform: boolean;
  issuer: string;
  created_at: string;
}

export interface User {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  display_name: string | null;
  status: 'enabled' | 'disabled' | 'locked';
  has_password: boolean;
  created_at: string;
}

/** The admin API path of an instance's resource. */
export const ip = (slug: string, rest = '') => `/instances/${encodeURIComponent(slug)}${rest}`;
/** The in-app path of an instance's admin screen. */
export const ap = (slug: string, rest = '') => `/admin/${encodeURIComponent(slug)}${rest}`;

export const SCREENS = [
  'users',
  'import',
  'groups',
  'org',
  'apps',
  'provisioning',
  'keys',
  'branding',
  'passwords',
  'access',
  'roles',
  'audit',
] as const;
export type Screen = (typeof SCREENS)[number];

/** The frame of an instance's screens: which instance, your roles there, and a navigation
 * between the screens your roles allow (with a note on what the current one does not). */
export function InstanceFrame(props: {
  slug: string;
  current: Screen;
  screens: readonly Screen[];
  roles: string[];
  children: ReactNode;
}) {
  return (
    <div className="admin">
      <p className="admin-instance">
        {t('admin.instance', { slug: props.slug })} ·{' '}
        <span data-testid="my-roles">
          {t('admin.perm.yourRoles', { roles: props.roles.join(', ') || '—' })}
        </span>{' '}
        · <Link to="/admin">{t('admin.switchInstance')}</Link>
      </p>
      <nav aria-label={t('admin.screens')} className="admin-tabs">
        <ul>
          {props.screens.map((s) => (
            <li key={s}>
              <Link
                to={ap(props.slug, `/${s}`)}
                aria-current={props.current === s ? 'page' : undefined}
              >
                {t(`admin.tab.${s}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {props.screens.includes(props.current) ? (
        <LackingNote perms={SCREEN_ACTIONS[props.current]} />
      ) : null}
      {props.children}
    </div>
  );
}

/** A value to paste into an application, with a copy button. */
export function Copyable(props: { label: string; value: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <dt>{props.label}</dt>
      <dd>
        <code data-testid={props.testId}>{props.value}</code>{' '}
        <button
          type="button"
          className="small"
          aria-label={t('admin.copyWhat', { what: props.label })}
          onClick={() => {
            void navigator.clipboard?.writeText(props.value).then(() => setCopied(true));
          }}
        >
          {copied ? t('admin.copied') : t('admin.copy')}
        </button>
      </dd>
    </>
  );
}

/** Form submission with the form's values; errors are kept to show next to the fields. */
export function useSubmit<T>(run: (f: FormData, form: HTMLFormElement) => Promise<T>): {
  error: Error | null;
  busy: boolean;
  setError: (e: Error | null) => void;
  onSubmit: (e: FormEvent<HTMLFormElement>) => void;
} {
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    setError(null);
    setBusy(true);
    run(new FormData(form), form)
      .catch((x: unknown) => setError(x instanceof Error ? x : new Error(String(x))))
      .finally(() => setBusy(false));
  };
  return { error, busy, setError, onSubmit };
}

export const str = (f: FormData, k: string) => String(f.get(k) ?? '').trim();
/** Non-empty lines (or comma-separated values) of a text field. */
export const lines = (f: FormData, k: string) =>
  str(f, k)
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads a chosen file as text (SAML metadata, CSV). */
export function readFile(file: File): Promise<string> {
  return file.text();
}

/** A badge with the status in words (never colour alone). */
export function StatusBadge(props: { value: string; label: string }) {
  return <span className={`badge state-${props.value}`}>{props.label}</span>;
}

/** Loads the instance (its issuer is shown in the application wizards). */
export function useInstance(slug: string) {
  return useApi<Instance>(ip(slug));
}
