// Applications of an instance, with a wizard per protocol that ends on the exact values to
// paste into the application: OIDC (issuer, discovery URL, client id, the secret shown once,
// redirect URIs), SAML (SP metadata upload; IdP metadata URL, entity id, SSO URL, signing
// certificate) and SCIM provisioning (targets, dead letters, re-sync with progress).
import { useCallback, useEffect, useState } from 'react';
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
  SelectField,
  Table,
  TextField,
  useOperation,
  type OperationStatus,
} from '../ui/index.ts';
import { ap, Copyable, ip, lines, readFile, str, useInstance, useSubmit } from './common.tsx';
import { Act, IfCan, useCan } from './perm.tsx';

interface OidcApp {
  id: string;
  client_id: string;
  name: string;
  client_type: 'confidential' | 'public';
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  token_endpoint_auth_method: string;
  first_party: boolean;
  access_token_format: 'opaque' | 'jwt';
  created_at: string;
  client_secret?: string | null;
}
interface SamlApp {
  id: string;
  name: string;
  entity_id: string;
  acs: { index: number; binding?: string; location: string; is_default?: boolean }[];
  name_id_format: string;
  idp_metadata_url: string;
  created_at: string;
}
interface Target {
  application_id: string;
  url: string;
  updated_at: string;
}
interface Resync {
  id: string;
  application_id: string;
  total: number;
  done: number;
  failed: number;
  pending: number;
  finished: boolean;
  started_at: string;
}
interface DeadLetter {
  id: string;
  application_id: string;
  kind: string;
  resource_id: string;
  op: string;
  error: string;
  attempts: number;
  at: string;
}

