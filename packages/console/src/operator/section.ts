// The operator's section: navigation (eager) and the screens (lazy chunk).
import { registerMessages } from '../i18n/index.ts';
import type { SectionDef } from '../shell/section.ts';

registerMessages(
  {
    'nav.op.dashboard': 'Overview',
    'nav.op.customers': 'Customers',
    'nav.op.orders': 'Orders',
    'nav.op.invoices': 'Invoices',
    'nav.op.payments': 'Payments to reconcile',
    'nav.op.plans': 'Products and plans',
    'nav.op.maintenance': 'Maintenance windows',
    'nav.op.tickets': 'Tickets',
    'nav.op.sla': 'SLA',
  },
  {
    'nav.op.dashboard': '概览',
    'nav.op.customers': '客户',
    'nav.op.orders': '订单',
    'nav.op.invoices': '发票',
    'nav.op.payments': '待对账付款',
    'nav.op.plans': '产品与套餐',
    'nav.op.maintenance': '维护窗口',
    'nav.op.tickets': '工单',
    'nav.op.sla': 'SLA',
  },
);

export const operatorSection: SectionDef = {
  group: 'operator',
  prefix: '/operator',
  personas: ['operator'],
  home: { operator: '/operator' },
  nav: [
    { to: '/operator', label: 'nav.op.dashboard' },
    { to: '/operator/customers', label: 'nav.op.customers' },
    { to: '/operator/orders', label: 'nav.op.orders' },
    { to: '/operator/invoices', label: 'nav.op.invoices' },
    { to: '/operator/payments', label: 'nav.op.payments' },
    { to: '/operator/plans', label: 'nav.op.plans' },
    { to: '/operator/maintenance', label: 'nav.op.maintenance' },
    { to: '/operator/tickets', label: 'nav.op.tickets' },
    { to: '/operator/sla', label: 'nav.op.sla' },
  ],
  load: () => import('./index.tsx'),
};
