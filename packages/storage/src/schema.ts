// Table types for Kysely. Instants are ISO-8601 UTC text; booleans are 0/1 integers;
// lists and objects are JSON text. The same columns on SQLite and PostgreSQL.
export interface AccountsTable {
  id: string;
  kind: string;
  name: string;
  owner_email: string | null;
  created_at: string;
  clock_id: string | null;
  status: string;
  overdue_since: string | null;
}
export interface InstancesTable {
  id: string;
  account_id: string;
  slug: string;
  display_name: string;
  region: string;
  state: string;
  platform: number;
  config_version: number;
  created_at: string;
  updated_at: string;
}
export interface UsersTable {
  instance_id: string;
  id: string;
  /** Encrypted JSON {username, email, phone, displayName}. */
  profile: string;
  username_lookup: string;
  email_lookup: string | null;
  phone_lookup: string | null;
  email_verified: number;
  status: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
}
export interface GroupsTable {
  instance_id: string;
  id: string;
  name: string;
  name_lower: string;
  description: string | null;
  created_at: string;
}
export interface GroupMembersTable {
  instance_id: string;
  group_id: string;
  user_id: string;
}
export interface OrgUnitsTable {
  instance_id: string;
  id: string;
  parent_id: string | null;
  name: string;
  created_at: string;
}
export interface OrgUnitMembersTable {
  instance_id: string;
  org_unit_id: string;
  user_id: string;
}
export interface ApplicationsTable {
  instance_id: string;
  id: string;
  client_id: string;
  name: string;
  client_type: string;
  secret_encrypted: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  scopes: string;
  backchannel_logout_uri: string | null;
  access_token_format: string;
  created_at: string;
  updated_at: string;
  first_party: number;
  internal: number;
  token_endpoint_auth_method: string | null;
}
export interface SigningKeysTable {
  instance_id: string;
  kid: string;
  alg: string;
  status: string;
  public_jwk: string;
  private_jwk_encrypted: string;
  created_at: string;
  retire_after: string | null;
}
export interface OidcModelsTable {
  instance_id: string;
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}
export interface SettingsTable {
  key: string;
  value: string;
}