export function Applications(props: { slug: string }) {
  const oidc = useApi<ApiPage<OidcApp>>(ip(props.slug, '/applications?limit=200'));
  const saml = useApi<{ items: SamlApp[] }>(ip(props.slug, '/saml-apps'));
  return (
    <Page
      title={t('admin.apps.title')}
      actions={
        <IfCan perm="apps:write">
          <Link className="button primary" to={ap(props.slug, '/apps/new-oidc')}>
            {t('admin.apps.newOidc')}
          </Link>{' '}
          <Link className="button" to={ap(props.slug, '/apps/new-saml')}>
            {t('admin.apps.newSaml')}
          </Link>
        </IfCan>
      }
    >
      <h2>{t('admin.apps.oidc')}</h2>
      <Loaded resource={oidc}>
        {(d) => (
          <Table
            caption={t('admin.apps.oidc')}
            rows={d.items}
            rowKey={(a) => a.id}
            empty={t('admin.apps.none')}
            columns={[
              {
                header: t('admin.name'),
                cell: (a) => <Link to={ap(props.slug, `/apps/oidc/${a.id}`)}>{a.name}</Link>,
              },
              { header: t('admin.apps.clientId'), cell: (a) => <code>{a.client_id}</code> },
              { header: t('admin.apps.type'), cell: (a) => t(`admin.apps.type.${a.client_type}`) },
              { header: t('admin.created'), cell: (a) => formatInstant(a.created_at, false) },
            ]}
          />
        )}
      </Loaded>
      <h2>{t('admin.apps.saml')}</h2>
      <Loaded resource={saml}>
        {(d) => (
          <Table
            caption={t('admin.apps.saml')}
            rows={d.items}
            rowKey={(a) => a.id}
            empty={t('admin.apps.none')}
            columns={[
              {
                header: t('admin.name'),
                cell: (a) => <Link to={ap(props.slug, `/apps/saml/${a.id}`)}>{a.name}</Link>,
              },
              { header: t('admin.apps.spEntityId'), cell: (a) => <code>{a.entity_id}</code> },
              { header: t('admin.created'), cell: (a) => formatInstant(a.created_at, false) },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}

/** The values an OIDC application needs (client secret only right after creation/rotation). */
function OidcValues(props: { slug: string; app: OidcApp; secret?: string | null }) {
  const inst = useInstance(props.slug);
  const issuer = inst.data?.issuer ?? `${location.origin}/i/${props.slug}`;
  return (
    <dl className="facts values" aria-label={t('admin.apps.values')}>
      <Copyable label={t('admin.apps.issuer')} value={issuer} testId="issuer" />
      <Copyable
        label={t('admin.apps.discovery')}
        value={`${issuer}/.well-known/openid-configuration`}
        testId="discovery"
      />
      <Copyable label={t('admin.apps.clientId')} value={props.app.client_id} testId="client-id" />
      {props.secret ? (
        <Copyable label={t('admin.apps.secret')} value={props.secret} testId="client-secret" />
      ) : null}
      <dt>{t('admin.apps.redirectUris')}</dt>
      <dd>
        <ul>
          {props.app.redirect_uris.map((u) => (
            <li key={u}>
              <code>{u}</code>
            </li>
          ))}
        </ul>
      </dd>
      <dt>{t('admin.apps.authMethod')}</dt>
      <dd>
        <code>{props.app.token_endpoint_auth_method}</code>
      </dd>
      <dt>{t('admin.apps.scopes')}</dt>
      <dd>
        <code>{props.app.scopes.join(' ')}</code>
      </dd>
      <dt>{t('admin.apps.tokenFormat')}</dt>
      <dd data-testid="token-format">
        {t(`admin.apps.tokenFormat.${props.app.access_token_format ?? 'opaque'}`)}
      </dd>
      <dt>{t('admin.apps.consent')}</dt>
      <dd data-testid="consent">
        {props.app.first_party ? t('admin.apps.consent.firstParty') : t('admin.apps.consent.asked')}
      </dd>
    </dl>
  );
}

export function OidcWizard(props: { slug: string }) {
  const [created, setCreated] = useState<OidcApp | null>(null);
  const [type, setType] = useState<'confidential' | 'public'>('confidential');
  const form = useSubmit(async (f) => {
    const grants = ['authorization_code'];
    if (f.get('refresh')) grants.push('refresh_token');
    const a = await post<OidcApp>(ip(props.slug, '/applications'), {
      name: str(f, 'name'),
      client_type: type,
      grant_types: grants,
      redirect_uris: lines(f, 'redirect_uris'),
      post_logout_redirect_uris: lines(f, 'post_logout_redirect_uris'),
      scopes: str(f, 'scopes').split(/\s+/).filter(Boolean),
      first_party: f.get('first_party') === 'on',
      access_token_format: str(f, 'access_token_format') || 'opaque',
      ...(type === 'public' ? { token_endpoint_auth_method: 'none' } : {}),
    });
    setCreated(a);
  });
  if (created)
    return (
      <Page title={t('admin.apps.createdTitle', { name: created.name })}>
        <Notice kind="success">{t('admin.apps.createdText')}</Notice>
        {created.client_secret ? (
          <Notice kind="warning">{t('admin.apps.secretOnce')}</Notice>
        ) : null}
        <OidcValues slug={props.slug} app={created} secret={created.client_secret} />
        <p>
          <Link to={ap(props.slug, `/apps/oidc/${created.id}`)}>{t('admin.apps.open')}</Link>
        </p>
      </Page>
    );
  return (
    <Page title={t('admin.apps.newOidc')}>
      <ol className="steps" aria-label={t('admin.apps.steps')}>
        <li aria-current="step">{t('admin.apps.step.describe')}</li>
        <li>{t('admin.apps.step.values')}</li>
      </ol>
      <form
        className="card"
        aria-label={t('admin.apps.newOidc')}
        onSubmit={form.onSubmit}
        noValidate
      >
        <TextField label={t('admin.name')} field="name" error={form.error} required />
        <SelectField
          label={t('admin.apps.type')}
          field="client_type"
          value={type}
          onChange={(e) => setType(e.target.value as 'confidential' | 'public')}
          options={[
            { value: 'confidential', label: t('admin.apps.type.confidential') },
            { value: 'public', label: t('admin.apps.type.public') },
          ]}
          hint={t(`admin.apps.typeHint.${type}`)}
          error={form.error}
        />
        <div className="field wide">
          <label htmlFor="redirects">{t('admin.apps.redirectUris')}</label>
          <textarea
            id="redirects"
            name="redirect_uris"
            rows={3}
            aria-describedby="redirects-hint"
          />
          <small id="redirects-hint" className="muted">
            {t('admin.apps.redirectHint')}
          </small>
        </div>
        <div className="field wide">
          <label htmlFor="logout-redirects">{t('admin.apps.logoutUris')}</label>
          <textarea id="logout-redirects" name="post_logout_redirect_uris" rows={2} />
        </div>
        <TextField
          label={t('admin.apps.scopes')}
          field="scopes"
          defaultValue="openid profile email"
          error={form.error}
        />
        <label className="check">
          <input type="checkbox" name="refresh" defaultChecked /> {t('admin.apps.refresh')}
        </label>
        <SelectField
          label={t('admin.apps.tokenFormat')}
          field="access_token_format"
          options={(['opaque', 'jwt'] as const).map((v) => ({
            value: v,
            label: t(`admin.apps.tokenFormat.${v}`),
          }))}
          error={form.error}
        />
        <label className="check">
          <input type="checkbox" name="first_party" aria-describedby="first-party-hint" />{' '}
          {t('admin.apps.firstParty')}
        </label>
        <small id="first-party-hint" className="muted">
          {t('admin.apps.firstPartyHint')}
        </small>
        {form.error ? <ErrorView error={form.error} /> : null}
        <button type="submit" className="primary" disabled={form.busy}>
          {t('admin.apps.create')}
        </button>
      </form>
    </Page>
  );
}

function ProvisioningTarget(props: { slug: string; appId: string }) {
  const target = useApi<Target>(ip(props.slug, `/applications/${props.appId}/provisioning`));
  const missing = target.error && 'status' in target.error && target.error.status === 404;
  const [removing, setRemoving] = useState(false);
  const save = useSubmit(async (f, el) => {
    const body = { url: str(f, 'url'), token: str(f, 'token') };
    if (target.data) await patch(ip(props.slug, `/applications/${props.appId}/provisioning`), body);
    else await post(ip(props.slug, `/applications/${props.appId}/provisioning`), body);
    el.reset();
    target.reload();
  });
  const resync = useResync(props.slug, props.appId);
  return (
    <section className="card" aria-labelledby="scim-title">
      <h2 id="scim-title">{t('admin.scim.title')}</h2>
      {target.data ? (
        <p>
          {t('admin.scim.target')} <code>{target.data.url}</code>
        </p>
      ) : missing ? (
        <p className="muted">{t('admin.scim.none')}</p>
      ) : target.error ? (
        <ErrorView error={target.error} />
      ) : null}
      <IfCan perm="provisioning:write">
        <form onSubmit={save.onSubmit} aria-label={t('admin.scim.configure')} noValidate>
          <TextField
            label={t('admin.scim.url')}
            field="url"
            type="url"
            defaultValue={target.data?.url}
            error={save.error}
            required
          />
          <TextField
            label={t('admin.scim.token')}
            field="token"
            type="password"
            autoComplete="off"
            hint={t('admin.scim.tokenHint')}
            error={save.error}
            required
          />
          {save.error ? <ErrorView error={save.error} /> : null}
          <button type="submit">{t('admin.scim.save')}</button>
        </form>
      </IfCan>
      {target.data ? (
        <p>
          <Act perm="provisioning:write" onClick={() => void resync.start()}>
            {t('admin.scim.resync')}
          </Act>{' '}
          <Act perm="provisioning:write" className="danger" onClick={() => setRemoving(true)}>
            {t('admin.scim.remove')}
          </Act>
        </p>
      ) : null}
      {resync.error ? <ErrorView error={resync.error} /> : null}
      <ProgressView op={resync.op} label={t('admin.scim.resyncProgress')} />
      <ConfirmDialog
        open={removing}
        title={t('admin.scim.remove')}
        lost={[t('admin.scim.removeLost', { url: target.data?.url ?? '' })]}
        confirmLabel={t('admin.scim.remove')}
        onConfirm={() => {
          setRemoving(false);
          void del(ip(props.slug, `/applications/${props.appId}/provisioning`)).then(target.reload);
        }}
        onCancel={() => setRemoving(false)}
      />
    </section>
  );
}

function useResync(slug: string, appId: string) {
  const poll = useCallback(
    async (id: string): Promise<OperationStatus> => {
      const r = await get<Resync>(ip(slug, `/provisioning/resyncs/${encodeURIComponent(id)}`));
      return {
        state: r.finished ? (r.failed ? 'failed' : 'done') : 'running',
        done: r.done + r.failed,
        total: r.total,
        ...(r.failed ? { detail: t('admin.scim.failedCount', { failed: r.failed }) } : {}),
      };
    },
    [slug],
  );
  const op = useOperation(`resync:${slug}:${appId}`, poll);
  const [error, setError] = useState<Error | null>(null);
  return {
    op,
    error,
    async start() {
      setError(null);
      try {
        const r = await post<Resync>(ip(slug, `/applications/${appId}/provisioning/resyncs`));
        op.start(r.id);
      } catch (x) {
        setError(x as Error);
      }
    },
  };
}

export function OidcApp(props: { slug: string; id: string }) {
  const can = useCan();
  const app = useApi<OidcApp>(ip(props.slug, `/applications/${props.id}`));
  const [secret, setSecret] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const edit = useSubmit(async (f) => {
    await patch(ip(props.slug, `/applications/${props.id}`), {
      name: str(f, 'name'),
      redirect_uris: lines(f, 'redirect_uris'),
    });
    app.reload();
  });
  const act = async (what: 'rotate' | 'delete') => {
    setConfirm(null);
    setErr(null);
    try {
      if (what === 'rotate') {
        const r = await post<OidcApp>(ip(props.slug, `/applications/${props.id}/secret`));
        setSecret(r.client_secret ?? null);
      } else {
        await del(ip(props.slug, `/applications/${props.id}`));
        navigate(ap(props.slug, '/apps'));
      }
    } catch (x) {
      setErr(x as Error);
    }
  };
  const name = app.data?.name ?? '';
  return (
    <Page title={name || t('admin.apps.title')}>
      {err ? <ErrorView error={err} /> : null}
      {secret ? <Notice kind="warning">{t('admin.apps.secretOnce')}</Notice> : null}
      <Loaded resource={app}>
        {(a) => (
          <>
            <OidcValues slug={props.slug} app={a} secret={secret} />
            <IfCan perm="apps:write">
              <form
                className="card"
                onSubmit={edit.onSubmit}
                aria-label={t('admin.apps.edit')}
                noValidate
              >
                <h2>{t('admin.apps.edit')}</h2>
                <TextField
                  label={t('admin.name')}
                  field="name"
                  defaultValue={a.name}
                  error={edit.error}
                />
                <div className="field wide">
                  <label htmlFor="edit-redirects">{t('admin.apps.redirectUris')}</label>
                  <textarea
                    id="edit-redirects"
                    name="redirect_uris"
                    rows={3}
                    defaultValue={a.redirect_uris.join('\n')}
                  />
                </div>
                {edit.error ? <ErrorView error={edit.error} /> : null}
                <button type="submit">{t('admin.save')}</button>
              </form>
            </IfCan>
            <p>
              {a.client_type === 'confidential' ? (
                <Act perm="apps:write" onClick={() => setConfirm('rotate')}>
                  {t('admin.apps.rotateSecret')}
                </Act>
              ) : null}{' '}
              <Act perm="apps:write" className="danger" onClick={() => setConfirm('delete')}>
                {t('admin.apps.delete')}
              </Act>
            </p>
            {can('provisioning:read') ? (
              <ProvisioningTarget slug={props.slug} appId={a.id} />
            ) : null}
          </>
        )}
      </Loaded>
      <ConfirmDialog
        open={confirm !== null}
        title={
          confirm === 'rotate'
            ? t('admin.apps.rotateSecret')
            : t('admin.apps.deleteTitle', { name })
        }
        lost={
          confirm === 'rotate'
            ? [t('admin.apps.rotateLost', { name })]
            : [t('admin.apps.deleteLost', { name })]
        }
        confirmLabel={confirm === 'rotate' ? t('admin.apps.rotateSecret') : t('admin.apps.delete')}
        irreversible
        typeToConfirm={confirm === 'delete' ? name : undefined}
        onConfirm={() => confirm && void act(confirm)}
        onCancel={() => setConfirm(null)}
      />
    </Page>
  );
}

/** The IdP side of SAML: metadata URL, entity id, SSO URL and the signing certificate. */
function IdpValues(props: { app: SamlApp }) {
  const meta = props.app.idp_metadata_url;
  const base = meta.replace(/\/metadata$/, '');
  const [cert, setCert] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    fetch(meta)
      .then((r) => r.text())
      .then((xml) => {
        const doc = new DOMParser().parseFromString(xml, 'application/xml');
        const c = doc.getElementsByTagNameNS(
          'http://www.w3.org/2000/09/xmldsig#',
          'X509Certificate',
        )[0];
        if (live) setCert(c?.textContent?.replace(/\s+/g, '') ?? '');
      })
      .catch(() => live && setCert(''));
    return () => {
      live = false;
    };
  }, [meta]);
  return (
    <dl className="facts values" aria-label={t('admin.apps.values')}>
      <Copyable label={t('admin.saml.metadataUrl')} value={meta} testId="idp-metadata" />
      <Copyable label={t('admin.saml.entityId')} value={meta} testId="idp-entity-id" />
      <Copyable label={t('admin.saml.ssoUrl')} value={`${base}/sso`} testId="idp-sso" />
      <dt>{t('admin.saml.certificate')}</dt>
      <dd>
        {cert === null ? (
          t('app.loading')
        ) : cert ? (
          <pre className="pre cert" data-testid="idp-cert">
            {`-----BEGIN CERTIFICATE-----\n${cert.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`}
          </pre>
        ) : (
          t('admin.saml.noCert')
        )}
      </dd>
      <dt>{t('admin.saml.acs')}</dt>
      <dd>
        <ul>
          {props.app.acs.map((a) => (
            <li key={a.index}>
              <code>{a.location}</code>
            </li>
          ))}
        </ul>
      </dd>
    </dl>
  );
}

export function SamlWizard(props: { slug: string }) {
  const [created, setCreated] = useState<SamlApp | null>(null);
  const form = useSubmit(async (f) => {
    const file = f.get('metadata');
    const xml = file instanceof File && file.size ? await readFile(file) : '';
    const body: Record<string, unknown> = { name: str(f, 'name') };
    if (xml) body.metadata_xml = xml;
    if (str(f, 'entity_id')) body.entity_id = str(f, 'entity_id');
    if (str(f, 'acs'))
      body.acs = [{ index: 0, binding: 'post', location: str(f, 'acs'), is_default: true }];
    body.name_id_format = str(f, 'name_id_format') || 'persistent';
    setCreated(await post<SamlApp>(ip(props.slug, '/saml-apps'), body));
  });
  if (created)
    return (
      <Page title={t('admin.apps.createdTitle', { name: created.name })}>
        <Notice kind="success">{t('admin.saml.createdText')}</Notice>
        <IdpValues app={created} />
      </Page>
    );
  return (
    <Page title={t('admin.apps.newSaml')}>
      <form
        className="card"
        aria-label={t('admin.apps.newSaml')}
        onSubmit={form.onSubmit}
        noValidate
      >
        <TextField label={t('admin.name')} field="name" error={form.error} required />
        <div className="field">
          <label htmlFor="sp-metadata">{t('admin.saml.upload')}</label>
          <input
            id="sp-metadata"
            name="metadata"
            type="file"
            accept=".xml,application/xml,text/xml"
          />
          <small className="muted">{t('admin.saml.uploadHint')}</small>
        </div>
        <TextField label={t('admin.apps.spEntityId')} field="entity_id" error={form.error} />
        <TextField label={t('admin.saml.acs')} field="acs" type="url" error={form.error} />
        <SelectField
          label={t('admin.saml.nameId')}
          field="name_id_format"
          error={form.error}
          options={['persistent', 'transient', 'email', 'unspecified'].map((v) => ({
            value: v,
            label: v,
          }))}
        />
        {form.error ? <ErrorView error={form.error} /> : null}
        <button type="submit" className="primary" disabled={form.busy}>
          {t('admin.apps.create')}
        </button>
      </form>
    </Page>
  );
}

export function SamlApp(props: { slug: string; id: string }) {
  const app = useApi<SamlApp>(ip(props.slug, `/saml-apps/${props.id}`));
  const [deleting, setDeleting] = useState(false);
  const [err, setErr] = useState<Error | null>(null);
  const name = app.data?.name ?? '';
  return (
    <Page title={name || t('admin.apps.title')}>
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={app}>
        {(a) => (
          <>
            <p>
              {t('admin.apps.spEntityId')}: <code>{a.entity_id}</code>
            </p>
            <IdpValues app={a} />
            <Act perm="apps:write" className="danger" onClick={() => setDeleting(true)}>
              {t('admin.apps.delete')}
            </Act>
          </>
        )}
      </Loaded>
      <ConfirmDialog
        open={deleting}
        title={t('admin.apps.deleteTitle', { name })}
        lost={[t('admin.saml.deleteLost', { name })]}
        confirmLabel={t('admin.apps.delete')}
        irreversible
        typeToConfirm={name}
        onConfirm={() => {
          setDeleting(false);
          del(ip(props.slug, `/saml-apps/${props.id}`)).then(
            () => navigate(ap(props.slug, '/apps')),
            (x: Error) => setErr(x),
          );
        }}
        onCancel={() => setDeleting(false)}
      />
    </Page>
  );
}

export function Provisioning(props: { slug: string }) {
  const targets = useApi<{ items: Target[] }>(ip(props.slug, '/provisioning/targets'));
  const dead = useApi<{ items: DeadLetter[] }>(ip(props.slug, '/provisioning/dead-letters'));
  // application names for those who may read applications (ids otherwise)
  const apps = useApi<ApiPage<OidcApp>>(
    useCan()('apps:read') ? ip(props.slug, '/applications?limit=200') : null,
  );
  const [dropping, setDropping] = useState<DeadLetter | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const appName = (id: string) => apps.data?.items.find((a) => a.id === id)?.name ?? id;
  const retry = async (d: DeadLetter) => {
    setErr(null);
    try {
      await post(ip(props.slug, `/provisioning/dead-letters/${d.id}/retry`));
      dead.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('admin.scim.pageTitle')}>
      <p>{t('admin.scim.text')}</p>
      {err ? <ErrorView error={err} /> : null}
      <h2>{t('admin.scim.targets')}</h2>
      <Loaded resource={targets}>
        {(d) => (
          <Table
            caption={t('admin.scim.targets')}
            rows={d.items}
            rowKey={(x) => x.application_id}
            empty={t('admin.scim.noTargets')}
            columns={[
              {
                header: t('admin.scim.application'),
                cell: (x) => (
                  <Link to={ap(props.slug, `/apps/oidc/${x.application_id}`)}>
                    {appName(x.application_id)}
                  </Link>
                ),
              },
              { header: t('admin.scim.url'), cell: (x) => <code>{x.url}</code> },
              { header: t('admin.updated'), cell: (x) => formatInstant(x.updated_at) },
            ]}
          />
        )}
      </Loaded>
      <h2>{t('admin.scim.dead')}</h2>
      <Loaded resource={dead}>
        {(d) => (
          <Table
            caption={t('admin.scim.dead')}
            rows={d.items}
            rowKey={(x) => x.id}
            empty={t('admin.scim.noDead')}
            columns={[
              { header: t('admin.scim.application'), cell: (x) => appName(x.application_id) },
              {
                header: t('admin.scim.resource'),
                cell: (x) => `${x.kind} ${x.resource_id} (${x.op})`,
              },
              { header: t('admin.scim.error'), cell: (x) => x.error },
              { header: t('admin.scim.attempts'), cell: (x) => x.attempts, numeric: true },
              { header: t('admin.when'), cell: (x) => formatInstant(x.at) },
              {
                header: t('admin.actions'),
                cell: (x) => (
                  <span className="row-actions">
                    <Act perm="provisioning:write" onClick={() => void retry(x)}>
                      {t('admin.scim.retry')}
                    </Act>
                    <Act
                      perm="provisioning:write"
                      className="danger"
                      onClick={() => setDropping(x)}
                    >
                      {t('admin.scim.drop')}
                    </Act>
                  </span>
                ),
              },
            ]}
          />
        )}
      </Loaded>
      <ConfirmDialog
        open={dropping !== null}
        title={t('admin.scim.drop')}
        lost={
          dropping
            ? [
                t('admin.scim.dropLost', {
                  what: `${dropping.kind} ${dropping.resource_id}`,
                  app: appName(dropping.application_id),
                }),
              ]
            : []
        }
        confirmLabel={t('admin.scim.drop')}
        onConfirm={() => {
          const d = dropping;
          setDropping(null);
          if (d)
            del(ip(props.slug, `/provisioning/dead-letters/${d.id}`)).then(
              dead.reload,
              (x: Error) => setErr(x),
            );
        }}
        onCancel={() => setDropping(null)}
      />
    </Page>
  );
}
