// The customer's screens (lazy chunk): instances with their lifecycle, usage, wallet, orders,
// invoices, notices, tickets, sub-accounts, agreement, export and deletion receipts.
import { useEffect, useState, type FormEvent } from 'react';
import { get, post, useApi, type Page as ApiPage } from '../api.ts';
import { formatCny, formatInstant, t } from '../i18n/index.ts';
import type { SectionProps } from '../shell/section.ts';
import {
  BarChart,
  ErrorView,
  Loaded,
  Notice,
  Page,
  SelectField,
  Table,
  TextField,
  Timeline,
  type Span,
} from '../ui/index.ts';
import './messages.ts';

interface Me {
  user_id: string | null;
  accounts: { id: string; name: string; role: 'owner' | 'sub' }[];
}
interface Instance {
  slug: string;
  display_name: string;
}
interface Lifecycle {
  instance: string;
  state: string;
  clause: string | null;
  next_transition_at: string | null;
  next_event: { at: string; state: string; cause: string; clause: string } | null;
  timeline: { at: string; state: string; clause: string; cause: string }[];
}
interface Order {
  id: string;
  plan: string;
  instance_slug: string;
  status: string;
  amount: string;
  created_at: string;
}

function useAccount(): { id: string; name: string } | null | undefined {
  const me = useApi<Me>('/me');
  if (me.error) return null;
  if (!me.data) return undefined;
  return me.data.accounts[0] ?? null;
}

function NeedsAccount(props: { children: (a: { id: string; name: string }) => React.ReactNode }) {
  const a = useAccount();
  if (a === undefined) return <p role="status">{t('app.loading')}</p>;
  if (a === null) return <Notice kind="warning">{t('cu.noAccount')}</Notice>;
  return <>{props.children(a)}</>;
}

function stateWord(s: string): string {
  const k = `cu.state.${s}`;
  const w = t(k);
  return w === k ? s : w;
}

const KIND: Record<string, string> = {
  active: 'active',
  grace: 'grace',
  arrears: 'arrears',
  pending: 'pending',
  suspended: 'suspended',
  released: 'released',
};

function InstanceCard(props: { slug: string; name: string }) {
  const lc = useApi<Lifecycle>(`/instances/${encodeURIComponent(props.slug)}/lifecycle`);
  return (
    <article className="card" aria-labelledby={`inst-${props.slug}`}>
      <h2 id={`inst-${props.slug}`}>
        {props.name} <code>{props.slug}</code>
      </h2>
      <Loaded resource={lc}>
        {(l) => {
          const spans: Span[] = l.timeline.map((e, i) => {
            const from = Date.parse(e.at);
            const next = l.timeline[i + 1];
            const to = next
              ? Date.parse(next.at)
              : Date.parse(l.next_transition_at ?? e.at) || from;
            return {
              label: e.state,
              kind: KIND[e.state] ?? 'other',
              from,
              to: Math.max(to, from + 1),
              text: t('cu.span', {
                state: stateWord(e.state),
                at: formatInstant(e.at),
                clause: e.clause,
              }),
            };
          });
          return (
            <>
              <p>
                {t('cu.stateIs')}{' '}
                <span className={`badge state-${l.state}`} data-testid="instance-state">
                  {stateWord(l.state)}
                </span>
                {l.clause ? <> — {t('cu.clause', { clause: l.clause })}</> : null}
              </p>
              <p data-testid="next-event">
                {l.next_event
                  ? t('cu.next', {
                      state: stateWord(l.next_event.state),
                      at: formatInstant(l.next_event.at),
                      clause: l.next_event.clause,
                    })
                  : t('cu.noNext')}
              </p>
              <Timeline title={t('cu.timeline', { slug: props.slug })} spans={spans} />
            </>
          );
        }}
      </Loaded>
    </article>
  );
}

function Instances() {
  const r = useApi<ApiPage<Instance>>('/instances?limit=100');
  return (
    <Page title={t('nav.cu.dashboard')}>
      <Loaded resource={r}>
        {(d) =>
          d.items.length === 0 ? (
            <p>{t('cu.noInstances')}</p>
          ) : (
            <div className="cards">
              {d.items.map((i) => (
                <InstanceCard key={i.slug} slug={i.slug} name={i.display_name} />
              ))}
            </div>
          )
        }
      </Loaded>
    </Page>
  );
}

function Orders() {
  return (
    <Page title={t('nav.cu.orders')}>
      <NeedsAccount>{(a) => <OrdersOf accountId={a.id} />}</NeedsAccount>
    </Page>
  );
}

