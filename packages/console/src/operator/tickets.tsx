// The operator's support queue: tickets filtered by status, a ticket's thread with the reply
// form and its status changes (closing asks first).
import { useState, type FormEvent } from 'react';
import { post, useApi, type Page as ApiPage } from '../api.ts';
import { formatInstant, t } from '../i18n/index.ts';
import { Link } from '../router.ts';
import { ConfirmDialog, ErrorView, Loaded, Notice, Page, Table } from '../ui/index.ts';
// not through the index: shared by lazy sections only, kept out of the initial chunk
import { MessageThread, StateBadge } from '../ui/Thread.tsx';
import { useAction } from '../ui/useAction.ts';

export interface Ticket {
  id: string;
  subject: string;
  severity: number;
  status: string;
  kind: string;
  account_id: string;
  response_due_at: string;
  response_breached: boolean;
}
interface Account {
  id: string;
  name: string;
}

const TICKET_STATUSES = ['open', 'answered', 'resolved', 'closed'] as const;
const tWord = (prefix: string, v: string) => {
  const k = `${prefix}.${v}`;
  const w = t(k);
  return w === k ? v : w;
};

export function Tickets(props: { query: URLSearchParams }) {
  const status = props.query.get('status') ?? '';
  const r = useApi<ApiPage<Ticket>>(
    `/tickets?limit=100${status ? `&status=${encodeURIComponent(status)}` : ''}`,
  );
  const accounts = useApi<ApiPage<Account>>('/accounts?limit=100');
  const nameOf = (id: string) => accounts.data?.items.find((a) => a.id === id)?.name ?? id;
  return (
    <Page title={t('nav.op.tickets')}>
      <nav aria-label={t('op.ticketFilter')} className="filters">
        <ul className="actions-list">
          {['', ...TICKET_STATUSES].map((s) => (
            <li key={s}>
              <Link
                to={s ? `/operator/tickets?status=${s}` : '/operator/tickets'}
                aria-current={s === status ? 'page' : undefined}
              >
                {s ? tWord('op.ticketStatus', s) : t('op.all')}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('op.ticketQueue')}
            rows={d.items}
            rowKey={(x) => x.id}
            empty={t('op.noTickets')}
            columns={[
              { header: t('op.severity'), cell: (x) => `S${x.severity}`, numeric: true },
              {
                header: t('op.subject'),
                cell: (x) => (
                  <Link to={`/operator/tickets/${encodeURIComponent(x.id)}`}>{x.subject}</Link>
                ),
              },
              { header: t('op.customer'), cell: (x) => nameOf(x.account_id) },
              { header: t('op.kind'), cell: (x) => tWord('op.ticketKind', x.kind) },
              {
                header: t('op.status'),
                cell: (x) => (
                  <StateBadge value={x.status} text={tWord('op.ticketStatus', x.status)} />
                ),
              },
              {
                header: t('op.responseDue'),
                cell: (x) => (
                  <>
                    {formatInstant(x.response_due_at)}
                    {x.response_breached ? (
                      <>
                        {' '}
                        <span className="badge state-overdue">{t('op.breached')}</span>
                      </>
                    ) : null}
                  </>
                ),
              },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}

interface TicketFull extends Ticket {
  messages: { id: string; author_kind: string; body: string; created_at: string }[];
  instance_id: string | null;
}

/** Which status changes the operator may make from a status (the API refuses others). */
const NEXT_STATUS: Record<string, string[]> = {
  open: ['resolved', 'closed'],
  answered: ['resolved', 'closed'],
  resolved: ['closed'],
  closed: [],
};

export function TicketView(props: { id: string }) {
  const path = `/tickets/${encodeURIComponent(props.id)}`;
  const r = useApi<TicketFull>(path);
  const { err, run } = useAction();
  const [msg, setMsg] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);
  const reply = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setMsg(null);
    await run(async () => {
      await post(`${path}/messages`, { body: String(f.get('body')) });
      form.reset();
      setMsg(t('op.replied'));
      r.reload();
    });
  };
  const transition = async (status: string) => {
    setMsg(null);
    await run(async () => {
      await post(`${path}/status`, { status });
      setMsg(t('op.statusChanged', { status: tWord('op.ticketStatus', status) }));
      r.reload();
    });
  };
  return (
    <Page title={r.data?.subject ?? t('op.ticket')}>
      <Loaded resource={r}>
        {(tk) => (
          <>
            <p>
              <StateBadge
                value={tk.status}
                text={tWord('op.ticketStatus', tk.status)}
                testId="ticket-status"
              />{' '}
              S{tk.severity} · {tWord('op.ticketKind', tk.kind)} ·{' '}
              {t('op.responseDueAt', { at: formatInstant(tk.response_due_at) })}
              {tk.response_breached ? (
                <>
                  {' '}
                  <span className="badge state-overdue">{t('op.breached')}</span>
                </>
              ) : null}
            </p>
            <p>
              <Link to={`/operator/customers/${encodeURIComponent(tk.account_id)}`}>
                {t('op.customerAccount')}
              </Link>
            </p>
            <MessageThread
              label={t('op.messages')}
              messages={tk.messages}
              author={(k) => tWord('op.author', k)}
            />
            {tk.status !== 'closed' ? (
              <form onSubmit={reply} aria-label={t('op.reply')}>
                <div className="field">
                  <label htmlFor="op-reply">{t('op.message')}</label>
                  <textarea id="op-reply" name="body" rows={4} required />
                </div>
                <button className="primary">{t('op.reply')}</button>
              </form>
            ) : null}
            <div className="page-actions">
              {(NEXT_STATUS[tk.status] ?? []).map((s) => (
                <button
                  key={s}
                  type="button"
                  onClick={() => (s === 'closed' ? setClosing(true) : void transition(s))}
                >
                  {t(`op.markAs.${s}`)}
                </button>
              ))}
            </div>
            {msg ? <Notice kind="success">{msg}</Notice> : null}
            {err ? <ErrorView error={err} /> : null}
            <ConfirmDialog
              open={closing}
              title={t('op.markAs.closed')}
              lost={[t('op.closeLost', { subject: tk.subject })]}
              confirmLabel={t('op.markAs.closed')}
              onCancel={() => setClosing(false)}
              onConfirm={() => {
                setClosing(false);
                void transition('closed');
              }}
            />
          </>
        )}
      </Loaded>
      <p>
        <Link to="/operator/tickets">{t('op.backToQueue')}</Link>
      </p>
    </Page>
  );
}
