// Notice templates in English and Simplified Chinese (the account's locale), through
// the i18n catalog. A template names its channels besides the in-site inbox.
import type { NoticeChannel } from '@idaas/core';
import type { Locale, NoticeRenderer } from '@idaas/core/business/operations/index';
import { registerMessages, t } from '../i18n.ts';

const STATES = [
  'pending-payment',
  'void',
  'active',
  'grace',
  'restricted',
  'suspended',
  'terminated',
  'released',
  'downgraded',
] as const;

const en: Record<string, string> = {
  'notice.signature': '— IDaaS service. Clause {clause} of the service agreement applies.',
  'notice.renewal.reminder.subject': 'Renewal reminder: {instance} expires in {days} day(s)',
  'notice.renewal.reminder.body':
    'Your identity instance {instance} expires at {term_end}, in {days} day(s). To continue without interruption, pay the renewal no later than 7 days before the term ends (G3.2.2). At expiry the instance is suspended: end users cannot sign in.',
  'notice.renewal.reminder.short': 'IDaaS: {instance} expires in {days} day(s); please renew.',
  'notice.lifecycle.after.subject': 'Instance {instance} is now {state}',
  'notice.lifecycle.after.body':
    'Your identity instance {instance} changed from {from_state} to {state} at {at}.',
  'notice.lifecycle.after.short': 'IDaaS: {instance} is now {state} ({clause}).',
  'notice.lifecycle.after.released.body':
    'Your identity instance {instance} was released at {at}: its users, applications, keys and all other data were deleted, backups included (ID3). This cannot be undone.',
  'notice.lifecycle.after.suspended.body':
    'Your identity instance {instance} was suspended at {at}: end users cannot sign in and administration is read-only; its data is kept. Paying or renewing restores it at once.',
  'notice.lifecycle.before.subject': 'Instance {instance} will be {state} at {when}',
  'notice.lifecycle.before.body':
    'Your identity instance {instance} is {from_state}. At {when} it will become {state} unless the amount owed is paid or the instance renewed.',
  'notice.lifecycle.before.short': 'IDaaS: {instance} will be {state} at {when} ({clause}).',
  'notice.lifecycle.before.released.body':
    'Your identity instance {instance} is {from_state}. At {when} it will be released: all its data will be deleted, backups included, and cannot be recovered. Pay or renew before then, or export your data now: {export_url} Its audit trail (access logs) is deleted with it: if you must keep access logs (G4.6), export them before then too (the export links to them, G4.7).',
  'notice.lifecycle.before.void.body':
    'Your order for identity instance {instance} is unpaid. At {when} it becomes void and the deal lapses (G3.2.1).',
  'notice.agreement.published.subject':
    'Service agreement {version} takes effect on {effective_at}',
  'notice.agreement.published.body':
    'A new version {version} of the service agreement was published. It takes effect on {effective_at}; continued use after that date means acceptance (G14.2). Summary: {summary}',
  'notice.agreement.published.short':
    'IDaaS: service agreement {version} takes effect on {effective_at}.',
  'notice.ticket.subject': 'Ticket {ticket}: {subject} — {status}',
  'notice.ticket.body':
    'Support ticket {ticket} ({kind}, severity {severity}) "{subject}" is now {status}.',
  'notice.ticket.short': 'IDaaS ticket {ticket}: {status}',
  'notice.ticket.operator.body':
    'Ticket {ticket} ({kind}, severity {severity}) "{subject}" is {status}; first response due by {response_due_at}.',
};

const zh: Record<string, string> = {
  'notice.signature': '—— 身份服务（IDaaS）。依据服务协议第 {clause} 条。',
  'notice.renewal.reminder.subject': '续费提醒：{instance} 将在 {days} 天后到期',
  'notice.renewal.reminder.body':
    '您的身份实例 {instance} 将于 {term_end} 到期（还有 {days} 天）。如需继续使用，请最迟在到期前 7 天完成续费（G3.2.2）。到期后实例将被停止服务：终端用户无法登录。',
  'notice.renewal.reminder.short': 'IDaaS：{instance} 将在 {days} 天后到期，请及时续费。',
  'notice.lifecycle.after.subject': '实例 {instance} 当前状态：{state}',
  'notice.lifecycle.after.body':
    '您的身份实例 {instance} 已于 {at} 由“{from_state}”变为“{state}”。',
  'notice.lifecycle.after.short': 'IDaaS：{instance} 当前状态：{state}（{clause}）。',
  'notice.lifecycle.after.released.body':
    '您的身份实例 {instance} 已于 {at} 释放：其用户、应用、密钥及其他全部数据（包括备份）均已删除（ID3），无法恢复。',
  'notice.lifecycle.after.suspended.body':
    '您的身份实例 {instance} 已于 {at} 停止服务：终端用户无法登录，管理操作仅可查看；数据予以保留。付清欠款或续费后立即恢复。',
  'notice.lifecycle.before.subject': '实例 {instance} 将于 {when} 变为“{state}”',
  'notice.lifecycle.before.body':
    '您的身份实例 {instance} 当前为“{from_state}”。如未付清欠款或续费，将于 {when} 变为“{state}”。',
  'notice.lifecycle.before.short': 'IDaaS：{instance} 将于 {when} 变为“{state}”（{clause}）。',
  'notice.lifecycle.before.released.body':
    '您的身份实例 {instance} 当前为“{from_state}”。如未付款或续费，将于 {when} 释放：全部数据（包括备份）将被删除且无法恢复。请在此之前付款或续费，或立即导出数据：{export_url} 其审计记录（访问日志）将一并删除：如您须留存访问日志（G4.6），请在此之前一并导出（导出文件中附有其链接，G4.7）。',
  'notice.lifecycle.before.void.body':
    '您的身份实例 {instance} 的订单尚未支付，将于 {when} 作废，交易失效（G3.2.1）。',
  'notice.agreement.published.subject': '服务协议 {version} 将于 {effective_at} 生效',
  'notice.agreement.published.body':
    '服务协议新版本 {version} 已发布，将于 {effective_at} 生效；生效后继续使用即视为接受（G14.2）。摘要：{summary}',
  'notice.agreement.published.short': 'IDaaS：服务协议 {version} 将于 {effective_at} 生效。',
  'notice.ticket.subject': '工单 {ticket}：{subject} —— {status}',
  'notice.ticket.body':
    '支持工单 {ticket}（{kind}，严重级别 {severity}）“{subject}”当前状态：{status}。',
  'notice.ticket.short': 'IDaaS 工单 {ticket}：{status}',
  'notice.ticket.operator.body':
    '工单 {ticket}（{kind}，严重级别 {severity}）“{subject}”当前状态：{status}；首次响应截止 {response_due_at}。',
};

