// The end-user portal's section (at /i/:slug/portal): navigation (eager) and screens (lazy).
import { registerMessages } from '../i18n/index.ts';
import type { SectionDef } from '../shell/section.ts';

registerMessages(
  {
    'signin.portal': 'Sign in',
    'nav.me.apps': 'My applications',
    'nav.me.profile': 'Profile and password',
    'nav.me.security': 'Sign-in methods',
    'nav.me.sessions': 'Sessions',
  },
  {
    'signin.portal': '登录',
    'nav.me.apps': '我的应用',
    'nav.me.profile': '个人资料与密码',
    'nav.me.security': '登录方式',
    'nav.me.sessions': '会话',
  },
);

export const portalSection: SectionDef = {
  group: 'customer',
  prefix: '/me',
  personas: ['user'],
  home: { user: '/me' },
  nav: [
    { to: '/me', label: 'nav.me.apps' },
    { to: '/me/profile', label: 'nav.me.profile' },
    { to: '/me/security', label: 'nav.me.security' },
    { to: '/me/sessions', label: 'nav.me.sessions' },
  ],
  load: () => import('./index.tsx'),
};