// ---- 0002_business (money: integer fen)
export interface TestClocksTable {
  id: string;
  name: string;
  now: string;
  created_at: string;
  updated_at: string;
}
export interface AccountContactsTable {
  account_id: string;
  email: string | null;
  phone: string | null;
  postal_address: string | null;
  locale: string;
  updated_at: string;
}
export interface AccountMembersTable {
  account_id: string;
  user_id: string;
  role: string;
  permissions: string | null;
  created_at: string;
}
export interface PlansTable {
  id: string;
  code: string;
  name: string;
  billing: string;
  period: string | null;
  price_fen: number;
  currency: string;
  policy: string;
  unit_prices: string | null;
  package_quantity: string | null;
  package_days: number | null;
  sla: number;
  active: number;
  created_at: string;
}
export interface OrdersTable {
  id: string;
  account_id: string;
  kind: string;
  plan_id: string;
  instance_id: string | null;
  instance_slug: string;
  status: string;
  amount_fen: number;
  created_at: string;
  hold_until: string;
  paid_at: string | null;
  voided_at: string | null;
  term_start: string | null;
  term_end: string | null;
  actor_user_id: string | null;
}
export interface PaymentsTable {
  id: string;
  account_id: string;
  provider: string;
  reference: string | null;
  amount_fen: number;
  status: string;
  created_at: string;
  settled_at: string | null;
  actor_user_id: string | null;
}
export interface LedgerEntriesTable {
  id: string;
  account_id: string;
  kind: string;
  amount_fen: number;
  reason: string;
  instance_id: string | null;
  ref_type: string | null;
  ref_id: string | null;
  idempotency_key: string;
  created_at: string;
  voucher_expires_at: string | null;
  actor_user_id: string | null;
}
export interface InvoicesTable {
  id: string;
  account_id: string;
  number: string;
  period_start: string;
  period_end: string;
  amount_fen: number;
  lines: string;
  status: string;
  issued_at: string;
  due_at: string;
  paid_at: string | null;
}
export interface UsageHourlyTable {
  instance_id: string;
  hour_start: string;
  authentications: number;
  new_active_users: number;
}
export interface MonthlyActiveUsersTable {
  instance_id: string;
  month: string;
  user_ref: string;
  first_seen_at: string;
}
export interface SettlementsTable {
  instance_id: string;
  hour_start: string;
  account_id: string;
  amount_fen: number;
  detail: string;
  created_at: string;
}
export interface ResourcePackagesTable {
  id: string;
  account_id: string;
  instance_id: string | null;
  plan_id: string;
  unit: string;
  quantity: number;
  remaining: number;
  starts_at: string;
  expires_at: string;
  created_at: string;
}
export interface LifecyclesTable {
  instance_id: string;
  account_id: string;
  policy: string;
  state: string | null;
  clause: string | null;
  engine: string;
  next_due_at: string | null;
  clock_id: string | null;
  version: number;
  updated_at: string;
}
export interface LifecycleEventsTable {
  id: string;
  instance_id: string;
  account_id: string;
  at: string;
  state: string;
  cause: string;
  clause: string;
  effects: string;
  created_at: string;
}
export interface DeletionReceiptsTable {
  id: string;
  account_id: string;
  instance_id: string;
  instance_slug: string;
  at: string;
  clause: string;
  what: string;
  created_at: string;
}
export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  run_at: string;
  attempts: number;
  max_attempts: number;
  status: string;
  last_error: string | null;
  dedupe_key: string | null;
  clock_id: string | null;
  created_at: string;
  updated_at: string;
}
export interface NoticesTable {
  id: string;
  account_id: string;
  instance_id: string | null;
  channel: string;
  address: string | null;
  template: string;
  locale: string;
  subject: string;
  body: string;
  clause: string | null;
  status: string;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  error: string | null;
  dedupe_key: string | null;
  transport: string | null;
  attempts: number;
}
export interface AgreementVersionsTable {
  id: string;
  version: string;
  summary: string;
  published_at: string;
  effective_at: string;
}
export interface AgreementAcceptancesTable {
  account_id: string;
  version_id: string;
  accepted_at: string;
  how: string;
}
export interface TicketsTable {
  id: string;
  account_id: string;
  instance_id: string | null;
  kind: string;
  severity: string;
  status: string;
  subject: string;
  created_at: string;
  updated_at: string;
  first_response_at: string | null;
  response_due_at: string;
  opened_by: string | null;
}
export interface TicketMessagesTable {
  id: string;
  ticket_id: string;
  author_kind: string;
  author_id: string | null;
  body: string;
  created_at: string;
}
export interface SlaWindowsTable {
  instance_id: string;
  window_start: string;
  valid: number;
  failed: number;
}
export interface MaintenanceWindowsTable {
  id: string;
  instance_id: string | null;
  starts_at: string;
  ends_at: string;
  description: string;
  announced_at: string;
}
export interface SlaClaimsTable {
  id: string;
  account_id: string;
  instance_id: string;
  month: string;
  availability: string;
  credit_fen: number;
  status: string;
  created_at: string;
}

export interface Database {
  accounts: AccountsTable;
  instances: InstancesTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  org_units: OrgUnitsTable;
  org_unit_members: OrgUnitMembersTable;
  applications: ApplicationsTable;
  signing_keys: SigningKeysTable;
  oidc_models: OidcModelsTable;
  settings: SettingsTable;
  test_clocks: TestClocksTable;
  account_contacts: AccountContactsTable;
  account_members: AccountMembersTable;
  plans: PlansTable;
  orders: OrdersTable;
  payments: PaymentsTable;
  ledger_entries: LedgerEntriesTable;
  invoices: InvoicesTable;
  usage_hourly: UsageHourlyTable;
  monthly_active_users: MonthlyActiveUsersTable;
  settlements: SettlementsTable;
  resource_packages: ResourcePackagesTable;
  lifecycles: LifecyclesTable;
  lifecycle_events: LifecycleEventsTable;
  deletion_receipts: DeletionReceiptsTable;
  jobs: JobsTable;
  notices: NoticesTable;
  agreement_versions: AgreementVersionsTable;
  agreement_acceptances: AgreementAcceptancesTable;
  tickets: TicketsTable;
  ticket_messages: TicketMessagesTable;
  sla_windows: SlaWindowsTable;
  maintenance_windows: MaintenanceWindowsTable;
  sla_claims: SlaClaimsTable;
}
