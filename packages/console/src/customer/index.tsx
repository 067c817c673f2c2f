// The customer's screens (lazy chunk): instances with their lifecycle, usage, wallet, orders
// and renewal, invoices, notices inbox, tickets, sub-accounts, agreement versions, export and
// deletion receipts. Everything goes through the account-member routes of the admin API.
import { useEffect, useState, type FormEvent } from 'react';
import { get, post, useApi, type Page as ApiPage } from '../api.ts';
import { formatCny, formatInstant, formatNumber, t } from '../i18n/index.ts';
import { match } from '../router.ts';
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
import {
  NeedsAccount,
  accountPath,
  lastMonths,
  useServerNow,
  word,
  type AccountRef,
} from './common.tsx';
import { Receipts } from './receipts.tsx';
import { Provisioning } from './resync.tsx';
import { TicketOf, TicketsOf } from './tickets.tsx';
import './messages.ts';

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
  kind: string;
}
interface Plan {
  code: string;
  name: string;
  price: string;
  billing: string;
  period: string | null;
  active: boolean;
}
interface NoticeRow {
  id: string;
  channel: string;
  subject: string;
  body: string;
  clause: string | null;
  created_at: string;
  read_at: string | null;
}
interface Version {
  id: string;
  version: string;
  summary: string;
  published_at: string;
  effective_at: string;
  acceptance: { accepted_at: string; how: string } | null;
}

const stateWord = (s: string) => word('cu.state', s);

const KIND: Record<string, string> = {
  active: 'active',
  grace: 'grace',
  arrears: 'arrears',
  pending: 'pending',
  'pending-payment': 'pending',
  suspended: 'suspended',
  released: 'released',
};

function Badge(props: { value: string; text?: string }) {
  return <span className={`badge state-${props.value}`}>{props.text ?? props.value}</span>;
}

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
              <Provisioning slug={props.slug} />
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

// ---- orders and renewal

