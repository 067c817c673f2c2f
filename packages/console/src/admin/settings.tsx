// Instance settings: signing keys with rotation, branding with a live preview (the preview
// route's page in a sandboxed iframe), the password policy, conditional access with a
// dry-run that shows the evaluation's explanation, and roles with their assignments.
import { useEffect, useRef, useState } from 'react';
import { API, ApiError, del, patch, post, put, useApi, type Page as ApiPage } from '../api.ts';
import { getSession } from '../auth.ts';
import { formatInstant, getLang, t } from '../i18n/index.ts';
import {
  ConfirmDialog,
  ErrorView,
  Loaded,
  Notice,
  Page,
  SelectField,
  Table,
  TextField,
} from '../ui/index.ts';
import { ip, lines, str, useSubmit, type User } from './common.tsx';
import { assignable } from './can.ts';
import { Act, IfCan, lackId, useCan, useCaps } from './perm.tsx';

interface Key {
  kid: string;
  alg: string;
  status: 'active' | 'retiring';
  created_at: string;
  retire_after: string | null;
}

export function Keys(props: { slug: string }) {
  const keys = useApi<{ keys: Key[] }>(ip(props.slug, '/keys'));
  const [confirm, setConfirm] = useState(false);
  const [err, setErr] = useState<Error | null>(null);
  const [notice, setNotice] = useState('');
  const active = keys.data?.keys.find((k) => k.status === 'active');
  const rotate = async () => {
    setConfirm(false);
    setErr(null);
    try {
      await post(ip(props.slug, '/keys/rotate'));
      setNotice(t('admin.keys.rotated'));
      keys.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page
      title={t('admin.keys.title')}
      actions={
        <Act perm="keys:write" className="primary" onClick={() => setConfirm(true)}>
          {t('admin.keys.rotate')}
        </Act>
      }
    >
      <p>{t('admin.keys.text')}</p>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={keys}>
        {(d) => (
          <Table
            caption={t('admin.keys.title')}
            rows={d.keys}
            rowKey={(k) => k.kid}
            columns={[
              { header: t('admin.keys.kid'), cell: (k) => <code>{k.kid}</code> },
              { header: t('admin.keys.alg'), cell: (k) => k.alg },
              {
                header: t('admin.keys.status'),
                cell: (k) => (
                  <span className={`badge state-${k.status === 'active' ? 'active' : 'grace'}`}>
                    {t(`admin.keys.status.${k.status}`)}
                  </span>
                ),
              },
              { header: t('admin.created'), cell: (k) => formatInstant(k.created_at) },
              { header: t('admin.keys.retireAfter'), cell: (k) => formatInstant(k.retire_after) },
            ]}
          />
        )}
      </Loaded>
      <ConfirmDialog
        open={confirm}
        title={t('admin.keys.rotateTitle')}
        lost={[t('admin.keys.rotateLost', { kid: active?.kid ?? '—' })]}
        confirmLabel={t('admin.keys.rotate')}
        onConfirm={() => void rotate()}
        onCancel={() => setConfirm(false)}
      >
        <p>{t('admin.keys.rotateWhat')}</p>
      </ConfirmDialog>
    </Page>
  );
}

interface BrandingData {
  primary_color: string;
  background_color: string;
  logo: string | null;
  custom: boolean;
  contrast: { field: string; pair: string; ratio: number; minimum: number }[];
}

/** The preview page in a sandboxed iframe (no scripts). The console's CSP would block the
 * page's own inline style, so its stylesheet is adopted through the CSSOM instead. */
function Preview(props: {
  slug: string;
  values: { primary_color: string; background_color: string; logo: string | null };
}) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [html, setHtml] = useState<{ doc: string; css: string } | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const key = JSON.stringify(props.values);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      const s = getSession();
      fetch(API + ip(props.slug, '/branding/preview'), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/html, application/problem+json',
          'accept-language': getLang(),
          ...(s ? { authorization: `Bearer ${s.accessToken}` } : {}),
        },
        body: key,
      })
        .then(async (r) => {
          const text = await r.text();
          if (!r.ok) throw new ApiError(JSON.parse(text));
          const doc = new DOMParser().parseFromString(text, 'text/html');
          const css = [...doc.querySelectorAll('style')].map((x) => x.textContent).join('\n');
          doc.querySelectorAll('style, script').forEach((x) => x.remove());
          if (live) {
            setErr(null);
            setHtml({ doc: `<!doctype html>${doc.documentElement.outerHTML}`, css });
          }
        })
        .catch((x: Error) => live && setErr(x));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, props.slug]);
  const adopt = () => {
    const f = frame.current;
    const w = f?.contentWindow as (Window & { CSSStyleSheet: typeof CSSStyleSheet }) | null;
    if (!f || !w || !html || !f.contentDocument) return;
    const sheet = new w.CSSStyleSheet();
    sheet.replaceSync(html.css);
    f.contentDocument.adoptedStyleSheets = [sheet];
  };
  // the page's markup rarely changes with the colours (same srcdoc, no new load): re-adopt
  useEffect(adopt, [html]);
  return (
    <div className="preview">
      {err ? <ErrorView error={err} /> : null}
      {html ? (
        <iframe
          ref={frame}
          title={t('admin.branding.preview')}
          sandbox="allow-same-origin"
          srcDoc={html.doc}
          onLoad={adopt}
          data-testid="branding-preview"
        />
      ) : (
        <p className="muted">{t('app.loading')}</p>
      )}
    </div>
  );
}

