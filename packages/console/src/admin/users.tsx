// Users of an instance: search, create, lock/unlock (status), MFA reset with confirmation,
// and CSV import through the durable import jobs with a progress bar that re-attaches after
// a reload (the job's id is kept; `?id=` attaches to any earlier import).
import { useCallback, useState } from 'react';
import { del, get, patch, post, useApi, type Page as ApiPage } from '../api.ts';
import { formatInstant, t } from '../i18n/index.ts';
import { Link, navigate } from '../router.ts';
import {
  ConfirmDialog,
  ErrorView,
  Loaded,
  Notice,
  Page,
  ProgressView,
  Table,
  TextField,
  useOperation,
  type OperationStatus,
} from '../ui/index.ts';
import { ap, ip, readFile, StatusBadge, str, useSubmit, type User } from './common.tsx';
import { Act, IfCan, useCan } from './perm.tsx';

const statusLabel = (s: User['status']) => t(`admin.users.status.${s}`);

function CreateUser(props: { slug: string; onCreated: (u: User) => void }) {
  const form = useSubmit(async (f, el) => {
    const body: Record<string, unknown> = { username: str(f, 'username') };
    for (const k of ['email', 'display_name', 'password', 'phone'])
      if (str(f, k)) body[k] = str(f, k);
    const u = await post<User>(ip(props.slug, '/users'), body);
    el.reset();
    props.onCreated(u);
  });
  return (
    <form className="card" aria-label={t('admin.users.create')} onSubmit={form.onSubmit} noValidate>
      <h2>{t('admin.users.create')}</h2>
      <TextField label={t('admin.users.username')} field="username" error={form.error} required />
      <TextField label={t('admin.users.email')} field="email" type="email" error={form.error} />
      <TextField label={t('admin.users.displayName')} field="display_name" error={form.error} />
      <TextField label={t('admin.users.phone')} field="phone" type="tel" error={form.error} />
      <TextField
        label={t('admin.users.password')}
        field="password"
        type="password"
        autoComplete="new-password"
        hint={t('admin.users.passwordHint')}
        error={form.error}
      />
      {form.error ? <ErrorView error={form.error} /> : null}
      <button type="submit" className="primary" disabled={form.busy}>
        {t('admin.users.createSubmit')}
      </button>
    </form>
  );
}