function OrdersOf(props: { account: AccountRef }) {
  const A = accountPath(props.account.id);
  const orders = useApi<ApiPage<Order>>(`${A}/orders?limit=100`);
  const plans = useApi<{ items: Plan[] }>('/plans');
  const [err, setErr] = useState<Error | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const run = async (f: () => Promise<string>) => {
    setErr(null);
    setMsg(null);
    try {
      setMsg(await f());
      orders.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void run(async () => {
      const o = await post<Order>(`${A}/orders`, {
        plan: String(f.get('plan')),
        instance_slug: String(f.get('instance_slug')),
      });
      return t('cu.ordered', {
        slug: o.instance_slug,
        amount: formatCny(o.amount),
        status: word('cu.orderStatus', o.status),
      });
    });
  };
  const pay = (o: Order) =>
    run(async () => {
      const r = await post<Order>(`${A}/orders/${encodeURIComponent(o.id)}/pay`);
      return t('cu.paid', { slug: r.instance_slug, status: word('cu.orderStatus', r.status) });
    });
  const renew = (slug: string, plan: string) =>
    run(async () => {
      const r = await post<Order>(`${A}/orders`, { plan, instance_slug: slug, kind: 'renew' });
      return t('cu.renewed', {
        slug,
        amount: formatCny(r.amount),
        status: word('cu.orderStatus', r.status),
      });
    });
  // renewable: each instance's latest paid subscription order (renewal keeps the plan)
  const renewable = (items: Order[], p: Plan[]) => {
    const seen = new Set<string>();
    const out: { slug: string; plan: Plan }[] = [];
    for (const o of items) {
      if (seen.has(o.instance_slug) || o.status !== 'paid') continue;
      seen.add(o.instance_slug);
      const plan = p.find((x) => x.code === o.plan);
      if (plan && plan.billing === 'subscription') out.push({ slug: o.instance_slug, plan });
    }
    return out;
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
              { header: t('cu.orderKind'), cell: (o) => word('cu.orderKind', o.kind) },
              {
                header: t('cu.status'),
                cell: (o) => <Badge value={o.status} text={word('cu.orderStatus', o.status)} />,
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
      {msg ? <Notice kind="success">{msg}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
      <section aria-labelledby="renewal">
        <h2 id="renewal">{t('cu.renewal')}</h2>
        {orders.data && plans.data ? (
          renewable(orders.data.items, plans.data.items).length === 0 ? (
            <p className="muted">{t('cu.nothingToRenew')}</p>
          ) : (
            <ul className="actions-list">
              {renewable(orders.data.items, plans.data.items).map((x) => (
                <li key={x.slug}>
                  <button type="button" onClick={() => void renew(x.slug, x.plan.code)}>
                    {t('cu.renew', {
                      slug: x.slug,
                      plan: x.plan.name,
                      price: formatCny(x.plan.price),
                      period: word('cu.period', x.plan.period ?? ''),
                    })}
                  </button>
                </li>
              ))}
            </ul>
          )
        ) : null}
        <p className="muted">{t('cu.renewHint')}</p>
      </section>
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
    </>
  );
}

// ---- wallet

function WalletOf(props: { account: AccountRef }) {
  const A = accountPath(props.account.id);
  const bal = useApi<{ cash: string; vouchers: string }>(`${A}/balance`);
  const ledger = useApi<
    ApiPage<{ id: string; kind: string; amount: string; reason: string; created_at: string }>
  >(`${A}/ledger?limit=100`);
  const [err, setErr] = useState<Error | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const topUp = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setErr(null);
    setMsg(null);
    try {
      const r = await post<{ paid_orders: string[] }>(`${A}/payments`, {
        amount: String(f.get('amount')),
        provider: 'test',
      });
      setMsg(t('cu.toppedUp', { n: r.paid_orders.length }));
      form.reset();
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
              <p className="stat" data-testid="vouchers">
                {formatCny(b.vouchers)}
              </p>
              <p className="muted">{t('cu.vouchersHint')}</p>
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

// ---- usage: monthly active users per month, authentications per hour

function Usage() {
  const r = useApi<ApiPage<Instance>>('/instances?limit=100');
  const now = useServerNow();
  return (
    <Page title={t('nav.cu.usage')}>
      <Loaded resource={r}>
        {(d) =>
          d.items.length === 0 ? (
            <p>{t('cu.noInstances')}</p>
          ) : now === null ? null : (
            <>
              {d.items.map((i) => (
                <section key={i.slug} className="card" aria-labelledby={`usage-${i.slug}`}>
                  <h2 id={`usage-${i.slug}`}>
                    <code>{i.slug}</code>
                  </h2>
                  <UsageMonths slug={i.slug} now={now} />
                  <UsageHours slug={i.slug} now={now} />
                </section>
              ))}
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

function UsageMonths(props: { slug: string; now: number }) {
  const months = lastMonths(6, props.now);
  const key = months.join(',');
  const [rows, setRows] = useState<{ month: string; monthly_active_users: number }[] | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all(
      key
        .split(',')
        .map((m) =>
          get<{ month: string; monthly_active_users: number }>(
            `/instances/${encodeURIComponent(props.slug)}/usage/months/${m}`,
          ),
        ),
    ).then(
      (xs) => live && setRows(xs),
      (e: Error) => live && setErr(e),
    );
    return () => {
      live = false;
    };
  }, [props.slug, key]);
  if (err) return <ErrorView error={err} />;
  if (!rows) return null;
  return (
    <BarChart
      title={t('cu.mau', { slug: props.slug })}
      points={rows.map((m) => ({ label: m.month, value: m.monthly_active_users }))}
    />
  );
}

function UsageHours(props: { slug: string; now: number }) {
  const to = new Date(Math.floor(props.now / 3_600_000 + 1) * 3_600_000).toISOString();
  const from = new Date(Date.parse(to) - 48 * 3_600_000).toISOString();
  const r = useApi<{ items: { hour_start: string; authentications: number }[] }>(
    `/instances/${encodeURIComponent(props.slug)}/usage/hours?limit=48&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  return (
    <Loaded resource={r}>
      {(d) => {
        // every hour of the window, zero where nothing was counted
        const counted = new Map(d.items.map((h) => [Date.parse(h.hour_start), h.authentications]));
        const points = [];
        for (let h = Date.parse(from); h < Date.parse(to); h += 3_600_000)
          points.push({
            label: new Date(h).toISOString().slice(11, 16),
            value: counted.get(h) ?? 0,
          });
        const total = points.reduce((s, p) => s + p.value, 0);
        return (
          <>
            <BarChart title={t('cu.authsPerHour', { slug: props.slug })} points={points} />
            <p className="muted">{t('cu.authsTotal', { n: formatNumber(total) })}</p>
          </>
        );
      }}
    </Loaded>
  );
}

// ---- notices inbox

function NoticesOf(props: { account: AccountRef }) {
  const A = accountPath(props.account.id);
  const r = useApi<ApiPage<NoticeRow>>(`${A}/notices?channel=in-site&limit=100`);
  const [open, setOpen] = useState<NoticeRow | null>(null);
  const [err, setErr] = useState<Error | null>(null);
  const read = async (n: NoticeRow) => {
    setErr(null);
    try {
      setOpen(await post<NoticeRow>(`${A}/notices/${encodeURIComponent(n.id)}/read`));
      r.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('nav.cu.notices')}
            rows={d.items}
            rowKey={(x) => x.id}
            empty={t('cu.noNotices')}
            columns={[
              { header: t('cu.created'), cell: (x) => formatInstant(x.created_at) },
              { header: t('cu.subject'), cell: (x) => x.subject },
              { header: t('cu.clauseCol'), cell: (x) => x.clause ?? '—' },
              {
                header: t('cu.status'),
                cell: (x) =>
                  x.read_at ? (
                    <Badge value="read" text={t('cu.read')} />
                  ) : (
                    <Badge value="unread" text={t('cu.unread')} />
                  ),
              },
              {
                header: t('cu.actions'),
                cell: (x) => (
                  <button type="button" onClick={() => void read(x)}>
                    {t('cu.readNotice')}
                    <span className="sr-only"> {x.subject}</span>
                  </button>
                ),
              },
            ]}
          />
        )}
      </Loaded>
      {err ? <ErrorView error={err} /> : null}
      {open ? (
        <article className="card" aria-labelledby="notice-open" data-testid="notice">
          <h2 id="notice-open">{open.subject}</h2>
          <p className="muted">
            {formatInstant(open.created_at)}
            {open.clause ? ` — ${t('cu.clause', { clause: open.clause })}` : ''}
          </p>
          <p className="pre">{open.body}</p>
        </article>
      ) : null}
    </>
  );
}

// ---- agreement versions

function AgreementOf(props: { account: AccountRef }) {
  const A = accountPath(props.account.id);
  const r = useApi<{ items: Version[] }>(`${A}/agreement-versions`);
  const [err, setErr] = useState<Error | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const accept = async (v: Version) => {
    setErr(null);
    setMsg(null);
    try {
      await post(`${A}/agreement-versions/${encodeURIComponent(v.id)}/accept`);
      setMsg(t('cu.accepted', { version: v.version }));
      r.reload();
    } catch (x) {
      setErr(x as Error);
    }
  };
  return (
    <>
      <p>{t('cu.agreementHint')}</p>
      <Loaded resource={r}>
        {(d) => (
          <Table
            caption={t('nav.cu.agreement')}
            rows={d.items}
            rowKey={(x) => x.id}
            empty={t('cu.noVersions')}
            columns={[
              { header: t('cu.version'), cell: (x) => x.version },
              { header: t('cu.summary'), cell: (x) => x.summary },
              { header: t('cu.published'), cell: (x) => formatInstant(x.published_at, false) },
              { header: t('cu.effective'), cell: (x) => formatInstant(x.effective_at, false) },
              {
                header: t('cu.acceptance'),
                cell: (x) =>
                  x.acceptance ? (
                    t(`cu.acceptedHow.${x.acceptance.how}`, {
                      at: formatInstant(x.acceptance.accepted_at),
                    })
                  ) : props.account.role === 'owner' ? (
                    <button type="button" onClick={() => void accept(x)}>
                      {t('cu.accept', { version: x.version })}
                    </button>
                  ) : (
                    t('cu.notAccepted')
                  ),
              },
            ]}
          />
        )}
      </Loaded>
      {msg ? <Notice kind="success">{msg}</Notice> : null}
      {err ? <ErrorView error={err} /> : null}
    </>
  );
}

// ---- sub-accounts

interface Member {
  user_id: string;
  role: string;
  permissions: { instance: string; actions: string[] }[] | null;
}

function MembersOf(props: { account: AccountRef }) {
  const r = useApi<{ items: Member[] }>(`${accountPath(props.account.id)}/members`);
  return (
    <Loaded resource={r}>
      {(d) => (
        <Table
          caption={t('nav.cu.members')}
          rows={d.items}
          rowKey={(x) => x.user_id}
          columns={[
            { header: t('cu.user'), cell: (x) => <code>{x.user_id}</code> },
            { header: t('cu.role'), cell: (x) => word('cu.role', x.role) },
            {
              header: t('cu.rights'),
              cell: (x) =>
                x.permissions
                  ? x.permissions
                      .map(
                        (p) =>
                          `${p.instance === '*' ? t('cu.everyInstance') : p.instance}: ${p.actions.join(', ')}`,
                      )
                      .join('; ')
                  : t('cu.allRights'),
            },
          ]}
        />
      )}
    </Loaded>
  );
}

// ---- invoices

interface Invoice {
  id: string;
  number: string;
  amount: string;
  status: string;
  issued_at: string;
  due_at: string;
}

function InvoicesOf(props: { account: AccountRef }) {
  const r = useApi<ApiPage<Invoice>>(`${accountPath(props.account.id)}/invoices?limit=100`);
  return (
    <Loaded resource={r}>
      {(d) => (
        <Table
          caption={t('nav.cu.invoices')}
          rows={d.items}
          rowKey={(x) => x.id}
          empty={t('cu.noInvoices')}
          columns={[
            { header: t('cu.number'), cell: (x) => x.number },
            { header: t('cu.issued'), cell: (x) => formatInstant(x.issued_at, false) },
            { header: t('cu.due'), cell: (x) => formatInstant(x.due_at, false) },
            { header: t('cu.status'), cell: (x) => <Badge value={x.status} /> },
            { header: t('cu.amount'), cell: (x) => formatCny(x.amount), numeric: true },
          ]}
        />
      )}
    </Loaded>
  );
}

function WithAccount(props: { title: string; children: (a: AccountRef) => React.ReactNode }) {
  return (
    <Page title={props.title}>
      <NeedsAccount>{props.children}</NeedsAccount>
    </Page>
  );
}

export default function CustomerSection(props: SectionProps) {
  const p = props.path;
  let m: Record<string, string> | null;
  switch (p) {
    case '/customer':
      return <Instances />;
    case '/customer/usage':
      return <Usage />;
    case '/customer/orders':
      return (
        <WithAccount title={t('nav.cu.orders')}>{(a) => <OrdersOf account={a} />}</WithAccount>
      );
    case '/customer/wallet':
      return (
        <WithAccount title={t('nav.cu.wallet')}>{(a) => <WalletOf account={a} />}</WithAccount>
      );
    case '/customer/invoices':
      return (
        <WithAccount title={t('nav.cu.invoices')}>{(a) => <InvoicesOf account={a} />}</WithAccount>
      );
    case '/customer/members':
      return (
        <WithAccount title={t('nav.cu.members')}>{(a) => <MembersOf account={a} />}</WithAccount>
      );
    case '/customer/notices':
      return (
        <WithAccount title={t('nav.cu.notices')}>{(a) => <NoticesOf account={a} />}</WithAccount>
      );
    case '/customer/tickets':
      return (
        <WithAccount title={t('nav.cu.tickets')}>{(a) => <TicketsOf account={a} />}</WithAccount>
      );
    case '/customer/agreement':
      return (
        <WithAccount title={t('nav.cu.agreement')}>
          {(a) => <AgreementOf account={a} />}
        </WithAccount>
      );
    case '/customer/receipts':
      return (
        <WithAccount title={t('nav.cu.receipts')}>{(a) => <Receipts account={a} />}</WithAccount>
      );
  }
  if ((m = match('/customer/tickets/:id', p)))
    return (
      <WithAccount title={t('cu.ticket')}>
        {(a) => <TicketOf key={m!.id} account={a} id={m!.id!} />}
      </WithAccount>
    );
  return (
    <Page title={t('app.notFound')}>
      <p>{t('app.notFoundText')}</p>
    </Page>
  );
}