function OrdersOf(props: { accountId: string }) {
  const A = `/accounts/${encodeURIComponent(props.accountId)}`;
  const orders = useApi<ApiPage<Order>>(`${A}/orders?limit=100`);
  const plans = useApi<{ items: { code: string; name: string; price: string; active: boolean }[] }>(
    '/plans',
  );
  const [err, setErr] = useState<Error | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setErr(null);
    setMsg(null);
    try {
      const o = await post<Order>(`${A}/orders`, {
        plan: String(f.get('plan')),
        instance_slug: String(f.get('instance_slug')),
      });
      setMsg(
        t('cu.ordered', { slug: o.instance_slug, amount: formatCny(o.amount), status: o.status }),
      );
      orders.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const pay = async (o: Order) => {
    setErr(null);
    setMsg(null);
    try {
      const r = await post<Order>(`${A}/orders/${encodeURIComponent(o.id)}/pay`);
      setMsg(t('cu.paid', { slug: r.instance_slug, status: r.status }));
      orders.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <>
      <Loaded resource={orders}>
        {(d) => (
          <Table
            caption={t('nav.cu.orders')}
            rows={d.items}
            rowKey={(o) => o.id}
            columns={[
              { header: t('cu.created'), cell: (o) => formatInstant(o.created_at) },
              { header: t('cu.instance'), cell: (o) => o.instance_slug },
              { header: t('cu.plan'), cell: (o) => o.plan },
              {
                header: t('cu.status'),
                cell: (o) => <span className={`badge state-${o.status}`}>{o.status}</span>,
              },
              { header: t('cu.amount'), cell: (o) => formatCny(o.amount), numeric: true },
              {
                header: t('cu.actions'),
                cell: (o) =>
                  o.status === 'pending' ? (
                    <button type="button" onClick={() => void pay(o)}>
                      {t('cu.payFromBalance', { slug: o.instance_slug })}
                    </button>
                  ) : null,
              },
            ]}
          />
        )}
      </Loaded>
      <h2>{t('cu.newOrder')}</h2>
      <form className="inline" onSubmit={submit} aria-label={t('cu.newOrder')}>
        <Loaded resource={plans}>
          {(p) => (
            <SelectField
              label={t('cu.plan')}
              field="plan"
              error={err}
              options={p.items
                .filter((x) => x.active)
                .map((x) => ({ value: x.code, label: `${x.name} (${formatCny(x.price)})` }))}
            />
          )}
        </Loaded>
        <TextField label={t('cu.instanceSlug')} field="instance_slug" error={err} required />
        <button className="primary">{t('cu.order')}</button>
      </form>
      {msg ? <Notice kind="success">{msg}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
    </>
  );
}

function Wallet() {
  return (
    <Page title={t('nav.cu.wallet')}>
      <NeedsAccount>{(a) => <WalletOf accountId={a.id} />}</NeedsAccount>
    </Page>
  );
}

function WalletOf(props: { accountId: string }) {
  const A = `/accounts/${encodeURIComponent(props.accountId)}`;
  const bal = useApi<{ cash: string; vouchers: string }>(`${A}/balance`);
  const ledger = useApi<
    ApiPage<{ id: string; kind: string; amount: string; reason: string; created_at: string }>
  >(`${A}/ledger?limit=100`);
  const [err, setErr] = useState<Error | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const topUp = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setErr(null);
    setMsg(null);
    try {
      const r = await post<{ paid_orders: string[] }>(`${A}/payments`, {
        amount: String(f.get('amount')),
        provider: 'test',
      });
      setMsg(t('cu.toppedUp', { n: r.paid_orders.length }));
      bal.reload();
      ledger.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <>
      <Loaded resource={bal}>
        {(b) => (
          <div className="cards">
            <div className="card">
              <h2>{t('cu.cash')}</h2>
              <p className="stat" data-testid="cash">
                {formatCny(b.cash)}
              </p>
            </div>
            <div className="card">
              <h2>{t('cu.vouchers')}</h2>
              <p className="stat">{formatCny(b.vouchers)}</p>
            </div>
          </div>
        )}
      </Loaded>
      <h2>{t('cu.topUp')}</h2>
      <form className="inline" onSubmit={topUp} aria-label={t('cu.topUp')}>
        <TextField
          label={t('cu.amountCny')}
          field="amount"
          error={err}
          required
          inputMode="decimal"
        />
        <button className="primary">{t('cu.pay')}</button>
      </form>
      {msg ? <Notice kind="success">{msg}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
      <Loaded resource={ledger}>
        {(d) => (
          <Table
            caption={t('cu.ledger')}
            rows={d.items}
            rowKey={(x) => x.id}
            columns={[
              { header: t('cu.created'), cell: (x) => formatInstant(x.created_at) },
              { header: t('cu.kind'), cell: (x) => x.kind },
              { header: t('cu.reason'), cell: (x) => x.reason },
              { header: t('cu.amount'), cell: (x) => formatCny(x.amount), numeric: true },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}

function Usage() {
  const r = useApi<ApiPage<Instance>>('/instances?limit=100');
  return (
    <Page title={t('nav.cu.usage')}>
      <Loaded resource={r}>
        {(d) => (
          <>
            {d.items.map((i) => (
              <UsageOf key={i.slug} slug={i.slug} />
            ))}
          </>
        )}
      </Loaded>
    </Page>
  );
}

function UsageOf(props: { slug: string }) {
  const [hours, setHours] = useState<{ hour: string; authentications: number }[] | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  useEffect(() => {
    get<{ items: { hour: string; authentications: number }[] }>(
      `/instances/${encodeURIComponent(props.slug)}/usage/hours?limit=48`,
    ).then((d) => setHours(d.items), setErr);
  }, [props.slug]);
  if (err) return <ErrorView error={err} />;
  if (!hours) return null;
  return (
    <BarChart
      title={t('cu.authsPerHour', { slug: props.slug })}
      points={hours.map((h) => ({ label: h.hour.slice(11, 16), value: h.authentications }))}
    />
  );
}

/** A list from the API under the account (invoices, members, …). */
function AccountList<T>(props: {
  title: string;
  path: (accountId: string) => string;
  columns: { header: string; cell: (x: T) => React.ReactNode }[];
  rowKey: (x: T) => string;
}) {
  return (
    <Page title={props.title}>
      <NeedsAccount>
        {(a) => <ListOf {...props} path={props.path(encodeURIComponent(a.id))} />}
      </NeedsAccount>
    </Page>
  );
}

function ListOf<T>(props: {
  title: string;
  path: string;
  columns: { header: string; cell: (x: T) => React.ReactNode }[];
  rowKey: (x: T) => string;
}) {
  const r = useApi<{ items: T[] }>(props.path);
  return (
    <Loaded resource={r}>
      {(d) => (
        <Table caption={props.title} rows={d.items} rowKey={props.rowKey} columns={props.columns} />
      )}
    </Loaded>
  );
}

type Row = Record<string, unknown>;
const s = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

export default function CustomerSection(props: SectionProps) {
  switch (props.path) {
    case '/customer':
      return <Instances />;
    case '/customer/orders':
      return <Orders />;
    case '/customer/wallet':
      return <Wallet />;
    case '/customer/usage':
      return <Usage />;
    case '/customer/invoices':
      return (
        <AccountList<Row>
          title={t('nav.cu.invoices')}
          path={(a) => `/accounts/${a}/invoices?limit=100`}
          rowKey={(x) => s(x.id)}
          columns={[
            { header: t('cu.number'), cell: (x) => s(x.number) },
            { header: t('cu.due'), cell: (x) => formatInstant(x.due_at as string, false) },
            { header: t('cu.status'), cell: (x) => s(x.status) },
            { header: t('cu.amount'), cell: (x) => formatCny(x.amount as string) },
          ]}
        />
      );
    case '/customer/members':
      return (
        <AccountList<Row>
          title={t('nav.cu.members')}
          path={(a) => `/accounts/${a}/members`}
          rowKey={(x) => s(x.user_id)}
          columns={[
            { header: t('cu.user'), cell: (x) => s(x.user_id) },
            { header: t('cu.role'), cell: (x) => s(x.role) },
            {
              header: t('cu.rights'),
              cell: (x) =>
                x.permissions
                  ? (x.permissions as { instance: string; actions: string[] }[])
                      .map((p) => `${p.instance}: ${p.actions.join(', ')}`)
                      .join('; ')
                  : t('cu.allRights'),
            },
          ]}
        />
      );
    case '/customer/notices':
      return (
        <AccountList<Row>
          title={t('nav.cu.notices')}
          path={(a) => `/accounts/${a}/notices?limit=100`}
          rowKey={(x) => s(x.id)}
          columns={[
            { header: t('cu.created'), cell: (x) => formatInstant(x.created_at as string) },
            { header: t('cu.subject'), cell: (x) => s(x.subject ?? x.kind) },
            { header: t('cu.clauseCol'), cell: (x) => s(x.clause) },
          ]}
        />
      );
    case '/customer/receipts':
      return (
        <AccountList<Row>
          title={t('nav.cu.receipts')}
          path={(a) => `/accounts/${a}/deletion-receipts`}
          rowKey={(x) => s(x.id)}
          columns={[
            { header: t('cu.instance'), cell: (x) => s(x.instance_slug) },
            { header: t('cu.clauseCol'), cell: (x) => s(x.clause) },
          ]}
        />
      );
    case '/customer/tickets':
      return (
        <Page title={t('nav.cu.tickets')}>
          <ListOf<Row>
            title={t('nav.cu.tickets')}
            path="/tickets?limit=100"
            rowKey={(x) => s(x.id)}
            columns={[
              { header: t('cu.subject'), cell: (x) => s(x.subject) },
              { header: t('cu.status'), cell: (x) => s(x.status) },
            ]}
          />
        </Page>
      );
    case '/customer/agreement':
      return (
        <Page title={t('nav.cu.agreement')}>
          <ListOf<Row>
            title={t('nav.cu.agreement')}
            path="/agreement-versions"
            rowKey={(x) => s(x.id)}
            columns={[
              { header: t('cu.version'), cell: (x) => s(x.version ?? x.id) },
              { header: t('cu.effective'), cell: (x) => formatInstant(x.effective_at as string) },
            ]}
          />
        </Page>
      );
    default:
      return (
        <Page title={t('app.notFound')}>
          <p>{t('app.notFoundText')}</p>
        </Page>
      );
  }
}
