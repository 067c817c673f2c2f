// Storage ports of operations: notices, agreement versions, metering, SLA windows,
// maintenance, claims, support tickets, and the few reads operations makes of other
// modules' tables (contacts, lifecycle state, plan of an instance).

export type NoticeChannel = 'in-site' | 'email' | 'sms' | 'paper';
/** queued → sent (electronic: delivered when sent, G11.3) | posted (paper: delivered on natural day 5) | failed */
export type NoticeStatus = 'queued' | 'sent' | 'posted' | 'failed';

export interface NoticeRecord {
  id: string;
  accountId: string;
  instanceId: string | null;
  channel: NoticeChannel;
  /** the email address, phone number or postal address used (null for the in-site inbox) */
  address: string | null;
  template: string;
  locale: 'en' | 'zh-CN';
  subject: string;
  body: string;
  clause: string | null;
  status: NoticeStatus;
  createdAt: Date;
  sentAt: Date | null;
  /** deemed delivery (G11.3): at successful send; paper on natural day 5 after posting */
  deliveredAt: Date | null;
  readAt: Date | null;
  /** the last failure, or a note (e.g. a rejected recipient still counts as delivered, G11.4) */
  error: string | null;
  dedupeKey: string | null;
  /** how it was sent: `smtp`, `log` (development: logged, not sent), `sms-log`, `inbox`, `post` */
  transport: string | null;
  attempts: number;
}

export interface NoticeRepo {
  /** Inserts the rows whose dedupe key is new; returns the ones inserted. */
  insertMany(rows: NoticeRecord[]): Promise<NoticeRecord[]>;
  get(id: string): Promise<NoticeRecord | null>;
  /** Marks a queued notice sent/posted; false when it was not queued (already done). */
  markSent(
    id: string,
    r: {
      status: 'sent' | 'posted';
      sentAt: Date;
      deliveredAt: Date;
      transport: string;
      note: string | null;
    },
  ): Promise<boolean>;
  /** Records a failed attempt; returns the attempts so far. */
  recordFailure(id: string, error: string): Promise<number>;
  markFailed(id: string, error: string): Promise<void>;
  listByAccount(
    accountId: string,
    q: { limit: number; cursor: string | null; channel?: NoticeChannel; unread?: boolean },
  ): Promise<{ items: NoticeRecord[]; next: string | null }>;
  markRead(accountId: string, id: string, at: Date): Promise<boolean>;
}

export interface AgreementVersion {
  id: string;
  version: string;
  summary: string;
  publishedAt: Date;
  effectiveAt: Date;
}
export interface AgreementAcceptance {
  accountId: string;
  versionId: string;
  acceptedAt: Date;
  how: 'explicit' | 'continued-use';
}
export interface AgreementVersionRepo {
  insert(v: AgreementVersion): Promise<void>;
  get(id: string): Promise<AgreementVersion | null>;
  list(): Promise<AgreementVersion[]>;
  /** Inserts unless the account already accepted that version; true when inserted. */
  accept(a: AgreementAcceptance): Promise<boolean>;
  acceptances(versionId: string): Promise<AgreementAcceptance[]>;
  acceptanceOf(accountId: string, versionId: string): Promise<AgreementAcceptance | null>;
}

export interface UsageHour {
  instanceId: string;
  hourStart: Date;
  authentications: number;
  newActiveUsers: number;
}
export interface MeteringRepo {
  /** Adds authentications to the hour (created when missing). */
  addAuthentications(instanceId: string, hourStart: Date, n: number): Promise<void>;
  /**
   * Records active users of a month by keyed reference; users already seen that month
   * are ignored; each newly seen one adds 1 to `newActiveUsers` of its first-seen hour.
   * Returns how many were new.
   */
  addActiveUsers(
    instanceId: string,
    month: string,
    users: { userRef: string; firstSeenAt: Date }[],
  ): Promise<number>;
  hour(instanceId: string, hourStart: Date): Promise<UsageHour | null>;
  hours(instanceId: string, from: Date, to: Date): Promise<UsageHour[]>;
  monthlyActiveUsers(instanceId: string, month: string): Promise<number>;
}

