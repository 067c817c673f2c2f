// The operator's screens (lazy chunk): customers and balances, orders, invoices, payments to
// reconcile, plans, maintenance windows, tickets, SLA.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, post, useApi, type Page as ApiPage } from '../api.ts';
import { formatCny, formatInstant, t } from '../i18n/index.ts';
import { Link, match } from '../router.ts';
import type { SectionProps } from '../shell/section.ts';
import {
  BarChart,
  ConfirmDialog,
  ErrorView,
  Loaded,
  Notice,
  Page,
  SelectField,
  Table,
  TextField,
} from '../ui/index.ts';
import { TicketView, Tickets, type Ticket } from './tickets.tsx';
import './messages.ts';

interface Account {
  id: string;
  name: string;
  email: string | null;
  status: string;
  overdue_since: string | null;
  clock_id: string | null;
}
interface Plan {
  code: string;
  name: string;
  billing: string;
  period: string | null;
  price: string;
  policy: string;
  active: boolean;
}
interface Order {
  id: string;
  plan: string;
  instance_slug: string;
  status: string;
  amount: string;
  created_at: string;
  kind: string;
}
interface Invoice {
  id: string;
  number: string;
  amount: string;
  status: string;
  issued_at: string;
  due_at: string;
}
interface Maint {
  id: string;
  instance_id: string | null;
  starts_at: string;
  ends_at: string;
  description: string;
}

function Badge(props: { value: string }) {
  return <span className={`badge state-${props.value}`}>{props.value}</span>;
}

function Dashboard() {
  const accounts = useApi<ApiPage<Account>>('/accounts?limit=100');
  const tickets = useApi<ApiPage<Ticket>>('/tickets?limit=100');
  return (
    <Page title={t('op.dashboard')}>
      <div className="cards">
        <div className="card">
          <h2>{t('nav.op.customers')}</h2>
          <Loaded resource={accounts}>
            {(d) => (
              <p className="stat">
                {d.items.length}
                {d.next_cursor ? '+' : ''}
              </p>
            )}
          </Loaded>
          <p className="muted">
            {t('op.overdue')}: {accounts.data?.items.filter((a) => a.overdue_since).length ?? '—'}
          </p>
          <Link to="/operator/customers">{t('nav.op.customers')}</Link>
        </div>
        <div className="card">
          <h2>{t('nav.op.tickets')}</h2>
          <Loaded resource={tickets}>
            {(d) => <p className="stat">{d.items.filter((x) => x.status === 'open').length}</p>}
          </Loaded>
          <p className="muted">{t('op.openTickets')}</p>
          <Link to="/operator/tickets">{t('nav.op.tickets')}</Link>
        </div>
      </div>
    </Page>
  );
}

function Customers() {
  const r = useApi<ApiPage<Account>>('/accounts?limit=100');
  const [err, setErr] = useState<Error | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setErr(null);
    try {
      await post('/accounts', {
        name: String(f.get('name')),
        ...(f.get('email') ? { email: String(f.get('email')) } : {}),
      });
      r.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('nav.op.customers')}>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('nav.op.customers')}
            rows={d.items}
            rowKey={(a) => a.id}
            columns={[
              {
                header: t('op.name'),
                cell: (a) => <Link to={`/operator/customers/${a.id}`}>{a.name}</Link>,
              },
              { header: t('op.email'), cell: (a) => a.email ?? '—' },
              { header: t('op.status'), cell: (a) => <Badge value={a.status} /> },
              { header: t('op.overdue'), cell: (a) => formatInstant(a.overdue_since) },
            ]}
          />
        )}
      </Loaded>
      <h2>{t('op.newCustomer')}</h2>
      <form className="inline" onSubmit={submit}>
        <TextField label={t('op.name')} field="name" error={err} required />
        <TextField label={t('op.email')} field="email" type="email" error={err} />
        <button className="primary">{t('op.create')}</button>
      </form>
      {err && !(err instanceof ApiError && err.problem.errors) ? <ErrorView error={err} /> : null}
    </Page>
  );
}

