// 0002: running instances as a business (issue: accounts, orders, billing, lifecycle
// enforcement, notices, tickets, SLA). Money is integer fen (CNY minor units) in bigint
// columns; decimal arithmetic happens in @idaas/agreement, rounded once, then stored.
const common = (t: { text: string; int: string; big: string }) => [
  // ---- test clocks (Stripe-style): accounts bound to one see its time, not the wall clock
  `create table test_clocks (
    id ${t.text} primary key, name ${t.text} not null, now ${t.text} not null,
    created_at ${t.text} not null, updated_at ${t.text} not null)`,

  // ---- accounts: contacts, members (owner and authorized sub-accounts, G5.6), test clock
  `alter table accounts add column clock_id ${t.text} references test_clocks(id)`,
  `alter table accounts add column status ${t.text} not null default 'active'`,
  // when the cash balance (late fees aside) went below zero: late fees run from here (G3.4)
  `alter table accounts add column overdue_since ${t.text}`,
  `create table account_contacts (
    account_id ${t.text} primary key references accounts(id) on delete cascade,
    email ${t.text}, phone ${t.text}, postal_address ${t.text}, locale ${t.text} not null default 'zh-CN',
    updated_at ${t.text} not null)`,
  // a member is a user of the platform instance acting for the account; `permissions`
  // is JSON [{instance: slug | "*", actions: [...]}] for sub-accounts, null for the owner
  `create table account_members (
    account_id ${t.text} not null references accounts(id) on delete cascade,
    user_id ${t.text} not null, role ${t.text} not null, permissions ${t.text},
    created_at ${t.text} not null,
    primary key (account_id, user_id))`,
  `create index account_members_user on account_members(user_id)`,

  // ---- catalog
  `create table plans (
    id ${t.text} primary key, code ${t.text} not null unique, name ${t.text} not null,
    billing ${t.text} not null, period ${t.text}, price_fen ${t.big} not null,
    currency ${t.text} not null default 'CNY', policy ${t.text} not null,
    unit_prices ${t.text}, package_quantity ${t.text}, package_days ${t.int},
    sla ${t.int} not null default 1, active ${t.int} not null default 1,
    created_at ${t.text} not null)`,

  // ---- orders, payments, ledger, invoices
  `create table orders (
    id ${t.text} primary key, account_id ${t.text} not null references accounts(id),
    kind ${t.text} not null, plan_id ${t.text} not null references plans(id),
    instance_id ${t.text}, instance_slug ${t.text} not null,
    status ${t.text} not null, amount_fen ${t.big} not null,
    created_at ${t.text} not null, hold_until ${t.text} not null,
    paid_at ${t.text}, voided_at ${t.text}, term_start ${t.text}, term_end ${t.text},
    actor_user_id ${t.text})`,
  `create index orders_account on orders(account_id, created_at)`,
  `create index orders_pending on orders(status, hold_until)`,
  `create table payments (
    id ${t.text} primary key, account_id ${t.text} not null references accounts(id),
    provider ${t.text} not null, reference ${t.text}, amount_fen ${t.big} not null,
    status ${t.text} not null, created_at ${t.text} not null, settled_at ${t.text},
    actor_user_id ${t.text})`,
  `create unique index payments_reference on payments(provider, reference)`,
  // one row per movement; kind 'cash' or 'voucher' (kept apart, G3.5); positive = credit
  `create table ledger_entries (
    id ${t.text} primary key, account_id ${t.text} not null references accounts(id),
    kind ${t.text} not null, amount_fen ${t.big} not null, reason ${t.text} not null,
    instance_id ${t.text}, ref_type ${t.text}, ref_id ${t.text},
    idempotency_key ${t.text} not null unique, created_at ${t.text} not null,
    voucher_expires_at ${t.text}, actor_user_id ${t.text})`,
  `create index ledger_account on ledger_entries(account_id, created_at)`,
  `create table invoices (
    id ${t.text} primary key, account_id ${t.text} not null references accounts(id),
    number ${t.text} not null unique, period_start ${t.text} not null, period_end ${t.text} not null,
    amount_fen ${t.big} not null, lines ${t.text} not null, status ${t.text} not null,
    issued_at ${t.text} not null, due_at ${t.text} not null, paid_at ${t.text})`,
  `create index invoices_account on invoices(account_id, issued_at)`,

  // ---- metering and settlement (G3.3, ID2, G9.1.4)
  `create table usage_hourly (
    instance_id ${t.text} not null, hour_start ${t.text} not null,
    authentications ${t.big} not null default 0, new_active_users ${t.big} not null default 0,
    primary key (instance_id, hour_start))`,
  `create table monthly_active_users (
    instance_id ${t.text} not null, month ${t.text} not null, user_ref ${t.text} not null,
    first_seen_at ${t.text} not null,
    primary key (instance_id, month, user_ref))`,
  `create table settlements (
    instance_id ${t.text} not null, hour_start ${t.text} not null,
    account_id ${t.text} not null, amount_fen ${t.big} not null, detail ${t.text} not null,
    created_at ${t.text} not null,
    primary key (instance_id, hour_start))`,
  `create table resource_packages (
    id ${t.text} primary key, account_id ${t.text} not null references accounts(id),
    instance_id ${t.text}, plan_id ${t.text} not null, unit ${t.text} not null,
    quantity ${t.big} not null, remaining ${t.big} not null,
    starts_at ${t.text} not null, expires_at ${t.text} not null, created_at ${t.text} not null)`,
  `create index resource_packages_account on resource_packages(account_id, expires_at)`,

  // ---- lifecycle: the agreement engine's state per instance, and its next due timer
  `create table lifecycles (
    instance_id ${t.text} primary key, account_id ${t.text} not null,
    policy ${t.text} not null, state ${t.text}, clause ${t.text},
    engine ${t.text} not null, next_due_at ${t.text}, clock_id ${t.text},
    version ${t.int} not null default 0, updated_at ${t.text} not null)`,
  `create index lifecycles_due on lifecycles(next_due_at)`,
  `create index lifecycles_clock_due on lifecycles(clock_id, next_due_at)`,
  `create table lifecycle_events (
    id ${t.text} primary key, instance_id ${t.text} not null, account_id ${t.text} not null,
    at ${t.text} not null, state ${t.text} not null, cause ${t.text} not null,
    clause ${t.text} not null, effects ${t.text} not null, created_at ${t.text} not null)`,
  `create index lifecycle_events_instance on lifecycle_events(instance_id, at)`,
  // kept for the account after the instance and all its data are gone (ID3, G6.3)
  `create table deletion_receipts (
    id ${t.text} primary key, account_id ${t.text} not null, instance_id ${t.text} not null,
    instance_slug ${t.text} not null, at ${t.text} not null, clause ${t.text} not null,
    what ${t.text} not null, created_at ${t.text} not null)`,

  // ---- durable jobs (notices to send, retries); claimed with FOR UPDATE SKIP LOCKED on PostgreSQL
  `create table jobs (
    id ${t.text} primary key, kind ${t.text} not null, payload ${t.text} not null,
    run_at ${t.text} not null, attempts ${t.int} not null default 0, max_attempts ${t.int} not null default 8,
    status ${t.text} not null, last_error ${t.text}, dedupe_key ${t.text} unique,
    clock_id ${t.text}, created_at ${t.text} not null, updated_at ${t.text} not null)`,
  `create index jobs_due on jobs(status, run_at)`,

  // ---- notices (G11): every notice, its channel, sending and deemed delivery
  `create table notices (
    id ${t.text} primary key, account_id ${t.text} not null, instance_id ${t.text},
    channel ${t.text} not null, address ${t.text}, template ${t.text} not null,
    locale ${t.text} not null, subject ${t.text} not null, body ${t.text} not null,
    clause ${t.text}, status ${t.text} not null, created_at ${t.text} not null,
    sent_at ${t.text}, delivered_at ${t.text}, read_at ${t.text}, error ${t.text},
    dedupe_key ${t.text} unique, transport ${t.text}, attempts ${t.int} not null default 0)`,
  `create index notices_account on notices(account_id, created_at)`,
  `create table agreement_versions (
    id ${t.text} primary key, version ${t.text} not null unique, summary ${t.text} not null,
    published_at ${t.text} not null, effective_at ${t.text} not null)`,
  `create table agreement_acceptances (
    account_id ${t.text} not null, version_id ${t.text} not null, accepted_at ${t.text} not null,
    how ${t.text} not null,
    primary key (account_id, version_id))`,

  // ---- support tickets (G5.2)
  `create table tickets (
    id ${t.text} primary key, account_id ${t.text} not null, instance_id ${t.text},
    kind ${t.text} not null, severity ${t.text} not null, status ${t.text} not null,
    subject ${t.text} not null, created_at ${t.text} not null, updated_at ${t.text} not null,
    first_response_at ${t.text}, response_due_at ${t.text} not null, opened_by ${t.text})`,
  `create index tickets_status on tickets(status, created_at)`,
  `create index tickets_account on tickets(account_id, created_at)`,
  `create table ticket_messages (
    id ${t.text} primary key, ticket_id ${t.text} not null references tickets(id) on delete cascade,
    author_kind ${t.text} not null, author_id ${t.text}, body ${t.text} not null,
    created_at ${t.text} not null)`,

  // ---- SLA (SLA1-SLA3): request outcomes in 5-minute windows, maintenance, claims
  `create table sla_windows (
    instance_id ${t.text} not null, window_start ${t.text} not null,
    valid ${t.big} not null default 0, failed ${t.big} not null default 0,
    primary key (instance_id, window_start))`,
  `create table maintenance_windows (
    id ${t.text} primary key, instance_id ${t.text}, starts_at ${t.text} not null,
    ends_at ${t.text} not null, description ${t.text} not null, announced_at ${t.text} not null)`,
  `create index maintenance_windows_time on maintenance_windows(starts_at)`,
  `create table sla_claims (
    id ${t.text} primary key, account_id ${t.text} not null, instance_id ${t.text} not null,
    month ${t.text} not null, availability ${t.text} not null, credit_fen ${t.big} not null,
    status ${t.text} not null, created_at ${t.text} not null,
    unique (instance_id, month))`,
];

export const sqlite = common({ text: 'text', int: 'integer', big: 'integer' });
export const postgres = common({ text: 'text', int: 'integer', big: 'bigint' });
