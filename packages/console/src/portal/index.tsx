// The end-user portal's screens (lazy chunk): application launcher, profile and password,
// sign-in methods (TOTP with QR code, passkeys, recovery codes), sessions with sign-out.
// Everything goes through the instance's end-user API (/i/:slug/api/me…).
import { startRegistration } from '@simplewebauthn/browser';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, patch, post, useApi } from '../api.ts';
import { signIn } from '../auth.ts';
import { formatInstant, t } from '../i18n/index.ts';
import type { SectionProps } from '../shell/section.ts';
import { ConfirmDialog, ErrorView, Loaded, Notice, Page, TextField } from '../ui/index.ts';
import './messages.ts';

interface App {
  id: string;
  name: string;
  protocol: 'oidc' | 'saml';
  launch_url: string;
}
interface Profile {
  username: string;
  email: string | null;
  phone: string | null;
  display_name: string | null;
}
interface Factor {
  id: string;
  kind: 'totp' | 'webauthn' | 'email' | 'sms';
  name: string;
  created_at: string;
}
interface Session {
  id: string;
  signed_in_at: string | null;
  expires_at: string | null;
  current: boolean;
  applications: string[];
}

function Apps() {
  const apps = useApi<{ items: App[] }>('/me/apps');
  return (
    <Page title={t('me.apps.title')}>
      <Loaded resource={apps}>
        {(d) =>
          d.items.length ? (
            <ul className="launcher" data-testid="launcher">
              {d.items.map((a) => (
                <li key={a.id} className="card">
                  <a href={a.launch_url} aria-label={t('me.apps.open', { name: a.name })}>
                    {a.name}
                  </a>{' '}
                  <span className="badge">{t(`me.apps.protocol.${a.protocol}`)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <Notice>{t('me.apps.none')}</Notice>
          )
        }
      </Loaded>
    </Page>
  );
}

function Profile() {
  const me = useApi<Profile>('/me');
  const [err, setErr] = useState<Error | null>(null);
  const [notice, setNotice] = useState('');
  const [pwErr, setPwErr] = useState<Error | null>(null);
  const [pwNotice, setPwNotice] = useState('');
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setErr(null);
    try {
      await patch('/me', { display_name: String(f.get('display_name') ?? '').trim() || null });
      setNotice(t('me.profile.saved'));
      me.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const change = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setPwErr(null);
    setPwNotice('');
    if (f.get('new_password') !== f.get('confirm')) {
      setPwErr(new Error(t('me.password.mismatch')));
      return;
    }
    try {
      await post('/me/password', {
        current_password: String(f.get('current_password') ?? ''),
        new_password: String(f.get('new_password') ?? ''),
      });
      form.reset();
      setPwNotice(t('me.password.done'));
    } catch (x) {
      setPwErr(x as Error);
    }
  };
  return (
    <Page title={t('me.profile.title')}>
      <Loaded resource={me}>
        {(p) => (
          <form onSubmit={save} className="card" noValidate>
            <dl>
              <dt>{t('me.profile.username')}</dt>
              <dd data-testid="username">{p.username}</dd>
              <dt>{t('me.profile.email')}</dt>
              <dd>{p.email ?? '—'}</dd>
              <dt>{t('me.profile.phone')}</dt>
              <dd>{p.phone ?? '—'}</dd>
            </dl>
            <TextField
              label={t('me.profile.displayName')}
              field="display_name"
              error={err}
              defaultValue={p.display_name ?? ''}
              maxLength={200}
            />
            {err && !(err instanceof ApiError && err.fieldError('display_name')) ? (
              <ErrorView error={err} />
            ) : null}
            {notice ? <Notice kind="success">{notice}</Notice> : null}
            <button type="submit" className="primary">
              {t('me.profile.save')}
            </button>
          </form>
        )}
      </Loaded>
      <h2>{t('me.password.title')}</h2>
      <form onSubmit={change} className="card" noValidate>
        <TextField
          label={t('me.password.current')}
          field="current_password"
          type="password"
          autoComplete="current-password"
          error={pwErr}
          required
        />
        <TextField
          label={t('me.password.new')}
          field="new_password"
          type="password"
          autoComplete="new-password"
          error={pwErr}
          required
        />
        <TextField
          label={t('me.password.confirm')}
          field="confirm"
          type="password"
          autoComplete="new-password"
          required
        />
        {pwErr ? <ErrorView error={pwErr} /> : null}
        {pwNotice ? <Notice kind="success">{pwNotice}</Notice> : null}
        <button type="submit" className="primary">
          {t('me.password.submit')}
        </button>
      </form>
    </Page>
  );
}

function RecoveryCodes(props: { codes: string[] }) {
  return (
    <div className="card" role="status">
      <h3>{t('me.mfa.recovery')}</h3>
      <p>{t('me.mfa.recoveryShown')}</p>
      <ul className="codes" data-testid="recovery-codes">
        {props.codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

function TotpEnroll(props: { onDone: (codes: string[] | null) => void; onCancel: () => void }) {
  const [e, setE] = useState<{
    enrollment_id: string;
    secret: string;
    qr_svg: string;
  } | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    post<{ enrollment_id: string; secret: string; qr_svg: string }>('/me/mfa/totp').then(
      (r) => live && setE(r),
      (x: Error) => live && setErr(x),
    );
    return () => {
      live = false;
    };
  }, []);
  if (!e) return err ? <ErrorView error={err} /> : <p role="status">{t('app.loading')}</p>;
  const confirm = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    const f = new FormData(ev.currentTarget);
    setErr(null);
    try {
      const r = await post<{ recovery_codes: string[] | null }>('/me/mfa/totp/confirm', {
        enrollment_id: e.enrollment_id,
        code: String(f.get('code') ?? ''),
        name: String(f.get('name') ?? ''),
      });
      props.onDone(r.recovery_codes);
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <form className="card" onSubmit={confirm} noValidate aria-labelledby="totp-title">
      <h2 id="totp-title">{t('me.mfa.addTotp')}</h2>
      <p>{t('me.mfa.scan')}</p>
      <img
        className="qr"
        src={`data:image/svg+xml;base64,${btoa(e.qr_svg)}`}
        alt={t('me.mfa.qr')}
        width={200}
        height={200}
      />
      <p>
        <code data-testid="totp-secret">{e.secret}</code>
      </p>
      <TextField
        label={t('me.mfa.code')}
        field="code"
        error={err}
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={8}
        required
      />
      <TextField label={t('me.mfa.name')} field="name" error={err} maxLength={64} />
      {err && !(err instanceof ApiError && err.fieldError('code')) ? (
        <ErrorView error={err} />
      ) : null}
      <button type="submit" className="primary">
        {t('me.mfa.confirm')}
      </button>
      <button type="button" onClick={props.onCancel}>
        {t('me.mfa.cancel')}
      </button>
    </form>
  );
}

function Security() {
  const mfa = useApi<{ items: Factor[]; recovery_codes_remaining: number }>('/me/mfa');
  const [adding, setAdding] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState('');
  const [err, setErr] = useState<Error | null>(null);
  const [removing, setRemoving] = useState<Factor | null>(null);
  const [regen, setRegen] = useState(false);
  const kind = (f: Factor) => t(`me.mfa.kind.${f.kind}`);
  const done = (c: string[] | null) => {
    setAdding(false);
    setCodes(c);
    setNotice(t('me.mfa.enrolled'));
    mfa.reload();
  };
  const passkey = async () => {
    setErr(null);
    try {
      const options = await post<Parameters<typeof startRegistration>[0]['optionsJSON']>(
        '/me/mfa/webauthn/options',
      );
      const credential = await startRegistration({ optionsJSON: options });
      const r = await post<{ recovery_codes: string[] | null }>('/me/mfa/webauthn', {
        credential,
      });
      done(r.recovery_codes);
    } catch (x) {
      setErr(x as Error);
    }
  };
  const remove = async (f: Factor) => {
    setRemoving(null);
    try {
      await del(`/me/mfa/${encodeURIComponent(f.id)}`);
      mfa.reload();
    } catch (x) {
      if (x instanceof ApiError && x.status === 403) {
        setErr(new Error(t('me.mfa.reauth')));
        // a fresh sign-in (max_age=0 is asked for by the server's answer) brings the user back here
        void signIn('user', { returnTo: '/me/security' });
        return;
      }
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('me.mfa.title')}>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {codes ? <RecoveryCodes codes={codes} /> : null}
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={mfa}>
        {(d) => (
          <>
            {d.items.length ? (
              <ul className="factors" data-testid="factors">
                {d.items.map((f) => (
                  <li key={f.id}>
                    <strong>{f.name}</strong> — {kind(f)},{' '}
                    {t('me.mfa.added', { date: formatInstant(f.created_at, false) })}{' '}
                    <button
                      type="button"
                      className="danger"
                      aria-label={`${t('me.mfa.remove')} ${f.name}`}
                      onClick={() => setRemoving(f)}
                    >
                      {t('me.mfa.remove')}
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t('me.mfa.none')}</p>
            )}
            {d.items.length ? (
              <p>
                {t('me.mfa.recoveryLeft', { count: d.recovery_codes_remaining })}{' '}
                <button type="button" onClick={() => setRegen(true)}>
                  {t('me.mfa.recoveryNew')}
                </button>
              </p>
            ) : null}
          </>
        )}
      </Loaded>
      {adding ? (
        <TotpEnroll onDone={done} onCancel={() => setAdding(false)} />
      ) : (
        <p>
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            {t('me.mfa.addTotp')}
          </button>{' '}
          <button
            type="button"
            onClick={() => void passkey()}
            disabled={typeof PublicKeyCredential === 'undefined'}
            title={
              typeof PublicKeyCredential === 'undefined'
                ? t('me.mfa.passkeyUnsupported')
                : undefined
            }
          >
            {t('me.mfa.addPasskey')}
          </button>
        </p>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={t('me.mfa.removeTitle', { name: removing?.name ?? '' })}
        lost={
          removing ? [t('me.mfa.removeLost', { name: removing.name, kind: kind(removing) })] : []
        }
        confirmLabel={t('me.mfa.remove')}
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
      />
      <ConfirmDialog
        open={regen}
        title={t('me.mfa.recoveryNew')}
        lost={[t('me.mfa.recoveryLost')]}
        confirmLabel={t('me.mfa.recoveryNew')}
        onConfirm={() => {
          setRegen(false);
          void post<{ codes: string[] }>('/me/mfa/recovery-codes').then(
            (r) => {
              setCodes(r.codes);
              mfa.reload();
            },
            (x: Error) => setErr(x),
          );
        }}
        onCancel={() => setRegen(false)}
      />
    </Page>
  );
}

function Sessions() {
  const list = useApi<{ items: Session[] }>('/me/sessions');
  const [ending, setEnding] = useState<Session | 'all' | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const end = async (what: Session | 'all') => {
    setEnding(null);
    try {
      if (what === 'all') await del('/me/sessions');
      else await del(`/me/sessions/${encodeURIComponent(what.id)}`);
      if (what === 'all' || what.current)
        location.assign(location.pathname.replace(/\/me\/sessions$/, '/'));
      else list.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const count = list.data?.items.length ?? 0;
  return (
    <Page title={t('me.sessions.title')}>
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={list}>
        {(d) =>
          d.items.length ? (
            <table className="table" data-testid="sessions">
              <thead>
                <tr>
                  <th scope="col">{t('me.sessions.signedIn')}</th>
                  <th scope="col">{t('me.sessions.expires')}</th>
                  <th scope="col">{t('me.sessions.apps')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('me.sessions.end')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((s) => (
                  <tr key={s.id}>
                    <td>
                      {formatInstant(s.signed_in_at)}{' '}
                      {s.current ? <span className="badge">{t('me.sessions.current')}</span> : null}
                    </td>
                    <td>{formatInstant(s.expires_at)}</td>
                    <td>{s.applications.join(', ') || '—'}</td>
                    <td>
                      <button type="button" className="danger" onClick={() => setEnding(s)}>
                        {t('me.sessions.end')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>{t('me.sessions.none')}</p>
          )
        }
      </Loaded>
      {count > 1 ? (
        <p>
          <button type="button" className="danger" onClick={() => setEnding('all')}>
            {t('me.sessions.endAll')}
          </button>
        </p>
      ) : null}
      <ConfirmDialog
        open={ending !== null}
        title={t(ending === 'all' ? 'me.sessions.endAllTitle' : 'me.sessions.endTitle')}
        lost={
          ending === 'all'
            ? [t('me.sessions.lostAll', { count })]
            : ending
              ? [
                  t('me.sessions.lost', {
                    at: formatInstant(ending.signed_in_at),
                    apps: ending.applications.join(', ') || '—',
                  }),
                ]
              : []
        }
        confirmLabel={t('me.sessions.end')}
        onConfirm={() => ending && void end(ending)}
        onCancel={() => setEnding(null)}
      />
    </Page>
  );
}

export default function Portal(props: SectionProps) {
  switch (props.path) {
    case '/me/profile':
      return <Profile />;
    case '/me/security':
      return <Security />;
    case '/me/sessions':
      return <Sessions />;
    default:
      return <Apps />;
  }
}
