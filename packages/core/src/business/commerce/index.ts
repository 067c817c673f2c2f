// Commerce: accounts and delegation, catalog, orders, payments, ledger, settlement.
export { CommerceService, JOB, type CommerceDeps, type CommercePorts } from './service.ts';
export { DEFAULT_PLANS, periodMonths, type PlanSeed } from './catalog.ts';
export { fenToCny, parseCny, toFen } from './money.ts';
export { ACTIONS, allows, authorize, type Principal } from './permissions.ts';
