// The customer's support tickets: the account's tickets, a new ticket (kind, severity,
// optional instance), a ticket's thread with the reply form.
import type { FormEvent } from 'react';
import { post, useApi, type Page as ApiPage } from '../api.ts';
import { formatInstant, t } from '../i18n/index.ts';
import { Link, navigate } from '../router.ts';
import { ErrorView, Loaded, SelectField, Table, TextField } from '../ui/index.ts';
// not through the index: shared by lazy sections only, kept out of the initial chunk
import { MessageThread, StateBadge } from '../ui/Thread.tsx';
import { useAction } from '../ui/useAction.ts';
import { TextArea, accountPath, word, type AccountRef } from './common.tsx';

interface Ticket {
  id: string;
  subject: string;
  kind: string;
  severity: number;
  status: string;
  created_at: string;
  updated_at: string;
  response_due_at: string;
  first_response_at: string | null;
}
interface TicketFull extends Ticket {
  messages: { id: string; author_kind: string; body: string; created_at: string }[];
}
export function TicketsOf(props: { account: AccountRef }) {
  const A = accountPath(props.account.id);
  const r = useApi<ApiPage<Ticket>>(`${A}/tickets?limit=100`);
  const inst = useApi<ApiPage<{ slug: string }>>('/instances?limit=100');
  const { err, run } = useAction();
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await run(async () => {
      const instance = String(f.get('instance') ?? '');
      const tk = await post<Ticket>(`${A}/tickets`, {
        kind: String(f.get('kind')),
        severity: Number(f.get('severity')),
        subject: String(f.get('subject')),
        body: String(f.get('body')),
        ...(instance ? { instance } : {}),
      });
      navigate(`/customer/tickets/${encodeURIComponent(tk.id)}`);
    });
  };
  return (
    <>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('nav.cu.tickets')}
            rows={d.items}
            rowKey={(x) => x.id}
            empty={t('cu.noTickets')}
            columns={[
              {
                header: t('cu.subject'),
                cell: (x) => (
                  <Link to={`/customer/tickets/${encodeURIComponent(x.id)}`}>{x.subject}</Link>
                ),
              },
              { header: t('cu.severity'), cell: (x) => word('cu.severity', String(x.severity)) },
              { header: t('cu.kind'), cell: (x) => word('cu.ticketKind', x.kind) },
              {
                header: t('cu.status'),
                cell: (x) => (
                  <StateBadge value={x.status} text={word('cu.ticketStatus', x.status)} />
                ),
              },
              { header: t('cu.updated'), cell: (x) => formatInstant(x.updated_at) },
            ]}
          />
        )}
      </Loaded>
      <h2>{t('cu.newTicket')}</h2>
      <form onSubmit={submit} aria-label={t('cu.newTicket')}>
        <SelectField
          label={t('cu.kind')}
          field="kind"
          error={err}
          options={['consultation', 'fault'].map((v) => ({
            value: v,
            label: word('cu.ticketKind', v),
          }))}
        />
        <SelectField
          label={t('cu.severity')}
          field="severity"
          error={err}
          defaultValue="3"
          options={['1', '2', '3', '4'].map((v) => ({ value: v, label: word('cu.severity', v) }))}
        />
        <SelectField
          label={t('cu.instance')}
          field="instance"
          error={err}
          options={[
            { value: '', label: t('cu.noInstance') },
            ...(inst.data?.items ?? []).map((i) => ({ value: i.slug, label: i.slug })),
          ]}
        />
        <TextField label={t('cu.subject')} field="subject" error={err} required maxLength={200} />
        <TextArea label={t('cu.message')} field="body" error={err} required />
        <button className="primary">{t('cu.openTicket')}</button>
      </form>
      {err ? <ErrorView error={err} /> : null}
    </>
  );
}

export function TicketOf(props: { account: AccountRef; id: string }) {
  const path = `${accountPath(props.account.id)}/tickets/${encodeURIComponent(props.id)}`;
  const r = useApi<TicketFull>(path);
  const { err, run } = useAction();
  const reply = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    await run(async () => {
      await post(`${path}/messages`, { body: String(f.get('body')) });
      form.reset();
      r.reload();
    });
  };
  return (
    <Loaded resource={r}>
      {(tk) => (
        <>
          <p>
            <StateBadge value={tk.status} text={word('cu.ticketStatus', tk.status)} />{' '}
            {word('cu.ticketKind', tk.kind)} · {word('cu.severity', String(tk.severity))} ·{' '}
            {t('cu.responseDue', { at: formatInstant(tk.response_due_at) })}
          </p>
          <h2>{tk.subject}</h2>
          <MessageThread
            label={t('cu.messages')}
            messages={tk.messages}
            author={(k) => word('cu.author', k)}
          />
          {tk.status !== 'closed' ? (
            <form onSubmit={reply} aria-label={t('cu.reply')}>
              <TextArea label={t('cu.message')} field="body" error={err} required />
              <button className="primary">{t('cu.reply')}</button>
            </form>
          ) : (
            <p className="muted">{t('cu.ticketClosed')}</p>
          )}
          {err ? <ErrorView error={err} /> : null}
          <p>
            <Link to="/customer/tickets">{t('cu.backToTickets')}</Link>
          </p>
        </>
      )}
    </Loaded>
  );
}