export function Branding(props: { slug: string }) {
  const b = useApi<BrandingData>(ip(props.slug, '/branding'));
  return (
    <Page title={t('admin.branding.title')}>
      <Loaded resource={b}>
        {(d) => <BrandingForm slug={props.slug} data={d} reload={b.reload} />}
      </Loaded>
    </Page>
  );
}

function BrandingForm(props: { slug: string; data: BrandingData; reload: () => void }) {
  const [primary, setPrimary] = useState(props.data.primary_color);
  const [background, setBackground] = useState(props.data.background_color);
  const [logo, setLogo] = useState<string | null>(props.data.logo);
  const [notice, setNotice] = useState('');
  const [resetting, setResetting] = useState(false);
  const writable = useCan()('instance:write');
  const form = useSubmit(async () => {
    await put(ip(props.slug, '/branding'), {
      primary_color: primary,
      background_color: background,
      logo,
    });
    setNotice(t('admin.branding.saved'));
    props.reload();
  });
  return (
    <div className="split">
      <form
        className="card"
        onSubmit={form.onSubmit}
        aria-label={t('admin.branding.title')}
        noValidate
      >
        <fieldset
          className="plain"
          disabled={!writable}
          aria-describedby={writable ? undefined : lackId('instance:write')}
        >
          <TextField
            label={t('admin.branding.primary')}
            field="primary_color"
            type="color"
            value={primary}
            onChange={(e) => setPrimary(e.target.value)}
            error={form.error}
          />
          <TextField
            label={t('admin.branding.background')}
            field="background_color"
            type="color"
            value={background}
            onChange={(e) => setBackground(e.target.value)}
            error={form.error}
          />
          <div className="field">
            <label htmlFor="logo">{t('admin.branding.logo')}</label>
            <input
              id="logo"
              type="file"
              accept="image/png,image/jpeg"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (!file) return;
                const r = new FileReader();
                r.onload = () => setLogo(String(r.result));
                r.readAsDataURL(file);
              }}
            />
            {logo ? (
              <button type="button" className="small" onClick={() => setLogo(null)}>
                {t('admin.branding.removeLogo')}
              </button>
            ) : null}
          </div>
          <h2>{t('admin.branding.contrast')}</h2>
          <ul>
            {props.data.contrast.map((c) => (
              <li key={c.pair}>
                {c.pair}: {c.ratio.toFixed(2)}:1 ({t('admin.branding.minimum', { min: c.minimum })})
                {c.ratio >= c.minimum ? ` — ${t('admin.ok')}` : ` — ${t('admin.branding.tooLow')}`}
              </li>
            ))}
          </ul>
        </fieldset>
        {notice ? <Notice kind="success">{notice}</Notice> : null}
        {form.error ? <ErrorView error={form.error} /> : null}
        <Act perm="instance:write" type="submit" className="primary">
          {t('admin.save')}
        </Act>{' '}
        {props.data.custom ? (
          <Act perm="instance:write" className="danger" onClick={() => setResetting(true)}>
            {t('admin.branding.reset')}
          </Act>
        ) : null}
      </form>
      <Preview
        slug={props.slug}
        values={{ primary_color: primary, background_color: background, logo }}
      />
      <ConfirmDialog
        open={resetting}
        title={t('admin.branding.reset')}
        lost={[t('admin.branding.resetLost')]}
        confirmLabel={t('admin.branding.reset')}
        onConfirm={() => {
          setResetting(false);
          void del(ip(props.slug, '/branding')).then(props.reload);
        }}
        onCancel={() => setResetting(false)}
      />
    </div>
  );
}

