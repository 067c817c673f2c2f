// Messages of the password pages and emails (issue 6), English and Simplified Chinese,
// and the policy rules' messages from the core.
import { PASSWORD_POLICY_MESSAGES } from '@idaas/core';
import { registerMessages } from '../i18n.ts';

registerMessages({
  en: {
    ...PASSWORD_POLICY_MESSAGES.en,
    'page.signin.locked':
      'Too many failed sign-in attempts. Sign-in is paused for a while; try again later or reset your password.',
    'page.signin.backoff': 'Too many failed sign-in attempts. Wait a few seconds and try again.',
    'page.signin.forgot': 'Forgot password?',
    'page.password.forgot.title': 'Reset your password',
    'page.password.forgot.heading': 'Reset your password for {instance}',
    'page.password.forgot.prompt':
      'Enter your username or email address. If an account with an email address matches, we will send it a link to choose a new password.',
    'page.password.forgot.login': 'Username or email',
    'page.password.forgot.submit': 'Send the link',
    'page.password.forgot.sent':
      'If an account matches, a link to reset its password is on its way. The link works once, for 15 minutes.',
    'page.password.forgot.rate_limited': 'Too many requests. Wait a while and try again.',
    'page.password.reset.title': 'Choose a new password',
    'page.password.reset.heading': 'Choose a new password',
    'page.password.reset.new': 'New password',
    'page.password.reset.confirm': 'New password again',
    'page.password.reset.hint':
      'At least {min} characters. Avoid common passwords and your username.',
    'page.password.reset.submit': 'Set the password',
    'page.password.reset.done_title': 'Password changed',
    'page.password.reset.done':
      'Your password has been changed and you have been signed out everywhere. Sign in with your new password.',
    'page.password.reset.invalid': 'This link is not valid. Request a new one.',
    'page.password.reset.expired': 'This link has expired. Request a new one.',
    'page.password.reset.used':
      'This link has already been used. Request a new one if you need to.',
    'page.password.reset.again': 'Request a new link',
    'page.password.mismatch': 'The two passwords do not match.',
    'page.password.rejected': 'The new password {reason}.',
    'page.password.change.title': 'Change your password',
    'page.password.change.heading': 'Your administrator asks you to choose a new password',
    'page.password.change.expired':
      'The password change took too long. Return to the application and sign in again.',
    'page.password.change.done':
      'Your password has been changed. Continue and sign in with your new password.',
    'page.password.change.continue': 'Continue to sign in',
    'mail.password.reset.subject': 'Reset your password for {instance}',
    'mail.password.reset.body':
      'Someone (hopefully you) asked to reset the password of {username} at {instance}.\n\nTo choose a new password, open this link within 15 minutes. It works once:\n{link}\n\nIf you did not ask for this, ignore this email: your password stays as it is.',
    'mail.password.lockout.subject': 'Sign-in paused for {username} at {instance}',
    'mail.password.lockout.body':
      'There were too many failed attempts to sign in as {username} at {instance}, so sign-in is paused for {minutes} minutes.\n\nIf it was not you, someone may be guessing your password. You can choose a new one here:\n{forgot}',
  },
  'zh-CN': {
    ...PASSWORD_POLICY_MESSAGES['zh-CN'],
    'page.signin.locked': '登录失败次数过多，登录已暂停一段时间。请稍后再试，或重置密码。',
    'page.signin.backoff': '登录失败次数过多，请等待几秒后重试。',
    'page.signin.forgot': '忘记密码？',
    'page.password.forgot.title': '重置密码',
    'page.password.forgot.heading': '重置您在 {instance} 的密码',
    'page.password.forgot.prompt':
      '请输入用户名或邮箱地址。如果有设置了邮箱的账号与之匹配，我们会向该邮箱发送设置新密码的链接。',
    'page.password.forgot.login': '用户名或邮箱',
    'page.password.forgot.submit': '发送链接',
    'page.password.forgot.sent':
      '如果有匹配的账号，重置密码的链接已经发出。该链接仅可使用一次，15 分钟内有效。',
    'page.password.forgot.rate_limited': '请求过于频繁，请稍后再试。',
    'page.password.reset.title': '设置新密码',
    'page.password.reset.heading': '设置新密码',
    'page.password.reset.new': '新密码',
    'page.password.reset.confirm': '再次输入新密码',
    'page.password.reset.hint': '至少 {min} 个字符。请勿使用常见密码或包含用户名。',
    'page.password.reset.submit': '设置密码',
    'page.password.reset.done_title': '密码已更改',
    'page.password.reset.done': '您的密码已更改，所有设备上的登录均已退出。请使用新密码登录。',
    'page.password.reset.invalid': '此链接无效，请重新申请。',
    'page.password.reset.expired': '此链接已过期，请重新申请。',
    'page.password.reset.used': '此链接已被使用。如有需要，请重新申请。',
    'page.password.reset.again': '重新申请链接',
    'page.password.mismatch': '两次输入的密码不一致。',
    'page.password.rejected': '新密码{reason}。',
    'page.password.change.title': '更改密码',
    'page.password.change.heading': '管理员要求您设置新密码',
    'page.password.change.expired': '更改密码超时。请返回应用重新登录。',
    'page.password.change.done': '您的密码已更改。请继续并使用新密码登录。',
    'page.password.change.continue': '继续登录',
    'mail.password.reset.subject': '重置您在 {instance} 的密码',
    'mail.password.reset.body':
      '有人（希望是您本人）申请重置 {instance} 上 {username} 的密码。\n\n如需设置新密码，请在 15 分钟内打开以下链接（仅可使用一次）：\n{link}\n\n如果不是您本人操作，请忽略此邮件，您的密码不会改变。',
    'mail.password.lockout.subject': '{instance} 上的 {username} 登录已暂停',
    'mail.password.lockout.body':
      '以 {username} 登录 {instance} 的失败次数过多，登录已暂停 {minutes} 分钟。\n\n如果不是您本人操作，可能有人在猜测您的密码。您可以在此设置新密码：\n{forgot}',
  },
});
