// Storage ports of commerce: accounts' contacts and members, test clocks, plans, orders,
// payments, the ledger, invoices, resource packages. (Filled in by the commerce work.)
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by its module
export interface CommerceRepos {}
