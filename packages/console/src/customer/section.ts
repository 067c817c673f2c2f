// The customer's section: navigation (eager) and the screens (lazy chunk).
import { registerMessages } from '../i18n/index.ts';
import type { SectionDef } from '../shell/section.ts';

registerMessages(
  {
    'nav.cu.dashboard': 'My instances',
    'nav.cu.usage': 'Usage',
    'nav.cu.wallet': 'Wallet',
    'nav.cu.orders': 'Orders and renewal',
    'nav.cu.invoices': 'Invoices',
    'nav.cu.notices': 'Notices',
    'nav.cu.tickets': 'Tickets',
    'nav.cu.members': 'Sub-accounts',
    'nav.cu.agreement': 'Agreement',
    'nav.cu.receipts': 'Exports and deletions',
  },
  {
    'nav.cu.dashboard': '我的实例',
    'nav.cu.usage': '用量',
    'nav.cu.wallet': '钱包',
    'nav.cu.orders': '订单与续费',
    'nav.cu.invoices': '发票',
    'nav.cu.notices': '通知',
    'nav.cu.tickets': '工单',
    'nav.cu.members': '子账号',
    'nav.cu.agreement': '服务协议',
    'nav.cu.receipts': '导出与删除回执',
  },
);

export const customerSection: SectionDef = {
  group: 'customer',
  prefix: '/customer',
  personas: ['customer'],
  home: { customer: '/customer' },
  nav: [
    { to: '/customer', label: 'nav.cu.dashboard' },
    { to: '/customer/usage', label: 'nav.cu.usage' },
    { to: '/customer/wallet', label: 'nav.cu.wallet' },
    { to: '/customer/orders', label: 'nav.cu.orders' },
    { to: '/customer/invoices', label: 'nav.cu.invoices' },
    { to: '/customer/notices', label: 'nav.cu.notices' },
    { to: '/customer/tickets', label: 'nav.cu.tickets' },
    { to: '/customer/members', label: 'nav.cu.members' },
    { to: '/customer/agreement', label: 'nav.cu.agreement' },
    { to: '/customer/receipts', label: 'nav.cu.receipts' },
  ],
  load: () => import('./index.tsx'),
};