export function Users(props: { slug: string }) {
  const [q, setQ] = useState('');
  const list = useApi<ApiPage<User>>(
    ip(props.slug, `/users?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`),
  );
  const [notice, setNotice] = useState('');
  const [err, setErr] = useState<Error | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const setStatus = async (u: User, status: User['status']) => {
    setErr(null);
    try {
      await patch(ip(props.slug, `/users/${u.id}`), { status });
      setNotice(t('admin.users.statusChanged', { name: u.username, status: statusLabel(status) }));
      list.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const resetMfa = async (u: User) => {
    setResetting(null);
    setErr(null);
    try {
      await del(ip(props.slug, `/users/${u.id}/mfa`));
      setNotice(t('admin.users.mfaReset', { name: u.username }));
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page
      title={t('admin.users.title')}
      actions={
        <IfCan perm="users:write">
          <Link to={ap(props.slug, '/import')}>{t('admin.users.import')}</Link>
        </IfCan>
      }
    >
      <form
        className="inline"
        role="search"
        aria-label={t('admin.users.search')}
        onSubmit={(e) => {
          e.preventDefault();
          setQ(String(new FormData(e.currentTarget).get('q') ?? '').trim());
        }}
      >
        <div className="field">
          <label htmlFor="user-q">{t('admin.users.search')}</label>
          <input id="user-q" name="q" type="search" defaultValue={q} />
        </div>
        <button type="submit">{t('admin.search')}</button>
      </form>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={list}>
        {(d) => (
          <Table
            caption={t('admin.users.title')}
            rows={d.items}
            rowKey={(u) => u.id}
            empty={q ? t('admin.users.noMatch', { q }) : t('admin.users.none')}
            columns={[
              {
                header: t('admin.users.username'),
                cell: (u) => <Link to={ap(props.slug, `/users/${u.id}`)}>{u.username}</Link>,
              },
              { header: t('admin.users.displayName'), cell: (u) => u.display_name ?? '—' },
              { header: t('admin.users.email'), cell: (u) => u.email ?? '—' },
              {
                header: t('admin.users.status'),
                cell: (u) => <StatusBadge value={u.status} label={statusLabel(u.status)} />,
              },
              {
                header: t('admin.actions'),
                cell: (u) => (
                  <span className="row-actions">
                    {u.status === 'locked' ? (
                      <Act perm="users:write" onClick={() => void setStatus(u, 'enabled')}>
                        {t('admin.users.unlock')}
                        <span className="sr-only"> {u.username}</span>
                      </Act>
                    ) : (
                      <Act perm="users:write" onClick={() => void setStatus(u, 'locked')}>
                        {t('admin.users.lock')}
                        <span className="sr-only"> {u.username}</span>
                      </Act>
                    )}
                    <Act perm="users:mfa-reset" className="danger" onClick={() => setResetting(u)}>
                      {t('admin.users.resetMfa')}
                      <span className="sr-only"> {u.username}</span>
                    </Act>
                  </span>
                ),
              },
            ]}
          />
        )}
      </Loaded>
      <IfCan perm="users:write">
        <CreateUser
          slug={props.slug}
          onCreated={(u) => {
            setNotice(t('admin.users.created', { name: u.username }));
            list.reload();
          }}
        />
      </IfCan>
      <ConfirmDialog
        open={resetting !== null}
        title={t('admin.users.resetMfaTitle', { name: resetting?.username ?? '' })}
        lost={resetting ? [t('admin.users.resetMfaLost', { name: resetting.username })] : []}
        confirmLabel={t('admin.users.resetMfa')}
        irreversible
        onConfirm={() => resetting && void resetMfa(resetting)}
        onCancel={() => setResetting(null)}
      />
    </Page>
  );
}

interface Factor {
  id: string;
  kind: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export function UserDetail(props: { slug: string; id: string }) {
  const user = useApi<User>(ip(props.slug, `/users/${props.id}`));
  const mfa = useApi<{ items: Factor[]; recovery_codes_remaining: number }>(
    ip(props.slug, `/users/${props.id}/mfa`),
  );
  const can = useCan();
  // who holds which role is for those who may read roles
  const roles = useApi<{ roles: string[]; implicit: boolean }>(
    can('roles:read') ? ip(props.slug, `/role-assignments/${props.id}`) : null,
  );
  const [deleting, setDeleting] = useState(false);
  const [err, setErr] = useState<Error | null>(null);
  const remove = async () => {
    setDeleting(false);
    try {
      await del(ip(props.slug, `/users/${props.id}`));
      navigate(ap(props.slug, '/users'));
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={user.data ? user.data.username : t('admin.users.title')}>
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={user}>
        {(u) => (
          <dl className="facts">
            <dt>{t('admin.users.displayName')}</dt>
            <dd>{u.display_name ?? '—'}</dd>
            <dt>{t('admin.users.email')}</dt>
            <dd>
              {u.email ?? '—'} {u.email_verified ? `(${t('admin.users.verified')})` : ''}
            </dd>
            <dt>{t('admin.users.phone')}</dt>
            <dd>{u.phone ?? '—'}</dd>
            <dt>{t('admin.users.status')}</dt>
            <dd>
              <StatusBadge value={u.status} label={statusLabel(u.status)} />
            </dd>
            <dt>{t('admin.created')}</dt>
            <dd>{formatInstant(u.created_at)}</dd>
            {can('roles:read') ? (
              <>
                <dt>{t('admin.users.roles')}</dt>
                <dd>{roles.data ? roles.data.roles.join(', ') || '—' : '…'}</dd>
              </>
            ) : null}
          </dl>
        )}
      </Loaded>
      <h2>{t('admin.users.factors')}</h2>
      <Loaded resource={mfa}>
        {(d) => (
          <Table
            caption={t('admin.users.factors')}
            rows={d.items}
            rowKey={(f) => f.id}
            empty={t('admin.users.noFactors')}
            columns={[
              { header: t('admin.name'), cell: (f) => f.name },
              { header: t('admin.users.kind'), cell: (f) => f.kind },
              { header: t('admin.created'), cell: (f) => formatInstant(f.created_at) },
              { header: t('admin.users.lastUsed'), cell: (f) => formatInstant(f.last_used_at) },
            ]}
          />
        )}
      </Loaded>
      <p>
        <Act perm="users:write" className="danger" onClick={() => setDeleting(true)}>
          {t('admin.users.delete')}
        </Act>
      </p>
      <ConfirmDialog
        open={deleting}
        title={t('admin.users.deleteTitle', { name: user.data?.username ?? '' })}
        lost={[t('admin.users.deleteLost', { name: user.data?.username ?? '' })]}
        confirmLabel={t('admin.users.delete')}
        irreversible
        typeToConfirm={user.data?.username}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(false)}
      />
    </Page>
  );
}

interface ImportJob {
  id: string;
  status: 'queued' | 'running' | 'done';
  total: number;
  done: number;
  created: number;
  failed: number;
  errors: { line: number; column: string | null; message: string }[];
  created_at: string;
}

export function Import(props: { slug: string; attach: string | null }) {
  const [job, setJob] = useState<ImportJob | null>(null);
  const poll = useCallback(
    async (id: string): Promise<OperationStatus> => {
      const j = await get<ImportJob>(ip(props.slug, `/user-imports/${encodeURIComponent(id)}`));
      setJob(j);
      return {
        state: j.status === 'done' ? 'done' : 'running',
        done: j.done,
        total: j.total,
      };
    },
    [props.slug],
  );
  const op = useOperation(`import:${props.slug}`, poll, 500);
  const [attached, setAttached] = useState(false);
  if (props.attach && !attached) {
    setAttached(true);
    if (op.id !== props.attach) op.start(props.attach);
  }
  const history = useApi<{ items: ImportJob[] }>(ip(props.slug, '/user-imports'));
  const [text, setText] = useState('');
  const form = useSubmit(async (f) => {
    const file = f.get('file');
    const csv = file instanceof File && file.size ? await readFile(file) : text;
    const j = await post<ImportJob>(ip(props.slug, '/user-imports'), { csv });
    setJob(j);
    op.start(j.id);
    history.reload();
  });
  return (
    <Page title={t('admin.import.title')}>
      <p>{t('admin.import.text')}</p>
      <IfCan perm="users:write">
        <form
          className="card"
          aria-label={t('admin.import.form')}
          onSubmit={form.onSubmit}
          noValidate
        >
          <div className="field">
            <label htmlFor="csv-file">{t('admin.import.file')}</label>
            <input id="csv-file" name="file" type="file" accept=".csv,text/csv" />
          </div>
          <div className="field wide">
            <label htmlFor="csv-text">{t('admin.import.paste')}</label>
            <textarea
              id="csv-text"
              rows={6}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="username,email,display_name"
              spellCheck={false}
            />
          </div>
          {form.error ? <ErrorView error={form.error} /> : null}
          <button type="submit" className="primary" disabled={form.busy}>
            {t('admin.import.start')}
          </button>
        </form>
      </IfCan>
      <ProgressView op={op} label={t('admin.import.progress')} />
      {job && op.id === job.id && job.status === 'done' ? (
        <div className="card" data-testid="import-result">
          <p role="status">
            {t('admin.import.result', { created: job.created, failed: job.failed })}
          </p>
          {job.errors.length ? (
            <Table
              caption={t('admin.import.errors')}
              rows={job.errors}
              rowKey={(e) => `${e.line}:${e.column ?? ''}:${e.message}`}
              columns={[
                { header: t('admin.import.line'), cell: (e) => e.line, numeric: true },
                { header: t('admin.import.column'), cell: (e) => e.column ?? '—' },
                { header: t('admin.import.message'), cell: (e) => e.message },
              ]}
            />
          ) : null}
          <button type="button" onClick={op.clear}>
            {t('admin.import.dismiss')}
          </button>
        </div>
      ) : null}
      <h2>{t('admin.import.history')}</h2>
      <Loaded resource={history}>
        {(d) => (
          <Table
            caption={t('admin.import.history')}
            rows={d.items}
            rowKey={(j) => j.id}
            columns={[
              {
                header: t('admin.created'),
                cell: (j) => (
                  <Link to={ap(props.slug, `/import?id=${encodeURIComponent(j.id)}`)}>
                    {formatInstant(j.created_at)}
                  </Link>
                ),
              },
              {
                header: t('admin.import.state'),
                cell: (j) => t(`admin.import.status.${j.status}`),
              },
              {
                header: t('admin.import.counts'),
                cell: (j) =>
                  t('admin.import.countsValue', {
                    done: j.done,
                    total: j.total,
                    created: j.created,
                    failed: j.failed,
                  }),
              },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}