interface PasswordPolicy {
  min_length: number;
  max_length: number;
  require_uppercase: boolean;
  require_lowercase: boolean;
  require_digit: boolean;
  require_symbol: boolean;
  reject_breached: boolean;
  reject_username: boolean;
  history_count: number;
  custom: boolean;
}
const FLAGS = [
  'require_uppercase',
  'require_lowercase',
  'require_digit',
  'require_symbol',
  'reject_breached',
  'reject_username',
] as const;

export function Passwords(props: { slug: string }) {
  const writable = useCan()('policies:write');
  const p = useApi<PasswordPolicy>(ip(props.slug, '/policies/password'));
  const [notice, setNotice] = useState('');
  const form = useSubmit(async (f) => {
    const num = (k: string) => (str(f, k) === '' ? NaN : Number(str(f, k)));
    await put(ip(props.slug, '/policies/password'), {
      min_length: num('min_length'),
      max_length: num('max_length'),
      history_count: num('history_count'),
      ...Object.fromEntries(FLAGS.map((k) => [k, f.get(k) === 'on'])),
    });
    setNotice(t('admin.passwords.saved'));
    p.reload();
  });
  return (
    <Page title={t('admin.passwords.title')}>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <Loaded resource={p}>
        {(d) => (
          <form
            className="card"
            onSubmit={form.onSubmit}
            aria-label={t('admin.passwords.title')}
            noValidate
          >
            <p className="muted">
              {d.custom ? t('admin.passwords.custom') : t('admin.passwords.default')}
            </p>
            <fieldset
              className="plain"
              disabled={!writable}
              aria-describedby={writable ? undefined : lackId('policies:write')}
            >
              {(['min_length', 'max_length', 'history_count'] as const).map((k) => (
                <TextField
                  key={k}
                  label={t(`admin.passwords.${k}`)}
                  field={k}
                  type="number"
                  defaultValue={d[k]}
                  error={form.error}
                />
              ))}
              {FLAGS.map((k) => (
                <label key={k} className="check">
                  <input type="checkbox" name={k} defaultChecked={d[k]} />{' '}
                  {t(`admin.passwords.${k}`)}
                </label>
              ))}
            </fieldset>
            {form.error ? <ErrorView error={form.error} /> : null}
            <Act perm="policies:write" type="submit" className="primary">
              {t('admin.save')}
            </Act>
          </form>
        )}
      </Loaded>
    </Page>
  );
}

type Decision = 'allow' | 'deny' | 'mfa';
interface Policy {
  id: string;
  name: string;
  priority: number;
  enabled: boolean;
  conditions: { users: string[]; groups: string[]; networks: string[]; device: string };
  decision: Decision;
}
interface DryRun {
  decision: Decision;
  policy: { id: string; name: string; priority: number } | null;
  default_decision: Decision;
  explanation: string[];
  steps: {
    policy: { name: string; priority: number };
    outcome: string;
    decision: Decision;
    checks: { condition: string; ok: boolean; reason: string }[];
  }[];
}

const decisions = () =>
  (['allow', 'mfa', 'deny'] as const).map((v) => ({
    value: v,
    label: t(`admin.access.decision.${v}`),
  }));