function Customer(props: { id: string }) {
  const A = `/accounts/${encodeURIComponent(props.id)}`;
  const acc = useApi<Account>(A);
  const bal = useApi<{ cash: string; vouchers: string }>(`${A}/balance`);
  const orders = useApi<ApiPage<Order>>(`${A}/orders?limit=100`);
  const invoices = useApi<ApiPage<Invoice>>(`${A}/invoices?limit=100`);
  return (
    <Page title={acc.data?.name ?? t('nav.op.customers')}>
      <Loaded resource={bal}>
        {(b) => (
          <div className="cards">
            <div className="card">
              <h2>{t('op.cash')}</h2>
              <p className="stat">{formatCny(b.cash)}</p>
            </div>
            <div className="card">
              <h2>{t('op.vouchers')}</h2>
              <p className="stat">{formatCny(b.vouchers)}</p>
            </div>
          </div>
        )}
      </Loaded>
      <RecordPayment
        accountId={props.id}
        onDone={() => {
          bal.reload();
          orders.reload();
        }}
      />
      <Loaded resource={orders}>{(d) => <OrdersTable rows={d.items} />}</Loaded>
      <Loaded resource={invoices}>{(d) => <InvoicesTable rows={d.items} />}</Loaded>
    </Page>
  );
}

function OrdersTable(props: { rows: Order[] }) {
  return (
    <Table
      caption={t('nav.op.orders')}
      rows={props.rows}
      rowKey={(o) => o.id}
      columns={[
        { header: t('op.created'), cell: (o) => formatInstant(o.created_at) },
        { header: t('op.instance'), cell: (o) => o.instance_slug },
        { header: t('op.plan'), cell: (o) => o.plan },
        { header: t('op.status'), cell: (o) => <Badge value={o.status} /> },
        { header: t('op.amount'), cell: (o) => formatCny(o.amount), numeric: true },
      ]}
    />
  );
}

function InvoicesTable(props: { rows: Invoice[] }) {
  return (
    <Table
      caption={t('nav.op.invoices')}
      rows={props.rows}
      rowKey={(i) => i.id}
      columns={[
        { header: t('op.number'), cell: (i) => i.number },
        { header: t('op.issued'), cell: (i) => formatInstant(i.issued_at, false) },
        { header: t('op.due'), cell: (i) => formatInstant(i.due_at, false) },
        { header: t('op.status'), cell: (i) => <Badge value={i.status} /> },
        { header: t('op.amount'), cell: (i) => formatCny(i.amount), numeric: true },
      ]}
    />
  );
}

function RecordPayment(props: { accountId: string; onDone: () => void }) {
  const [err, setErr] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setErr(null);
    setDone(null);
    try {
      const r = await post<{ paid_orders: string[] }>(
        `/accounts/${encodeURIComponent(props.accountId)}/payments`,
        {
          amount: String(f.get('amount')),
          provider: 'bank-transfer',
          reference: String(f.get('reference')),
        },
      );
      setDone(t('op.paymentRecorded', { n: r.paid_orders.length }));
      form.reset();
      props.onDone();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <section aria-labelledby="record-payment">
      <h2 id="record-payment">{t('op.recordTransfer')}</h2>
      <form className="inline" onSubmit={submit}>
        <TextField
          label={t('op.amountCny')}
          field="amount"
          error={err}
          required
          inputMode="decimal"
        />
        <TextField label={t('op.reference')} field="reference" error={err} required />
        <button className="primary">{t('op.record')}</button>
      </form>
      {done ? <Notice kind="success">{done}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
    </section>
  );
}

/** Orders, invoices and payments are per account: pick the account first. */
function PerAccount(props: { title: string; hint: string }) {
  const r = useApi<ApiPage<Account>>('/accounts?limit=100');
  return (
    <Page title={props.title}>
      <p>{props.hint}</p>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('nav.op.customers')}
            rows={d.items}
            rowKey={(a) => a.id}
            columns={[
              {
                header: t('op.name'),
                cell: (a) => <Link to={`/operator/customers/${a.id}`}>{a.name}</Link>,
              },
              { header: t('op.status'), cell: (a) => <Badge value={a.status} /> },
              { header: t('op.overdue'), cell: (a) => formatInstant(a.overdue_since) },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}

function Plans() {
  const r = useApi<{ items: Plan[] }>('/plans');
  const [err, setErr] = useState<Error | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setErr(null);
    setCreated(null);
    const billing = String(f.get('billing'));
    try {
      const p = await post<Plan>('/plans', {
        code: String(f.get('code')),
        name: String(f.get('name')),
        billing,
        period: billing === 'subscription' ? String(f.get('period')) : null,
        price: String(f.get('price')),
      });
      setCreated(t('op.planCreated', { code: p.code }));
      form.reset();
      r.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('nav.op.plans')}>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('nav.op.plans')}
            rows={d.items}
            rowKey={(p) => p.code}
            columns={[
              { header: t('op.code'), cell: (p) => <code>{p.code}</code> },
              { header: t('op.name'), cell: (p) => p.name },
              { header: t('op.billing'), cell: (p) => p.billing },
              { header: t('op.period'), cell: (p) => p.period ?? '—' },
              { header: t('op.policy'), cell: (p) => p.policy },
              { header: t('op.active'), cell: (p) => (p.active ? t('op.yes') : t('op.no')) },
              { header: t('op.price'), cell: (p) => formatCny(p.price), numeric: true },
            ]}
          />
        )}
      </Loaded>
      <h2>{t('op.newPlan')}</h2>
      <form onSubmit={submit} aria-label={t('op.newPlan')}>
        <TextField label={t('op.code')} field="code" error={err} required />
        <TextField label={t('op.name')} field="name" error={err} required />
        <SelectField
          label={t('op.billing')}
          field="billing"
          error={err}
          options={['subscription', 'postpaid', 'package', 'trial'].map((v) => ({
            value: v,
            label: t(`op.billing.${v}`),
          }))}
        />
        <SelectField
          label={t('op.period')}
          field="period"
          error={err}
          options={['month', 'year'].map((v) => ({ value: v, label: t(`op.period.${v}`) }))}
        />
        <TextField
          label={t('op.priceCny')}
          field="price"
          error={err}
          required
          inputMode="decimal"
        />
        <button className="primary">{t('op.createPlan')}</button>
      </form>
      {created ? <Notice kind="success">{created}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
    </Page>
  );
}