const stateNames: Record<(typeof STATES)[number], [string, string]> = {
  'pending-payment': ['pending payment', '待支付'],
  void: ['void', '已作废'],
  active: ['active', '正常'],
  grace: ['in arrears (still serving)', '欠费（仍在服务）'],
  restricted: ['restricted', '受限'],
  suspended: ['suspended', '已停止服务'],
  terminated: ['terminated', '已终止'],
  released: ['released', '已释放'],
  downgraded: ['downgraded', '已降级'],
};
for (const s of STATES) {
  en[`notice.state.${s}`] = stateNames[s][0];
  zh[`notice.state.${s}`] = stateNames[s][1];
}
const ticketWords: Record<string, [string, string]> = {
  open: ['open', '待处理'],
  answered: ['answered', '已答复'],
  resolved: ['resolved', '已解决'],
  closed: ['closed', '已关闭'],
  consultation: ['consultation', '咨询'],
  fault: ['fault', '故障'],
};
for (const [k, [e, z]] of Object.entries(ticketWords)) {
  en[`notice.word.${k}`] = e;
  zh[`notice.word.${k}`] = z;
}
registerMessages({ en, 'zh-CN': zh });

const catalogHas = (key: string): boolean => key in en;

/** The most specific key that exists: `notice.lifecycle.before.released.body`, else `notice.lifecycle.before.body`. */
function pick(template: string, part: string): string {
  const parts = template.split('.');
  for (let n = parts.length; n > 0; n--) {
    const key = `notice.${parts.slice(0, n).join('.')}.${part}`;
    if (catalogHas(key)) return key;
  }
  return `notice.${template}.${part}`;
}

/** Instants as local time in the agreement zone, e.g. `2026-03-02 09:00 (UTC+8)`. */
function localTime(v: string | number, locale: Locale): string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return String(v);
  const d = new Date(v);
  const s = new Intl.DateTimeFormat(locale === 'en' ? 'en-CA' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(d)
    .replace(/\//g, '-')
    .replace(',', '');
  return `${s} (UTC+8)`;
}

export const noticeRenderer: NoticeRenderer = {
  render(template, locale, vars) {
    const v: Record<string, string | number> = {};
    for (const [k, x] of Object.entries(vars)) v[k] = localTime(x, locale);
    const state = (s: unknown) =>
      typeof s === 'string' && s ? t(locale, `notice.state.${s}`) : '';
    const word = (s: unknown) =>
      typeof s === 'string' && ticketWords[s] ? t(locale, `notice.word.${s}`) : String(s ?? '');
    if (template.startsWith('lifecycle.')) {
      v.state = state(vars.to);
      v.from_state = state(vars.from);
    }
    if (template.startsWith('ticket.')) {
      const event = template.split('.').pop()!;
      v.status = word(vars.status);
      v.kind = word(vars.kind);
      v.event = event;
    }
    const base = template.startsWith('ticket.')
      ? template.startsWith('ticket.operator.')
        ? 'ticket.operator'
        : 'ticket'
      : template;
    const subject = t(locale, pick(base, 'subject'), v);
    const body = t(locale, pick(template.startsWith('ticket.') ? base : template, 'body'), v);
    const short = t(locale, pick(base, 'short'), v);
    const signature = vars.clause ? `\n\n${t(locale, 'notice.signature', v)}` : '';
    return { subject, body: `${body}${signature}`, short };
  },
  channels(template): NoticeChannel[] {
    if (template === 'lifecycle.before.released' || template === 'lifecycle.after.released')
      return ['email', 'sms', 'paper']; // data deletion: every channel on file
    if (template.startsWith('lifecycle.') || template === 'renewal.reminder')
      return ['email', 'sms'];
    return ['email'];
  },
};
