// A policy in plain words, English and Simplified Chinese, generated from the policy
// data itself (so the explanation cannot drift from what the engine does).
import type { Anchor, Delay, From, Policy, Timer, Transition } from './model.ts';
import type { Effect, EventType, State } from './vocabulary.ts';
import { sortEffects } from './vocabulary.ts';

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

type Words<K extends string> = Record<K, Record<Lang, string>>;

const EVENT: Words<EventType> = {
  'order-created': { en: 'an order is created', 'zh-CN': '创建订单' },
  'order-paid': { en: 'the order is paid', 'zh-CN': '订单完成支付' },
  activate: { en: 'the service is opened', 'zh-CN': '开通服务' },
  expire: { en: 'the term ends', 'zh-CN': '服务到期' },
  'quota-exhausted': { en: 'the quota is used up', 'zh-CN': '额度用完' },
  renew: { en: 'a renewal is paid', 'zh-CN': '完成续费' },
  arrears: { en: 'the account falls into arrears', 'zh-CN': '账户欠费' },
  payment: { en: 'everything owed is paid', 'zh-CN': '结清全部欠款' },
};

const STATE: Words<State> = {
  'pending-payment': { en: 'awaiting payment', 'zh-CN': '待支付' },
  void: { en: 'void (the order lapses)', 'zh-CN': '作废（订单失效）' },
  active: { en: 'active', 'zh-CN': '正常' },
  grace: { en: 'in grace (still serving in full)', 'zh-CN': '宽限期（仍正常服务）' },
  restricted: { en: 'restricted (some operations blocked)', 'zh-CN': '受限（部分操作被禁止）' },
  suspended: { en: 'suspended (stopped)', 'zh-CN': '停机' },
  terminated: {
    en: 'terminated (ended for good; no payment restores it)',
    'zh-CN': '终止（永久结束，付款也无法恢复）',
  },
  released: {
    en: 'released (instance and data deleted, irreversible)',
    'zh-CN': '释放（实例与数据删除，不可恢复）',
  },
  downgraded: { en: 'downgraded to the free edition', 'zh-CN': '降级为免费版' },
};

const EFFECT: Words<Effect> = {
  'block-create': { en: 'nothing new can be created', 'zh-CN': '不能新建资源' },
  'block-write': { en: 'no changes can be made', 'zh-CN': '不能修改' },
  'block-console': { en: 'the console is blocked', 'zh-CN': '控制台不可用' },
  'block-api': { en: 'the API is blocked', 'zh-CN': 'API 不可用' },
  'stop-running-jobs': { en: 'running jobs are stopped at once', 'zh-CN': '运行中的任务立即终止' },
  'finish-running-jobs': {
    en: 'running jobs run to completion',
    'zh-CN': '运行中的任务继续运行至完成',
  },
  'drop-queued-jobs': {
    en: 'queued jobs are dropped, unrecoverable',
    'zh-CN': '排队中的任务被丢弃，不可恢复',
  },
  'retain-data': { en: 'data is kept', 'zh-CN': '数据保留' },
  'delete-data': { en: 'all data is deleted, unrecoverable', 'zh-CN': '全部数据被删除，不可恢复' },
  'delete-config': { en: 'the configuration is deleted', 'zh-CN': '配置被删除' },
  'billing-continues': { en: 'billing continues', 'zh-CN': '继续计费' },
  'billing-stops': { en: 'billing stops', 'zh-CN': '停止计费' },
  'forfeit-quota': { en: 'unused quota is forfeited', 'zh-CN': '未用完的额度作废' },
  'fallback-postpaid': { en: 'further use is billed pay-as-you-go', 'zh-CN': '后续使用按量计费' },
  notify: { en: 'you are sent a notice', 'zh-CN': '向您发送通知' },
};

const ANCHOR: Words<Anchor> = {
  order: { en: 'the order was created', 'zh-CN': '订单创建' },
  'term-end': { en: 'the term end', 'zh-CN': '服务期结束' },
  expiry: { en: 'expiry', 'zh-CN': '到期' },
  arrears: { en: 'the first arrears', 'zh-CN': '首次欠费' },
  suspension: { en: 'the suspension', 'zh-CN': '停机' },
  stop: { en: 'the stop', 'zh-CN': '停止服务' },
  release: { en: 'the release', 'zh-CN': '释放' },
};

