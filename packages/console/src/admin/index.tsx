// Instance administration (lazy chunk): the instance picker, then per instance its users,
// imports, groups, organisation tree, applications (OIDC, SAML, SCIM provisioning), signing
// keys, branding, password policy, conditional access, roles and the audit log.
import { useState } from 'react';
import { ApiError, useApi, type Page as ApiPage } from '../api.ts';
import { getSession } from '../auth.ts';
import { formatInstant, t } from '../i18n/index.ts';
import { useInstancePermissions, useMe, type MeInstance } from '../permissions.ts';
import { Link, match, navigate } from '../router.ts';
import type { SectionProps } from '../shell/section.ts';
import { ErrorView, Loaded, Loading, Page, Table } from '../ui/index.ts';
import { allowedScreens, SCREEN_PERMISSION } from './can.ts';
import { ap, InstanceFrame, SCREENS, StatusBadge, type Instance, type Screen } from './common.tsx';
import { CapsProvider } from './perm.tsx';
import { Import, UserDetail, Users } from './users.tsx';
import { Groups, OrgTree } from './directory.tsx';
import { Applications, OidcApp, OidcWizard, Provisioning, SamlApp, SamlWizard } from './apps.tsx';
import { Access, Branding, Keys, Passwords, Roles } from './settings.tsx';
import { Audit } from './audit.tsx';
import './messages.ts';
import './messages-perm.ts';
import './admin.css';

/** The search form of both instance pickers (operator: server-side; member: over its own list). */
function InstanceSearch(props: { q: string; onSearch: (q: string) => void }) {
  return (
    <form
      className="inline"
      role="search"
      aria-label={t('admin.instances.search')}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch(String(new FormData(e.currentTarget).get('q') ?? '').trim());
      }}
    >
      <div className="field">
        <label htmlFor="inst-q">{t('admin.instances.search')}</label>
        <input id="inst-q" name="q" type="search" defaultValue={props.q} />
      </div>
      <button type="submit">{t('admin.search')}</button>
    </form>
  );
}