export interface SlaWindow {
  instanceId: string;
  windowStart: Date;
  valid: number;
  failed: number;
}
export interface MaintenanceWindow {
  id: string;
  /** null: every instance */
  instanceId: string | null;
  startsAt: Date;
  endsAt: Date;
  description: string;
  announcedAt: Date;
}
export interface SlaClaim {
  id: string;
  accountId: string;
  instanceId: string;
  month: string;
  availability: string;
  creditFen: number;
  /** `credited` (voucher issued) or `no-credit` (availability met the commitment) */
  status: 'credited' | 'no-credit';
  createdAt: Date;
}
export interface SlaRepo {
  addWindow(instanceId: string, windowStart: Date, valid: number, failed: number): Promise<void>;
  windows(instanceId: string, from: Date, to: Date): Promise<SlaWindow[]>;
  insertMaintenance(m: MaintenanceWindow): Promise<void>;
  getMaintenance(id: string): Promise<MaintenanceWindow | null>;
  updateMaintenance(m: MaintenanceWindow): Promise<void>;
  deleteMaintenance(id: string): Promise<boolean>;
  /** Windows for the instance (and platform-wide ones) that overlap [from, to). */
  maintenance(instanceId: string | null, from: Date, to: Date): Promise<MaintenanceWindow[]>;
  insertClaim(c: SlaClaim): Promise<void>;
  claim(instanceId: string, month: string): Promise<SlaClaim | null>;
  claims(instanceId: string): Promise<SlaClaim[]>;
}

export type TicketKind = 'consultation' | 'fault';
export type TicketStatus = 'open' | 'answered' | 'resolved' | 'closed';
export interface Ticket {
  id: string;
  accountId: string;
  instanceId: string | null;
  kind: TicketKind;
  severity: 1 | 2 | 3 | 4;
  status: TicketStatus;
  subject: string;
  createdAt: Date;
  updatedAt: Date;
  firstResponseAt: Date | null;
  responseDueAt: Date;
  openedBy: string | null;
}
export interface TicketMessage {
  id: string;
  ticketId: string;
  authorKind: 'customer' | 'operator';
  authorId: string | null;
  body: string;
  createdAt: Date;
}
export interface TicketRepo {
  insert(t: Ticket): Promise<void>;
  get(id: string): Promise<Ticket | null>;
  /** Optimistic: updates only when the stored status is still `expected`; false otherwise. */
  update(t: Ticket, expected: TicketStatus): Promise<boolean>;
  list(q: {
    accountId?: string;
    status?: TicketStatus;
    limit: number;
    cursor: string | null;
  }): Promise<{ items: Ticket[]; next: string | null }>;
  addMessage(m: TicketMessage): Promise<void>;
  messages(ticketId: string): Promise<TicketMessage[]>;
  /** Tickets without a first response whose response is due before `at`, or answered late. */
  breaches(at: Date): Promise<Ticket[]>;
}

/** Reads operations makes of other modules' tables (never writes). */
export interface OperationsLookups {
  /** The account's notice addresses (account_contacts) and its locale; null when it has none. */
  contactsOf(accountId: string): Promise<{
    email: string | null;
    phone: string | null;
    postalAddress: string | null;
    locale: string;
  } | null>;
  accountKind(
    accountId: string,
  ): Promise<{ kind: string; status: string; clockId: string | null } | null>;
  /** Customer accounts whose status is `active` (agreement notices and acceptance). */
  activeCustomerAccounts(): Promise<string[]>;
  operatorAccount(): Promise<string | null>;
  /** The agreement engine's state of an instance (lifecycles), or null. */
  lifecycleOf(instanceId: string): Promise<{
    accountId: string;
    state: string | null;
    engine: string;
    nextDueAt: Date | null;
    clockId: string | null;
  } | null>;
  /** The plan of the instance's latest paid order (SLA: free trials have none, G5.8), or null. */
  planOf(instanceId: string): Promise<{ code: string; billing: string; sla: boolean } | null>;
  instanceRef(idOrSlug: string): Promise<{ id: string; slug: string; accountId: string } | null>;
}

export interface OperationsRepos {
  notices: NoticeRepo;
  agreementVersions: AgreementVersionRepo;
  metering: MeteringRepo;
  sla: SlaRepo;
  tickets: TicketRepo;
  opsLookups: OperationsLookups;
}
