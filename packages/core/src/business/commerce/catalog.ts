// The default catalog, seeded when the plans table is empty: IDaaS subscription
// (monthly, yearly; ID1), postpaid by MAU and authentications (ID2), a 10,000-MAU
// resource package, and a free trial without SLA (G5.8). Prices in CNY fen.
import type { Plan } from '../commerce-ports.ts';

export type PlanSeed = Omit<Plan, 'id' | 'createdAt'>;

export const DEFAULT_PLANS: readonly PlanSeed[] = [
  {
    code: 'idaas-monthly',
    name: 'IDaaS subscription (monthly)',
    billing: 'subscription',
    period: 'month',
    priceFen: 9900,
    currency: 'CNY',
    policy: 'ID1',
    unitPrices: null,
    packageQuantity: null,
    packageDays: null,
    sla: true,
    active: true,
  },
  {
    code: 'idaas-yearly',
    name: 'IDaaS subscription (yearly)',
    billing: 'subscription',
    period: 'year',
    priceFen: 99000,
    currency: 'CNY',
    policy: 'ID1',
    unitPrices: null,
    packageQuantity: null,
    packageDays: null,
    sla: true,
    active: true,
  },
  {
    code: 'idaas-postpaid',
    name: 'IDaaS pay-as-you-go (hourly, by MAU and authentications)',
    billing: 'postpaid',
    period: null,
    priceFen: 0,
    currency: 'CNY',
    policy: 'ID2',
    unitPrices: { mau: '0.05', authentication: '0.001' },
    packageQuantity: null,
    packageDays: null,
    sla: true,
    active: true,
  },
  {
    code: 'mau-10k',
    name: 'Resource package: 10,000 MAU (30 days)',
    billing: 'package',
    period: null,
    priceFen: 40000,
    currency: 'CNY',
    policy: 'ID2',
    unitPrices: null,
    packageQuantity: { mau: '10000' },
    packageDays: 30,
    sla: true,
    active: true,
  },
  {
    code: 'trial',
    name: 'Free trial (1 month, no SLA)',
    billing: 'trial',
    period: 'month',
    priceFen: 0,
    currency: 'CNY',
    policy: 'ID1',
    unitPrices: null,
    packageQuantity: null,
    packageDays: null,
    sla: false,
    active: true,
  },
];

/** Months in a subscription period. */
export function periodMonths(period: Plan['period']): number {
  return period === 'year' ? 12 : 1;
}
