// Instance administration: navigation (eager, tiny) and the screens (lazy chunk). Operators
// administer every instance, customers the instances of their accounts (GET /instances).
import { registerMessages } from '../i18n/index.ts';
import type { SectionDef } from '../shell/section.ts';

registerMessages(
  { 'nav.admin.instances': 'Administer an instance' },
  { 'nav.admin.instances': '管理实例' },
);

export const adminSection: SectionDef = {
  group: 'admin',
  prefix: '/admin',
  personas: ['operator', 'customer'],
  nav: [{ to: '/admin', label: 'nav.admin.instances' }],
  load: () => import('./index.tsx'),
};
