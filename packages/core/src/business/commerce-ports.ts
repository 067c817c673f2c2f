// Storage ports of commerce: accounts' contacts and members, plans, orders, payments,
// the ledger, invoices, resource packages, settlements. Money is integer fen.

/** An action a sub-account may be granted (G5.6). */
export type CommerceAction =
  | 'orders:create'
  | 'orders:read'
  | 'payments:record'
  | 'instances:read'
  | 'instances:write'
  | 'billing:read'
  | 'tickets:write'
  | 'account:write';

/** A grant: the actions allowed on one instance (slug) or on every instance (`*`). */
export interface Permission {
  instance: string;
  actions: string[];
}

export interface AccountMember {
  accountId: string;
  userId: string;
  role: 'owner' | 'sub';
  /** null for the owner (all rights). */
  permissions: Permission[] | null;
  createdAt: Date;
}

export interface AccountContacts {
  accountId: string;
  email: string | null;
  phone: string | null;
  postalAddress: string | null;
  locale: string;
  updatedAt: Date;
}

/** The business side of an account row (0002 columns). */
export interface AccountBilling {
  id: string;
  kind: string;
  name: string;
  ownerEmail: string | null;
  clockId: string | null;
  status: string;
  /** When the cash balance (late fees aside) last went below zero; null when nothing is overdue. */
  overdueSince: Date | null;
  createdAt: Date;
}

export type PlanBilling = 'subscription' | 'postpaid' | 'package' | 'trial';

export interface Plan {
  id: string;
  code: string;
  name: string;
  billing: PlanBilling;
  /** Subscriptions and trials: 'month' | 'year'. */
  period: 'month' | 'year' | null;
  priceFen: number;
  currency: 'CNY';
  /** The lifecycle policy instances on this plan follow (ID1, ID2). */
  policy: string;
  /** Postpaid: CNY per unit as decimal strings, e.g. {mau: "0.05", authentication: "0.001"}. */
  unitPrices: Record<string, string> | null;
  /** Packages: {unit: quantity}, e.g. {mau: "10000"}. */
  packageQuantity: Record<string, string> | null;
  packageDays: number | null;
  sla: boolean;
  active: boolean;
  createdAt: Date;
}

export type OrderKind = 'new' | 'renew' | 'upgrade' | 'package';
export type OrderStatus = 'pending' | 'paid' | 'void' | 'refunded';

export interface Order {
  id: string;
  accountId: string;
  kind: OrderKind;
  planId: string;
  instanceId: string | null;
  instanceSlug: string;
  status: OrderStatus;
  amountFen: number;
  createdAt: Date;
  holdUntil: Date;
  paidAt: Date | null;
  voidedAt: Date | null;
  termStart: Date | null;
  termEnd: Date | null;
  actorUserId: string | null;
}

export interface Payment {
  id: string;
  accountId: string;
  provider: string;
  reference: string | null;
  amountFen: number;
  status: 'settled';
  createdAt: Date;
  settledAt: Date | null;
  actorUserId: string | null;
}

export interface LedgerEntry {
  id: string;
  accountId: string;
  kind: 'cash' | 'voucher';
  /** Positive = credit, negative = debit. */
  amountFen: number;
  reason: string;
  instanceId: string | null;
  refType: string | null;
  refId: string | null;
  idempotencyKey: string;
  createdAt: Date;
  voucherExpiresAt: Date | null;
  actorUserId: string | null;
}

export interface InvoiceLine {
  description: string;
  reason: string;
  instanceId: string | null;
  amountFen: number;
}

export interface Invoice {
  id: string;
  accountId: string;
  number: string;
  periodStart: Date;
  periodEnd: Date;
  amountFen: number;
  lines: InvoiceLine[];
  status: 'issued' | 'paid';
  issuedAt: Date;
  dueAt: Date;
  paidAt: Date | null;
}

export interface ResourcePackageRow {
  id: string;
  accountId: string;
  /** null: usable by every instance of the account. */
  instanceId: string | null;
  planId: string;
  unit: string;
  quantity: number;
  remaining: number;
  startsAt: Date;
  expiresAt: Date;
  createdAt: Date;
}

export interface SettlementRow {
  instanceId: string;
  hourStart: Date;
  accountId: string;
  amountFen: number;
  detail: Record<string, unknown>;
  createdAt: Date;
}

export interface CommerceAccountRepo {
  get(id: string): Promise<AccountBilling | null>;
  list(q: {
    limit: number;
    cursor: string | null;
  }): Promise<{ items: AccountBilling[]; next: string | null }>;
  setOverdueSince(id: string, at: Date | null): Promise<void>;
  /** Accounts whose clock is `clockId` (null: the wall clock). */
  idsOnClock(clockId: string | null): Promise<string[]>;
}

