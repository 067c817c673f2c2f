// Exports and deletion receipts: the export of an instance's directory offered before its
// release (G4.7), saved as a file with a receipt (when, what, the file's SHA-256, kept in this
// browser), and the receipts of what was deleted at a release (ID3), from the server.
import { useState } from 'react';
import { ApiError, api, useApi } from '../api.ts';
import { formatInstant, formatNumber, t } from '../i18n/index.ts';
import { ErrorView, Loaded, Notice, Table } from '../ui/index.ts';
import type { Page as ApiPage } from '../api.ts';
import { accountPath, word, type AccountRef } from './common.tsx';

interface DeletionReceipt {
  id: string;
  instance_slug: string;
  at: string;
  clause: string;
  what: Record<string, number>;
}
interface ExportReceipt {
  slug: string;
  exported_at: string;
  sha256: string;
  bytes: number;
  counts: Record<string, number>;
}
interface Instance {
  slug: string;
  display_name: string;
}

const KEY = 'idaas.console.exports.';

function loadReceipts(accountId: string): ExportReceipt[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY + accountId) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as ExportReceipt[]) : [];
  } catch {
    return [];
  }
}

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function what(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, n]) => t('rc.count', { n: formatNumber(n), what: word('rc.what', k) }))
    .join(', ');
}

export function Receipts(props: { account: AccountRef }) {
  const inst = useApi<ApiPage<Instance>>('/instances?limit=100');
  const deletions = useApi<{ items: DeletionReceipt[] }>(
    `${accountPath(props.account.id)}/deletion-receipts`,
  );
  const [exports, setExports] = useState<ExportReceipt[]>(() => loadReceipts(props.account.id));
  const [busy, setBusy] = useState<string | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const [last, setLast] = useState<ExportReceipt | null>(null);

  const exportInstance = async (slug: string) => {
    setErr(null);
    setLast(null);
    setBusy(slug);
    try {
      const data = await api<Record<string, unknown>>(
        'GET',
        `/instances/${encodeURIComponent(slug)}/export`,
      );
      const text = JSON.stringify(data, null, 2);
      const len = (k: string) => (Array.isArray(data[k]) ? (data[k] as unknown[]).length : 0);
      const receipt: ExportReceipt = {
        slug,
        exported_at: String(data.exported_at),
        sha256: await sha256Hex(text),
        bytes: new TextEncoder().encode(text).length,
        counts: {
          users: len('users'),
          groups: len('groups'),
          org_units: len('org_units'),
          applications: len('applications'),
          // the access logs go with the export (G4.6/G4.7): the records the file links to
          audit_records: Number(
            (data.audit_trail as { head_seq?: number } | undefined)?.head_seq ?? 0,
          ),
        },
      };
      // save the file
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${slug}-export-${receipt.exported_at.slice(0, 10)}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      const next = [receipt, ...exports].slice(0, 50);
      localStorage.setItem(KEY + props.account.id, JSON.stringify(next));
      setExports(next);
      setLast(receipt);
    } catch (x) {
      setErr(x as Error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <section aria-labelledby="exports">
        <h2 id="exports">{t('rc.export')}</h2>
        <p>{t('rc.exportHint')}</p>
        <Loaded resource={inst}>
          {(d) =>
            d.items.length === 0 ? (
              <p className="muted">{t('cu.noInstances')}</p>
            ) : (
              <ul className="actions-list">
                {d.items.map((i) => (
                  <li key={i.slug}>
                    <button
                      type="button"
                      disabled={busy !== null}
                      aria-busy={busy === i.slug}
                      onClick={() => void exportInstance(i.slug)}
                    >
                      {busy === i.slug
                        ? t('rc.exporting', { slug: i.slug })
                        : t('rc.exportOf', { slug: i.slug })}
                    </button>
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
        {last ? (
          <Notice kind="success">
            <span data-testid="export-receipt">
              {t('rc.exported', {
                slug: last.slug,
                at: formatInstant(last.exported_at),
                what: what(last.counts),
                sha: last.sha256,
              })}
            </span>
          </Notice>
        ) : null}
        {err ? (
          err instanceof ApiError && err.status === 403 ? (
            <Notice kind="warning">{t('rc.exportForbidden')}</Notice>
          ) : (
            <ErrorView error={err} />
          )
        ) : null}
        <Table
          caption={t('rc.exportReceipts')}
          rows={exports}
          rowKey={(x) => `${x.slug}|${x.exported_at}|${x.sha256}`}
          empty={t('rc.noExports')}
          columns={[
            { header: t('cu.instance'), cell: (x) => x.slug },
            { header: t('rc.at'), cell: (x) => formatInstant(x.exported_at) },
            { header: t('rc.contents'), cell: (x) => what(x.counts) },
            {
              header: t('rc.sha256'),
              cell: (x) => <code className="hash">{x.sha256}</code>,
            },
          ]}
        />
      </section>
      <section aria-labelledby="deletions">
        <h2 id="deletions">{t('rc.deletions')}</h2>
        <p>{t('rc.deletionsHint')}</p>
        <Loaded resource={deletions}>
          {(d) => (
            <Table
              caption={t('rc.deletions')}
              rows={d.items}
              rowKey={(x) => x.id}
              empty={t('rc.noDeletions')}
              columns={[
                { header: t('cu.instance'), cell: (x) => x.instance_slug },
                { header: t('rc.at'), cell: (x) => formatInstant(x.at) },
                { header: t('cu.clauseCol'), cell: (x) => x.clause },
                { header: t('rc.deleted'), cell: (x) => what(x.what) },
              ]}
            />
          )}
        </Loaded>
      </section>
    </>
  );
}