export function Access(props: { slug: string }) {
  const writable = useCan()('policies:write');
  const list = useApi<{ items: Policy[]; default_decision: Decision }>(
    ip(props.slug, '/access-policies'),
  );
  const [deleting, setDeleting] = useState<Policy | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const [result, setResult] = useState<DryRun | null>(null);
  const create = useSubmit(async (f, el) => {
    await post(ip(props.slug, '/access-policies'), {
      name: str(f, 'name'),
      decision: str(f, 'decision'),
      ...(str(f, 'priority') ? { priority: Number(str(f, 'priority')) } : {}),
      conditions: {
        networks: lines(f, 'networks'),
        users: lines(f, 'users'),
        groups: lines(f, 'groups'),
        device: str(f, 'device') || 'any',
      },
    });
    el.reset();
    list.reload();
  });
  const dry = useSubmit(async (f) => {
    setResult(null);
    const app = str(f, 'application');
    setResult(
      await post<DryRun>(ip(props.slug, '/access-policies/dry-run'), {
        user: str(f, 'user'),
        ip: str(f, 'ip'),
        new_device: f.get('new_device') === 'on',
        ...(app ? { application: app } : {}),
      }),
    );
  });
  const setDefault = async (decision: string) => {
    setErr(null);
    try {
      await put(ip(props.slug, '/access-policies/default'), { decision });
      list.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const toggle = async (p: Policy) => {
    try {
      await patch(ip(props.slug, `/access-policies/${p.id}`), { enabled: !p.enabled });
      list.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('admin.access.title')}>
      <p>{t('admin.access.text')}</p>
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={list}>
        {(d) => (
          <>
            <SelectField
              label={t('admin.access.default')}
              value={d.default_decision}
              onChange={(e) => void setDefault(e.target.value)}
              options={decisions()}
              disabled={!writable}
              aria-describedby={writable ? undefined : lackId('policies:write')}
            />
            <Table
              caption={t('admin.access.policies')}
              rows={d.items}
              rowKey={(p) => p.id}
              empty={t('admin.access.none')}
              columns={[
                { header: t('admin.access.priority'), cell: (p) => p.priority, numeric: true },
                { header: t('admin.name'), cell: (p) => p.name },
                {
                  header: t('admin.access.decision'),
                  cell: (p) => t(`admin.access.decision.${p.decision}`),
                },
                {
                  header: t('admin.access.conditions'),
                  cell: (p) =>
                    [
                      p.conditions.networks.length
                        ? `${t('admin.access.networks')}: ${p.conditions.networks.join(', ')}`
                        : '',
                      p.conditions.users.length
                        ? `${t('admin.access.users')}: ${p.conditions.users.length}`
                        : '',
                      p.conditions.groups.length
                        ? `${t('admin.access.groups')}: ${p.conditions.groups.length}`
                        : '',
                      p.conditions.device !== 'any'
                        ? `${t('admin.access.device')}: ${p.conditions.device}`
                        : '',
                    ]
                      .filter(Boolean)
                      .join('; ') || t('admin.access.everyone'),
                },
                {
                  header: t('admin.actions'),
                  cell: (p) => (
                    <span className="row-actions">
                      <Act perm="policies:write" onClick={() => void toggle(p)}>
                        {p.enabled ? t('admin.access.disable') : t('admin.access.enable')}
                        <span className="sr-only"> {p.name}</span>
                      </Act>
                      <Act perm="policies:write" className="danger" onClick={() => setDeleting(p)}>
                        {t('admin.delete')}
                        <span className="sr-only"> {p.name}</span>
                      </Act>
                    </span>
                  ),
                },
              ]}
            />
          </>
        )}
      </Loaded>
      <IfCan perm="policies:write">
        <form
          className="card"
          onSubmit={create.onSubmit}
          aria-label={t('admin.access.create')}
          noValidate
        >
          <h2>{t('admin.access.create')}</h2>
          <TextField label={t('admin.name')} field="name" error={create.error} required />
          <TextField
            label={t('admin.access.priority')}
            field="priority"
            type="number"
            error={create.error}
          />
          <SelectField
            label={t('admin.access.decision')}
            field="decision"
            options={decisions()}
            error={create.error}
          />
          <TextField
            label={t('admin.access.networks')}
            field="networks"
            hint={t('admin.access.networksHint')}
            error={create.error}
          />
          <TextField
            label={t('admin.access.users')}
            field="users"
            hint={t('admin.access.idsHint')}
            error={create.error}
          />
          <TextField
            label={t('admin.access.groups')}
            field="groups"
            hint={t('admin.access.idsHint')}
            error={create.error}
          />
          <SelectField
            label={t('admin.access.device')}
            field="device"
            error={create.error}
            options={['any', 'new', 'known'].map((v) => ({
              value: v,
              label: t(`admin.access.device.${v}`),
            }))}
          />
          {create.error ? <ErrorView error={create.error} /> : null}
          <button type="submit" className="primary">
            {t('admin.access.createSubmit')}
          </button>
        </form>
      </IfCan>
      <form
        className="card"
        onSubmit={dry.onSubmit}
        aria-label={t('admin.access.dryRun')}
        noValidate
      >
        <h2>{t('admin.access.dryRun')}</h2>
        <p className="muted">{t('admin.access.dryRunText')}</p>
        <TextField
          label={t('admin.access.user')}
          field="user"
          hint={t('admin.access.userHint')}
          error={dry.error}
          required
        />
        <TextField
          label={t('admin.access.ip')}
          field="ip"
          defaultValue="203.0.113.7"
          error={dry.error}
          required
        />
        <TextField
          label={t('admin.access.application')}
          field="application"
          hint={t('admin.access.appHint')}
          error={dry.error}
        />
        <label className="check">
          <input type="checkbox" name="new_device" /> {t('admin.access.newDevice')}
        </label>
        {dry.error ? <ErrorView error={dry.error} /> : null}
        <button type="submit" className="primary" disabled={dry.busy}>
          {t('admin.access.evaluate')}
        </button>
      </form>
      {result ? (
        <section className="card" aria-labelledby="dry-result" data-testid="dry-run-result">
          <h2 id="dry-result">
            {t('admin.access.result', { decision: t(`admin.access.decision.${result.decision}`) })}
          </h2>
          <p>
            {result.policy
              ? t('admin.access.byPolicy', { name: result.policy.name })
              : t('admin.access.byDefault')}
          </p>
          <ol data-testid="explanation">
            {result.explanation.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ol>
          {result.steps.length ? (
            <Table
              caption={t('admin.access.steps')}
              rows={result.steps}
              rowKey={(s) => `${s.policy.priority}:${s.policy.name}`}
              columns={[
                { header: t('admin.access.policy'), cell: (s) => s.policy.name },
                { header: t('admin.access.outcome'), cell: (s) => s.outcome },
                {
                  header: t('admin.access.checks'),
                  cell: (s) =>
                    s.checks
                      .map((c) => `${c.ok ? '✓' : '✗'} ${c.condition}: ${c.reason}`)
                      .join('; ') || '—',
                },
              ]}
            />
          ) : null}
        </section>
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.access.deleteTitle', { name: deleting?.name ?? '' })}
        lost={deleting ? [t('admin.access.deleteLost', { name: deleting.name })] : []}
        confirmLabel={t('admin.delete')}
        onConfirm={() => {
          const p = deleting;
          setDeleting(null);
          if (p)
            del(ip(props.slug, `/access-policies/${p.id}`)).then(list.reload, (x: Error) =>
              setErr(x),
            );
        }}
        onCancel={() => setDeleting(null)}
      />
    </Page>
  );
}

interface Role {
  name: string;
  builtin: boolean;
  permissions: string[];
}

export function Roles(props: { slug: string }) {
  const roles = useApi<{ permissions: string[]; items: Role[] }>(ip(props.slug, '/roles'));
  const assignments = useApi<{ items: { user_id: string; roles: string[]; implicit: boolean }[] }>(
    ip(props.slug, '/role-assignments'),
  );
  const can = useCan();
  const held = useCaps()?.held;
  // usernames for those who may read users (ids otherwise)
  const users = useApi<ApiPage<User>>(
    can('users:read') ? ip(props.slug, '/users?limit=200') : null,
  );
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const uname = (id: string) => users.data?.items.find((u) => u.id === id)?.username ?? id;
  const create = useSubmit(async (f, el) => {
    await post(ip(props.slug, '/roles'), {
      name: str(f, 'name'),
      permissions: f.getAll('permissions').map(String),
    });
    el.reset();
    roles.reload();
  });
  const assign = useSubmit(async (f, el) => {
    const name = str(f, 'username');
    const u = users.data?.items.find((x) => x.username === name);
    if (!u) throw new Error(t('admin.groups.noSuchUser', { name }));
    await put(ip(props.slug, `/role-assignments/${u.id}`), {
      roles: f.getAll('roles').map(String),
    });
    el.reset();
    assignments.reload();
  });
  return (
    <Page title={t('admin.roles.title')}>
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={roles}>
        {(d) => (
          <>
            <Table
              caption={t('admin.roles.title')}
              rows={d.items}
              rowKey={(r) => r.name}
              columns={[
                {
                  header: t('admin.name'),
                  cell: (r) => (r.builtin ? `${r.name} (${t('admin.roles.builtin')})` : r.name),
                },
                { header: t('admin.roles.permissions'), cell: (r) => r.permissions.join(', ') },
                {
                  header: t('admin.actions'),
                  cell: (r) =>
                    r.builtin ? (
                      '—'
                    ) : (
                      <Act perm="roles:write" className="danger" onClick={() => setDeleting(r)}>
                        {t('admin.delete')}
                        <span className="sr-only"> {r.name}</span>
                      </Act>
                    ),
                },
              ]}
            />
            <IfCan perm="roles:write">
              <form
                className="card"
                onSubmit={create.onSubmit}
                aria-label={t('admin.roles.create')}
                noValidate
              >
                <h2>{t('admin.roles.create')}</h2>
                <TextField label={t('admin.name')} field="name" error={create.error} required />
                <fieldset>
                  <legend>{t('admin.roles.permissions')}</legend>
                  {d.permissions
                    .filter((p) => !held || held.has(p))
                    .map((p) => (
                      <label key={p} className="check">
                        <input type="checkbox" name="permissions" value={p} /> <code>{p}</code>
                      </label>
                    ))}
                </fieldset>
                {create.error ? <ErrorView error={create.error} /> : null}
                <button type="submit" className="primary">
                  {t('admin.roles.createSubmit')}
                </button>
              </form>
            </IfCan>
            <h2>{t('admin.roles.assignments')}</h2>
            <Loaded resource={assignments}>
              {(a) => (
                <Table
                  caption={t('admin.roles.assignments')}
                  rows={a.items}
                  rowKey={(x) => x.user_id}
                  empty={t('admin.roles.noAssignments')}
                  columns={[
                    { header: t('admin.users.username'), cell: (x) => uname(x.user_id) },
                    { header: t('admin.roles.title'), cell: (x) => x.roles.join(', ') },
                    {
                      header: t('admin.actions'),
                      cell: (x) => (
                        <Act
                          perm="roles:write"
                          className="danger"
                          onClick={() =>
                            void del(ip(props.slug, `/role-assignments/${x.user_id}`)).then(
                              assignments.reload,
                              (e: Error) => setErr(e),
                            )
                          }
                        >
                          {t('admin.roles.unassign')}
                          <span className="sr-only"> {uname(x.user_id)}</span>
                        </Act>
                      ),
                    },
                  ]}
                />
              )}
            </Loaded>
            <IfCan perm="roles:write">
              <form
                className="card"
                onSubmit={assign.onSubmit}
                aria-label={t('admin.roles.assign')}
                noValidate
              >
                <h2>{t('admin.roles.assign')}</h2>
                <TextField
                  label={t('admin.users.username')}
                  field="username"
                  error={assign.error}
                  required
                />
                <fieldset>
                  <legend>{t('admin.roles.title')}</legend>
                  <p className="muted">{t('admin.roles.onlyHeld')}</p>
                  {(held ? assignable(d.items, held) : d.items).map((r) => (
                    <label key={r.name} className="check">
                      <input type="checkbox" name="roles" value={r.name} /> {r.name}
                    </label>
                  ))}
                </fieldset>
                {assign.error ? <ErrorView error={assign.error} /> : null}
                <button type="submit" className="primary">
                  {t('admin.roles.assignSubmit')}
                </button>
              </form>
            </IfCan>
          </>
        )}
      </Loaded>
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.roles.deleteTitle', { name: deleting?.name ?? '' })}
        lost={deleting ? [t('admin.roles.deleteLost', { name: deleting.name })] : []}
        confirmLabel={t('admin.delete')}
        onConfirm={() => {
          const r = deleting;
          setDeleting(null);
          if (r)
            del(ip(props.slug, `/roles/${encodeURIComponent(r.name)}`)).then(
              roles.reload,
              (x: Error) => setErr(x),
            );
        }}
        onCancel={() => setDeleting(null)}
      />
    </Page>
  );
}