function Maintenance() {
  const r = useApi<ApiPage<Maint>>('/maintenance-windows?limit=100');
  const [err, setErr] = useState<Error | null>(null);
  const [victim, setVictim] = useState<Maint | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setErr(null);
    const iso = (v: FormDataEntryValue | null) => {
      const d = new Date(String(v));
      return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
    };
    try {
      await post('/maintenance-windows', {
        starts_at: iso(f.get('starts_at')),
        ends_at: iso(f.get('ends_at')),
        description: String(f.get('description')),
      });
      r.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('nav.op.maintenance')}>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('nav.op.maintenance')}
            rows={d.items}
            rowKey={(m) => m.id}
            columns={[
              { header: t('op.starts'), cell: (m) => formatInstant(m.starts_at) },
              { header: t('op.ends'), cell: (m) => formatInstant(m.ends_at) },
              { header: t('op.description'), cell: (m) => m.description },
              {
                header: t('op.actions'),
                cell: (m) => (
                  <button type="button" onClick={() => setVictim(m)}>
                    {t('op.cancelWindow')}
                  </button>
                ),
              },
            ]}
          />
        )}
      </Loaded>
      <h2>{t('op.newWindow')}</h2>
      <form className="inline" onSubmit={submit}>
        <TextField
          label={t('op.starts')}
          field="starts_at"
          type="datetime-local"
          error={err}
          required
        />
        <TextField
          label={t('op.ends')}
          field="ends_at"
          type="datetime-local"
          error={err}
          required
        />
        <TextField label={t('op.description')} field="description" error={err} required />
        <button className="primary">{t('op.announce')}</button>
      </form>
      {err ? <ErrorView error={err} /> : null}
      <ConfirmDialog
        open={victim !== null}
        title={t('op.cancelWindow')}
        lost={
          victim
            ? [
                t('op.windowLost', {
                  from: formatInstant(victim.starts_at),
                  to: formatInstant(victim.ends_at),
                }),
              ]
            : []
        }
        confirmLabel={t('op.cancelWindow')}
        onCancel={() => setVictim(null)}
        onConfirm={() => {
          const v = victim!;
          setVictim(null);
          del(`/maintenance-windows/${encodeURIComponent(v.id)}`).then(r.reload, setErr);
        }}
      />
    </Page>
  );
}

/** Payments to reconcile: record a received bank transfer against a customer account. */
function Payments() {
  const r = useApi<ApiPage<Account>>('/accounts?limit=100');
  const [err, setErr] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setErr(null);
    setDone(null);
    const account = String(f.get('account'));
    try {
      const res = await post<{ paid_orders: string[]; duplicate: boolean }>(
        `/accounts/${encodeURIComponent(account)}/payments`,
        {
          amount: String(f.get('amount')),
          provider: 'bank-transfer',
          reference: String(f.get('reference')),
        },
      );
      setDone(
        res.duplicate
          ? t('op.paymentDuplicate')
          : t('op.paymentRecordedFor', {
              name: r.data?.items.find((a) => a.id === account)?.name ?? account,
              n: res.paid_orders.length,
            }),
      );
      form.reset();
      r.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <Page title={t('nav.op.payments')}>
      <p>{t('op.paymentsHint')}</p>
      <Loaded resource={r}>
        {(d) => (
          <>
            <form onSubmit={submit} aria-label={t('op.recordTransfer')}>
              <SelectField
                label={t('op.customer')}
                field="account"
                error={err}
                options={d.items.map((a) => ({
                  value: a.id,
                  label: a.overdue_since ? `${a.name} (${t('op.overdue')})` : a.name,
                }))}
              />
              <TextField
                label={t('op.amountCny')}
                field="amount"
                error={err}
                required
                inputMode="decimal"
              />
              <TextField label={t('op.reference')} field="reference" error={err} required />
              <button className="primary">{t('op.record')}</button>
            </form>
            {done ? <Notice kind="success">{done}</Notice> : null}
            {err ? <ErrorView error={err} /> : null}
            <Table
              caption={t('op.overdueAccounts')}
              rows={d.items.filter((a) => a.overdue_since)}
              rowKey={(a) => a.id}
              empty={t('op.noneOverdue')}
              columns={[
                {
                  header: t('op.name'),
                  cell: (a) => <Link to={`/operator/customers/${a.id}`}>{a.name}</Link>,
                },
                { header: t('op.status'), cell: (a) => <Badge value={a.status} /> },
                { header: t('op.overdue'), cell: (a) => formatInstant(a.overdue_since) },
              ]}
            />
          </>
        )}
      </Loaded>
    </Page>
  );
}