function when(delay: Delay, anchor: Anchor, zone: string, lang: Lang): string {
  const a = ANCHOR[anchor][lang];
  const en = lang === 'en';
  switch (delay.kind) {
    case 'hours':
      if (delay.before) return en ? `${delay.n} h before ${a}` : `${a}前 ${delay.n} 小时`;
      return en ? `${delay.n} h after ${a}` : `${a}后 ${delay.n} 小时`;
    case 'days': {
      const h = delay.n * 24;
      if (delay.before)
        return en ? `${delay.n} days (${h} h) before ${a}` : `${a}前 ${delay.n} 天（${h} 小时）`;
      return en ? `${delay.n} days (${h} h) after ${a}` : `${a}后 ${delay.n} 天（${h} 小时）`;
    }
    case 'natural-day':
      if (delay.count === 'after') {
        return en
          ? `at 00:00 (${zone}) of natural day ${delay.day} after the day of ${a}`
          : `${a}当日之后的第 ${delay.day} 个自然日 00:00（${zone}）`;
      }
      return en
        ? `at 00:00 (${zone}) of natural day ${delay.day}, counting the day of ${a} as day 1`
        : `以${a}当日为第 1 天，第 ${delay.day} 个自然日 00:00（${zone}）`;
  }
}

function states(list: readonly From[], lang: Lang): string {
  const names = list.map((s) =>
    s === null ? (lang === 'en' ? 'not yet opened' : '尚未开通') : STATE[s][lang],
  );
  return names.join(lang === 'en' ? ' or ' : '或');
}

function outcome(to: State | undefined, effects: readonly Effect[], lang: Lang): string {
  const fx = sortEffects(effects).map((e) => EFFECT[e][lang]);
  const en = lang === 'en';
  const head = to ? (en ? `it becomes ${STATE[to][lang]}` : `变为${STATE[to][lang]}`) : '';
  const parts = [head, ...fx].filter(Boolean);
  return parts.join(en ? '; ' : '；');
}

function transitionLine(t: Transition, lang: Lang): string {
  const en = lang === 'en';
  return en
    ? `When ${EVENT[t.on].en} while ${states(t.from, lang)}: ${outcome(t.to, t.effects, lang)}. [${t.clause}]`
    : `处于${states(t.from, lang)}时${EVENT[t.on][lang]}：${outcome(t.to, t.effects, lang)}。[${t.clause}]`;
}

function timerLine(t: Timer, zone: string, lang: Lang): string {
  const en = lang === 'en';
  const at = when(t.delay, t.anchor, zone, lang);
  const body = outcome(t.to, t.effects, lang);
  return en
    ? `${at[0]?.toUpperCase()}${at.slice(1)}, if still ${states(t.when, lang)}: ${body}. [${t.clause}]`
    : `${at}，若仍处于${states(t.when, lang)}：${body}。[${t.clause}]`;
}

const SEMANTICS: Record<Lang, string> = {
  en: 'Deadlines: a payment or renewal counts only if it arrives before the deadline instant; at the deadline itself the change has already happened. Times are kept in UTC; calendar days are counted in the agreement time zone.',
  'zh-CN':
    '期限：付款或续费须在期限时刻之前到达才有效；恰好在期限时刻到达时，状态已经变更。时间以 UTC 记录，自然日按协议时区计算。',
};

/** The lifecycle of `policy` in plain words, one language. */
export function explain(policy: Policy, lang: Lang): string {
  const en = lang === 'en';
  const title = `${policy.id}${policy.variant ? ` (${policy.variant})` : ''} — ${policy.product[lang]}`;
  const lines = [title];
  const rules = policy.transitions.filter(
    (t) => !(t.on === 'activate' || (t.on === 'renew' && t.from.includes('active'))),
  );
  for (const t of rules) lines.push(`  - ${transitionLine(t, lang)}`);
  for (const t of policy.timers) lines.push(`  - ${timerLine(t, policy.zone, lang)}`);
  if (policy.timers.length === 0)
    lines.push(`  - ${en ? 'No lifecycle timers.' : '无生命周期定时规则。'}`);
  for (const n of policy.notes ?? []) lines.push(`  - ${n[lang]}`);
  const refused = en
    ? 'Anything not listed here changes nothing; an event the policy forbids (e.g. a renewal after release) is refused.'
    : '未列出的事件不改变状态；策略不允许的事件（如释放后续费）将被拒绝。';
  lines.push(`  - ${refused}`, `  - ${SEMANTICS[lang]}`);
  return lines.join('\n');
}