function AllInstances() {
  const [q, setQ] = useState('');
  const list = useApi<ApiPage<Instance>>(
    `/instances?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`,
  );
  return (
    <Page title={t('admin.instances.title')}>
      <p>{t('admin.instances.text')}</p>
      <InstanceSearch q={q} onSearch={setQ} />
      <Loaded resource={list}>
        {(d) => (
          <Table
            caption={t('admin.instances.title')}
            rows={d.items}
            rowKey={(i) => i.id}
            empty={t('admin.instances.none')}
            columns={[
              {
                header: t('admin.instances.slug'),
                cell: (i) => <Link to={ap(i.slug)}>{i.slug}</Link>,
              },
              { header: t('admin.instances.name'), cell: (i) => i.display_name || '—' },
              {
                header: t('admin.instances.state'),
                cell: (i) => <StatusBadge value={i.state} label={i.state} />,
              },
              { header: t('admin.instances.region'), cell: (i) => i.region },
              { header: t('admin.created'), cell: (i) => formatInstant(i.created_at, false) },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}

/** A customer's instances: those it holds a role on (GET /me), with its roles there. */
function MyInstances() {
  const me = useMe();
  const [q, setQ] = useState('');
  const resource = {
    data: me.data,
    error: me.data ? null : (me.error ?? null),
    loading: me.loading,
    reload: () => undefined,
  };
  const matches = (i: MeInstance) =>
    !q ||
    i.slug.includes(q.toLowerCase()) ||
    i.display_name.toLowerCase().includes(q.toLowerCase());
  return (
    <Page title={t('admin.instances.title')}>
      <p>{t('admin.instances.mine')}</p>
      <InstanceSearch q={q} onSearch={setQ} />
      <Loaded resource={resource}>
        {(d) => (
          <Table
            caption={t('admin.instances.title')}
            rows={(d.instances ?? []).filter(matches)}
            rowKey={(i) => i.slug}
            empty={t('admin.instances.noneMine')}
            columns={[
              {
                header: t('admin.instances.slug'),
                cell: (i) => <Link to={ap(i.slug)}>{i.slug}</Link>,
              },
              { header: t('admin.instances.name'), cell: (i) => i.display_name || '—' },
              { header: t('admin.perm.roles'), cell: (i) => i.roles.join(', ') },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}

function Instances() {
  return getSession()?.persona === 'operator' ? <AllInstances /> : <MyInstances />;
}

function screen(slug: string, rest: string[], query: URLSearchParams) {
  const [s, a, b] = rest;
  switch (s as Screen) {
    case 'users':
      return a ? <UserDetail slug={slug} id={a} /> : <Users slug={slug} />;
    case 'import':
      return <Import slug={slug} attach={query.get('id')} />;
    case 'groups':
      return <Groups slug={slug} />;
    case 'org':
      return <OrgTree slug={slug} />;
    case 'apps':
      if (a === 'new-oidc') return <OidcWizard slug={slug} />;
      if (a === 'new-saml') return <SamlWizard slug={slug} />;
      if (a === 'oidc' && b) return <OidcApp slug={slug} id={b} />;
      if (a === 'saml' && b) return <SamlApp slug={slug} id={b} />;
      return <Applications slug={slug} />;
    case 'provisioning':
      return <Provisioning slug={slug} />;
    case 'keys':
      return <Keys slug={slug} />;
    case 'branding':
      return <Branding slug={slug} />;
    case 'passwords':
      return <Passwords slug={slug} />;
    case 'access':
      return <Access slug={slug} />;
    case 'roles':
      return <Roles slug={slug} />;
    case 'audit':
      return <Audit slug={slug} />;
    default:
      return null;
  }
}

/** A screen the caller's roles do not allow (a link, a bookmark or roles that changed). */
function NotAllowed(props: {
  slug: string;
  screen: Screen;
  roles: string[];
  first?: Screen;
  perm?: string;
}) {
  return (
    <Page title={t('admin.perm.deniedTitle')}>
      <p>
        {t('admin.perm.denied', {
          screen: t(`admin.tab.${props.screen}`),
          perm: props.perm ?? SCREEN_PERMISSION[props.screen],
          roles: props.roles.join(', ') || '—',
        })}
      </p>
      {props.first ? (
        <p>
          <Link to={ap(props.slug, `/${props.first}`)}>
            {t('admin.perm.goTo', { screen: t(`admin.tab.${props.first}`) })}
          </Link>
        </p>
      ) : null}
    </Page>
  );
}

/** One instance: its permissions for the caller first, then the screens they allow. */
function InstanceAdmin(props: { slug: string; rest: string[]; query: URLSearchParams }) {
  const { slug, rest } = props;
  const perms = useInstancePermissions(slug);
  if (!perms.data) {
    if (perms.error)
      return (
        <Page title={t('admin.instance', { slug })}>
          {perms.error instanceof ApiError && perms.error.status === 403 ? (
            <p>{t('admin.perm.noRole', { slug })}</p>
          ) : null}
          <ErrorView error={perms.error} />
          <p>
            <Link to="/admin">{t('admin.switchInstance')}</Link>
          </p>
        </Page>
      );
    return <Loading />;
  }
  const p = perms.data;
  const held = new Set(p.permissions);
  const screens = allowedScreens(SCREENS, held);
  if (!rest.length) {
    // the first screen the roles allow (an app-admin has no users:read)
    if (screens[0]) {
      const first = screens[0];
      queueMicrotask(() => navigate(ap(slug, `/${first}`), { replace: true }));
      return <Loading />;
    }
  }
  const current = (rest[0] ?? '') as Screen;
  const known = SCREENS.includes(current);
  let view;
  if (!rest.length)
    view = (
      <Page title={t('admin.perm.nothingTitle')}>
        <p>{t('admin.perm.nothing', { slug, roles: p.roles.join(', ') || '—' })}</p>
      </Page>
    );
  else if (known && !held.has(SCREEN_PERMISSION[current]))
    view = <NotAllowed slug={slug} screen={current} roles={p.roles} first={screens[0]} />;
  else if (current === 'apps' && /^new-/.test(rest[1] ?? '') && !held.has('apps:write'))
    // the application wizards create: apps:write, not just apps:read
    view = <NotAllowed slug={slug} screen={current} roles={p.roles} perm="apps:write" />;
  else view = known ? screen(slug, rest, props.query) : null;
  return (
    <CapsProvider value={{ slug, operator: p.operator, roles: p.roles, held }}>
      <InstanceFrame slug={slug} current={current} screens={screens} roles={p.roles}>
        {view ?? (
          <Page title={t('app.notFound')}>
            <p>{t('app.notFoundText')}</p>
          </Page>
        )}
      </InstanceFrame>
    </CapsProvider>
  );
}

export default function Admin(props: SectionProps) {
  if (props.path === '/admin' || props.path === '/admin/') return <Instances />;
  const m = match('/admin/:slug', props.path);
  const parts = props.path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const slug = m?.slug ?? parts[0]!;
  return <InstanceAdmin key={slug} slug={slug} rest={parts.slice(1)} query={props.query} />;
}
