// The audit log (G4.6): records with filters, pages by cursor, export as JSON Lines or CSV
// (downloaded with the bearer token, same filters), and a chain verification.
import { useState } from 'react';
import { API, ApiError, get, useApi } from '../api.ts';
import { getSession } from '../auth.ts';
import { formatInstant, getLang, t } from '../i18n/index.ts';
import { ErrorView, Loaded, Notice, Page, SelectField, Table, TextField } from '../ui/index.ts';
import { ip } from './common.tsx';

interface Rec {
  seq: number;
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: string;
  ip: string | null;
}
interface Verify {
  ok: boolean;
  checked: number;
  broken?: { seq: number; reason: string } | null;
}

const FILTERS = ['action', 'actor_id', 'target_id', 'ip'] as const;

export function Audit(props: { slug: string }) {
  const [filters, setFilters] = useState<URLSearchParams>(new URLSearchParams());
  const [cursor, setCursor] = useState<string | null>(null);
  const qs = new URLSearchParams(filters);
  qs.set('limit', '50');
  if (cursor) qs.set('cursor', cursor);
  const recs = useApi<{ items: Rec[]; next_cursor: string | null }>(
    ip(props.slug, `/audit/records?${qs}`),
  );
  const [err, setErr] = useState<Error | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [busy, setBusy] = useState(false);
  const exportAs = async (format: 'jsonl' | 'csv') => {
    setErr(null);
    setBusy(true);
    try {
      const q = new URLSearchParams(filters);
      q.set('format', format);
      const s = getSession();
      const r = await fetch(`${API}${ip(props.slug, `/audit/records/export?${q}`)}`, {
        headers: {
          'accept-language': getLang(),
          ...(s ? { authorization: `Bearer ${s.accessToken}` } : {}),
        },
      });
      if (!r.ok) throw new ApiError({ status: r.status, ...(await r.json().catch(() => ({}))) });
      const blob = await r.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `audit-${props.slug}.${format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (x) {
      setErr(x as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={t('admin.audit.title')}>
      <form
        className="inline card"
        role="search"
        aria-label={t('admin.audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const q = new URLSearchParams();
          for (const k of [...FILTERS, 'result', 'from', 'to']) {
            let v = String(f.get(k) ?? '').trim();
            if (v && (k === 'from' || k === 'to')) v = new Date(v).toISOString();
            if (v) q.set(k, v);
          }
          setCursor(null);
          setFilters(q);
        }}
      >
        {FILTERS.map((k) => (
          <TextField key={k} label={t(`admin.audit.${k}`)} field={k} error={recs.error} />
        ))}
        <SelectField
          label={t('admin.audit.result')}
          field="result"
          options={[
            { value: '', label: t('admin.audit.any') },
            ...['success', 'failure', 'denied'].map((v) => ({ value: v, label: v })),
          ]}
        />
        <TextField
          label={t('admin.audit.from')}
          field="from"
          type="datetime-local"
          error={recs.error}
        />
        <TextField
          label={t('admin.audit.to')}
          field="to"
          type="datetime-local"
          error={recs.error}
        />
        <button type="submit" className="primary">
          {t('admin.audit.apply')}
        </button>
      </form>
      <p>
        <button type="button" disabled={busy} onClick={() => void exportAs('jsonl')}>
          {t('admin.audit.exportJsonl')}
        </button>{' '}
        <button type="button" disabled={busy} onClick={() => void exportAs('csv')}>
          {t('admin.audit.exportCsv')}
        </button>{' '}
        <button
          type="button"
          onClick={() =>
            void get<Verify>(ip(props.slug, '/audit/verify')).then(setVerify, (x: Error) =>
              setErr(x),
            )
          }
        >
          {t('admin.audit.verify')}
        </button>
      </p>
      {verify ? (
        <Notice kind={verify.ok ? 'success' : 'warning'}>
          {verify.ok
            ? t('admin.audit.verified', { checked: verify.checked })
            : t('admin.audit.broken', {
                seq: verify.broken?.seq ?? '?',
                reason: verify.broken?.reason ?? '',
              })}
        </Notice>
      ) : null}
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={recs}>
        {(d) => (
          <>
            <Table
              caption={t('admin.audit.title')}
              rows={d.items}
              rowKey={(r) => r.id}
              empty={t('admin.audit.none')}
              columns={[
                { header: t('admin.when'), cell: (r) => formatInstant(r.at) },
                { header: t('admin.audit.action'), cell: (r) => <code>{r.action}</code> },
                {
                  header: t('admin.audit.actor'),
                  cell: (r) => `${r.actor_type}${r.actor_id ? ` ${r.actor_id}` : ''}`,
                },
                {
                  header: t('admin.audit.target'),
                  cell: (r) => (r.target_type ? `${r.target_type} ${r.target_id ?? ''}` : '—'),
                },
                { header: t('admin.audit.result'), cell: (r) => r.result },
                { header: t('admin.audit.ip'), cell: (r) => r.ip ?? '—' },
              ]}
            />
            <p>
              {cursor ? (
                <button type="button" onClick={() => setCursor(null)}>
                  {t('admin.audit.first')}
                </button>
              ) : null}{' '}
              {d.next_cursor ? (
                <button type="button" onClick={() => setCursor(d.next_cursor)}>
                  {t('admin.audit.next')}
                </button>
              ) : null}
            </p>
          </>
        )}
      </Loaded>
    </Page>
  );
}