interface Instance {
  slug: string;
  display_name?: string;
  state?: string;
}
interface Sla {
  month: string;
  availability: string;
  credit: string;
  met: boolean;
}

function lastMonths(n: number, fromIso: string): string[] {
  const d = new Date(fromIso);
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1));
    out.push(m.toISOString().slice(0, 7));
  }
  return out;
}

function SlaInstance(props: { slug: string; now: string }) {
  const months = lastMonths(6, props.now);
  const [rows, setRows] = useState<Sla[] | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const key = months.join(',');
  useEffect(() => {
    let live = true;
    Promise.all(
      key
        .split(',')
        .map((m) =>
          get<Sla>(`/instances/${encodeURIComponent(props.slug)}/sla/${m}`).catch(() => null),
        ),
    ).then(
      (xs) => live && setRows(xs.filter((x): x is Sla => x !== null)),
      (e: Error) => live && setErr(e),
    );
    return () => {
      live = false;
    };
  }, [props.slug, key]);
  if (err) return <ErrorView error={err} />;
  if (!rows) return null;
  return (
    <div className="card">
      <BarChart
        title={t('op.slaChart', { slug: props.slug })}
        points={rows.map((x) => ({ label: x.month, value: Number(x.availability) }))}
        unit="%"
        min={99}
        target={99.9}
      />
      <p>
        {t('op.creditsOwed')}:{' '}
        {formatCny(rows.reduce((s, x) => s + Number(x.credit || 0), 0).toFixed(2))}
      </p>
    </div>
  );
}

function SlaOverview() {
  const r = useApi<ApiPage<Instance> & { now?: string }>('/instances?limit=20');
  // "now" for the month list comes from the server (Date header of the API's response)
  const [now, setNow] = useState<string | null>(null);
  useEffect(() => {
    void fetch('/api/v1/openapi.json', { method: 'HEAD' }).then((res) =>
      setNow(new Date(res.headers.get('date') ?? '1970-01-01').toISOString()),
    );
  }, []);
  return (
    <Page title={t('nav.op.sla')}>
      <p>{t('op.slaHint')}</p>
      <Loaded resource={r}>
        {(d) =>
          now ? (
            <div className="cards">
              {d.items.map((i) => (
                <SlaInstance key={i.slug} slug={i.slug} now={now} />
              ))}
            </div>
          ) : null
        }
      </Loaded>
    </Page>
  );
}

export default function OperatorSection(props: SectionProps) {
  const p = props.path;
  let m: Record<string, string> | null;
  if (p === '/operator') return <Dashboard />;
  if (p === '/operator/customers') return <Customers />;
  if ((m = match('/operator/customers/:id', p))) return <Customer key={m.id} id={m.id!} />;
  if (p === '/operator/orders')
    return <PerAccount title={t('nav.op.orders')} hint={t('op.pickAccountOrders')} />;
  if (p === '/operator/invoices')
    return <PerAccount title={t('nav.op.invoices')} hint={t('op.pickAccountInvoices')} />;
  if (p === '/operator/payments') return <Payments />;
  if (p === '/operator/plans') return <Plans />;
  if (p === '/operator/maintenance') return <Maintenance />;
  if (p === '/operator/tickets') return <Tickets query={props.query} />;
  if ((m = match('/operator/tickets/:id', p))) return <TicketView key={m.id} id={m.id!} />;
  if (p === '/operator/sla') return <SlaOverview />;
  return (
    <Page title={t('app.notFound')}>
      <p>{t('app.notFoundText')}</p>
    </Page>
  );
}
