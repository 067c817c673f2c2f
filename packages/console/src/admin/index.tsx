// Instance administration (lazy chunk): the instance picker, then per instance its users,
// imports, groups, organisation tree, applications (OIDC, SAML, SCIM provisioning), signing
// keys, branding, password policy, conditional access, roles and the audit log.
import { useState } from 'react';
import { useApi, type Page as ApiPage } from '../api.ts';
import { formatInstant, t } from '../i18n/index.ts';
import { Link, match, navigate } from '../router.ts';
import type { SectionProps } from '../shell/section.ts';
import { Loaded, Page, Table } from '../ui/index.ts';
import { ap, InstanceFrame, SCREENS, StatusBadge, type Instance, type Screen } from './common.tsx';
import { Import, UserDetail, Users } from './users.tsx';
import { Groups, OrgTree } from './directory.tsx';
import { Applications, OidcApp, OidcWizard, Provisioning, SamlApp, SamlWizard } from './apps.tsx';
import { Access, Branding, Keys, Passwords, Roles } from './settings.tsx';
import { Audit } from './audit.tsx';
import './messages.ts';
import './admin.css';

function Instances() {
  const [q, setQ] = useState('');
  const list = useApi<ApiPage<Instance>>(
    `/instances?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`,
  );
  return (
    <Page title={t('admin.instances.title')}>
      <p>{t('admin.instances.text')}</p>
      <form
        className="inline"
        role="search"
        aria-label={t('admin.instances.search')}
        onSubmit={(e) => {
          e.preventDefault();
          setQ(String(new FormData(e.currentTarget).get('q') ?? '').trim());
        }}
      >
        <div className="field">
          <label htmlFor="inst-q">{t('admin.instances.search')}</label>
          <input id="inst-q" name="q" type="search" defaultValue={q} />
        </div>
        <button type="submit">{t('admin.search')}</button>
      </form>
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
                cell: (i) => <Link to={ap(i.slug, '/users')}>{i.slug}</Link>,
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

export default function Admin(props: SectionProps) {
  if (props.path === '/admin' || props.path === '/admin/') return <Instances />;
  const m = match('/admin/:slug', props.path);
  const parts = props.path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const slug = m?.slug ?? parts[0]!;
  const rest = parts.slice(1);
  if (!rest.length) {
    queueMicrotask(() => navigate(ap(slug, '/users'), { replace: true }));
    return null;
  }
  const current = rest[0] as Screen;
  const view = SCREENS.includes(current) ? screen(slug, rest, props.query) : null;
  return (
    <InstanceFrame slug={slug} current={current}>
      {view ?? (
        <Page title={t('app.notFound')}>
          <p>{t('app.notFoundText')}</p>
        </Page>
      )}
    </InstanceFrame>
  );
}
