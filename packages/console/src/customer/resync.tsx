// Outbound provisioning of an instance, on its card: each application provisioned to a SCIM
// target can be re-synced in full. A re-sync is a long operation on the server; its id is
// kept per instance and application (sessionStorage), so its progress re-attaches after
// leaving the page or a reload. Hidden for members without provisioning:read.
import { useCallback, useState } from 'react';
import { ApiError, get, post, useApi } from '../api.ts';
import { t } from '../i18n/index.ts';
import { ErrorView, ProgressView, useOperation, type OperationStatus } from '../ui/index.ts';

interface Target {
  application_id: string;
  url: string;
}
interface Resync {
  id: string;
  total: number;
  done: number;
  failed: number;
  finished: boolean;
}

export function Provisioning(props: { slug: string }) {
  const I = `/instances/${encodeURIComponent(props.slug)}`;
  const targets = useApi<{ items: Target[] }>(`${I}/provisioning/targets`);
  const apps = useApi<{ items: { id: string; name: string }[] }>(`${I}/applications?limit=100`);
  if (targets.error instanceof ApiError && targets.error.status === 403) return null;
  if (targets.error) return <ErrorView error={targets.error} onRetry={targets.reload} />;
  if (!targets.data || targets.data.items.length === 0) return null;
  const nameOf = (id: string) => apps.data?.items.find((a) => a.id === id)?.name ?? id;
  return (
    <section aria-labelledby={`prov-${props.slug}`}>
      <h3 id={`prov-${props.slug}`}>{t('cu.provisioning')}</h3>
      <ul className="thread">
        {targets.data.items.map((x) => (
          <TargetRow
            key={x.application_id}
            slug={props.slug}
            appId={x.application_id}
            name={nameOf(x.application_id)}
            host={safeHost(x.url)}
          />
        ))}
      </ul>
    </section>
  );
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function TargetRow(props: { slug: string; appId: string; name: string; host: string }) {
  const I = `/instances/${encodeURIComponent(props.slug)}`;
  const poll = useCallback(
    async (id: string): Promise<OperationStatus> => {
      const r = await get<Resync>(`${I}/provisioning/resyncs/${encodeURIComponent(id)}`);
      return {
        state: !r.finished ? 'running' : r.failed > 0 ? 'failed' : 'done',
        done: r.done + r.failed,
        total: r.total,
        ...(r.failed > 0 ? { detail: t('cu.resyncFailed', { n: r.failed }) } : {}),
      };
    },
    [I],
  );
  const op = useOperation(`resync:${props.slug}:${props.appId}`, poll);
  const [err, setErr] = useState<Error | null>(null);
  const running = op.id !== null && op.status?.state !== 'done' && op.status?.state !== 'failed';
  const start = async () => {
    setErr(null);
    try {
      const r = await post<Resync>(
        `${I}/applications/${encodeURIComponent(props.appId)}/provisioning/resyncs`,
      );
      op.start(r.id);
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <li>
      <p>
        {t('cu.provisionedTo', { app: props.name, host: props.host })}{' '}
        <button type="button" disabled={running} onClick={() => void start()}>
          {t('cu.resync', { app: props.name })}
        </button>
      </p>
      <ProgressView op={op} label={t('cu.resyncOf', { app: props.name })} />
      {err ? <ErrorView error={err} /> : null}
    </li>
  );
}