export interface AccountContactRepo {
  get(accountId: string): Promise<AccountContacts | null>;
  upsert(c: AccountContacts): Promise<void>;
}

export interface AccountMemberRepo {
  get(accountId: string, userId: string): Promise<AccountMember | null>;
  list(accountId: string): Promise<AccountMember[]>;
  upsert(m: AccountMember): Promise<void>;
  delete(accountId: string, userId: string): Promise<boolean>;
  accountsOf(userId: string): Promise<AccountMember[]>;
}

export interface PlanRepo {
  insert(p: Plan): Promise<void>;
  get(id: string): Promise<Plan | null>;
  getByCode(code: string): Promise<Plan | null>;
  list(): Promise<Plan[]>;
  update(
    id: string,
    patch: Partial<Pick<Plan, 'name' | 'priceFen' | 'active' | 'unitPrices' | 'sla'>>,
  ): Promise<void>;
}

export interface OrderRepo {
  insert(o: Order): Promise<void>;
  get(id: string): Promise<Order | null>;
  listByAccount(
    accountId: string,
    q: { limit: number; cursor: string | null },
  ): Promise<{ items: Order[]; next: string | null }>;
  /** Pending orders of an account, oldest first. */
  pendingOf(accountId: string): Promise<Order[]>;
  pendingForInstance(instanceId: string): Promise<Order[]>;
  /** The latest paid subscription/trial/postpaid order of an instance (its current plan and term). */
  currentOf(instanceId: string): Promise<Order | null>;
  /** Only moves a pending order: returns false when it was not pending any more. */
  markPaid(id: string, at: Date, term: { start: Date | null; end: Date | null }): Promise<boolean>;
  markVoid(id: string, at: Date): Promise<boolean>;
  markRefunded(id: string, termEnd: Date): Promise<boolean>;
  /** Instances the account has ordered (new orders). */
  instanceIdsOf(accountId: string): Promise<string[]>;
  /** Instances on a postpaid plan whose account is on `clockId` (null: the wall clock). */
  postpaidInstancesOnClock(
    clockId: string | null,
  ): Promise<{ instanceId: string; accountId: string; planId: string }[]>;
}

export interface PaymentRepo {
  insert(p: Payment): Promise<void>;
  getByReference(provider: string, reference: string): Promise<Payment | null>;
  listByAccount(accountId: string): Promise<Payment[]>;
}

export interface LedgerRepo {
  insert(e: LedgerEntry): Promise<void>;
  getByKey(idempotencyKey: string): Promise<LedgerEntry | null>;
  /** Σ cash entries (optionally leaving out some reasons). */
  cashBalance(accountId: string, excludeReasons?: string[]): Promise<number>;
  /** Voucher lots (credits) with what is left of each (credit + debits referencing it). */
  voucherLots(accountId: string): Promise<{ entry: LedgerEntry; remainingFen: number }[]>;
  list(accountId: string, q: { from?: Date; to?: Date }): Promise<LedgerEntry[]>;
  /** Debits (as a positive amount) of an instance with one of `reasons`, created in [from, to). */
  debitsFor(instanceId: string, reasons: string[], from: Date, to: Date): Promise<number>;
  entriesByRef(refType: string, refId: string): Promise<LedgerEntry[]>;
}

export interface InvoiceRepo {
  insert(i: Invoice): Promise<void>;
  getByNumber(number: string): Promise<Invoice | null>;
  listByAccount(accountId: string): Promise<Invoice[]>;
}

export interface ResourcePackageRepo {
  insert(p: ResourcePackageRow): Promise<void>;
  /** Packages usable by an instance (its own and the account-wide ones) of a unit, with something left. */
  usable(accountId: string, instanceId: string, unit: string): Promise<ResourcePackageRow[]>;
  listByAccount(accountId: string): Promise<ResourcePackageRow[]>;
  setRemaining(id: string, remaining: number): Promise<void>;
}

export interface SettlementRepo {
  /** Inserts unless the (instance, hour) is settled already; false then. */
  tryInsert(s: SettlementRow): Promise<boolean>;
  get(instanceId: string, hourStart: Date): Promise<SettlementRow | null>;
  update(
    instanceId: string,
    hourStart: Date,
    amountFen: number,
    detail: Record<string, unknown>,
  ): Promise<void>;
  listByInstance(instanceId: string): Promise<SettlementRow[]>;
}

export interface CommerceRepos {
  commerceAccounts: CommerceAccountRepo;
  accountContacts: AccountContactRepo;
  accountMembers: AccountMemberRepo;
  plans: PlanRepo;
  orders: OrderRepo;
  payments: PaymentRepo;
  ledger: LedgerRepo;
  invoices: InvoiceRepo;
  packages: ResourcePackageRepo;
  settlements: SettlementRepo;
}
