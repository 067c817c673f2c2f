// Storage ports of operations: notices, agreement versions, metering and settlement,
// SLA windows, maintenance, claims, support tickets. (Filled in by the operations work.)
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by its module
export interface OperationsRepos {}
