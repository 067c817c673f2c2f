// The catalog: one policy per lifecycle clause of agreement.md (P1–P31, ID1, ID2),
// one per variant where the clause defines several. Pure data, validated at load.
import {
  days,
  daysBefore,
  hours,
  naturalDayAfter,
  naturalDayFrom,
  on,
  opens,
  paymentRestores,
  policy,
  prepaidOrder,
  renewEarly,
  renewRestores,
  timer,
} from './builders.ts';
import type { Rules } from './builders.ts';
import type { ClauseId } from './clauses.ts';
import type { Policy } from './model.ts';
import type { Effect, State, Variant } from './vocabulary.ts';
import { validateCatalog } from './validate.ts';

const FROZEN: Effect[] = ['block-console', 'block-api', 'retain-data'];

/** Prepaid basics: opens by order or activation; a 7-day hold (G3.2.1) unless stated. */
const prepaid = (id: ClauseId, hold = 7, holdClause: ClauseId = 'G3.2.1'): Rules[] => [
  opens(id),
  prepaidOrder(hold, holdClause),
  renewEarly(id),
];

/** Arrears moves an active instance to `to` and anchors the arrears timers. */
const arrears = (
  clause: ClauseId,
  to: State = 'grace',
  effects: Effect[] = ['billing-continues'],
): Rules => ({
  transitions: [on('arrears', ['active'], to, effects, clause, { record: ['arrears'] })],
});

/** Expiry moves an active instance to `to` and anchors the expiry timers. */
const expiry = (clause: ClauseId, to: State, effects: Effect[]): Rules => ({
  transitions: [on('expire', ['active'], to, effects, clause, { record: ['expiry'] })],
});

/** "Ends at expiry or when used up" (G9.1.2): terminated; unused quota forfeited (G9.1.3). */
const endsAtExpiryOrUsedUp = (clause: ClauseId, quotaClause: ClauseId = clause): Rules => ({
  transitions: [
    on('expire', ['active'], 'terminated', ['forfeit-quota'], clause, { record: ['expiry'] }),
    on('quota-exhausted', ['active'], 'terminated', [], quotaClause, { record: ['expiry'] }),
  ],
});

/** Packages that end roll over to postpaid (G9.1.4). */
const rollsOverToPostpaid = (clause: ClauseId): Rules => ({
  transitions: [
    on('expire', ['active'], 'active', ['forfeit-quota', 'fallback-postpaid'], clause),
    on('quota-exhausted', ['active'], 'active', ['fallback-postpaid'], clause),
  ],
});

const free = (id: ClauseId, en: string, zh: string, noteEn: string, noteZh: string): Policy =>
  policy({ id, product: [en, zh], notes: [{ en: noteEn, 'zh-CN': noteZh }] }, opens(id));

const POLICIES: Policy[] = [
  policy(
    { id: 'P1', variant: 'postpaid', product: ['Log service', '日志服务'] },
    opens('P1'),
    arrears('P1'),
    {
      timers: [
        timer(
          'suspend',
          'arrears',
          hours(24),
          ['grace'],
          'suspended',
          [...FROZEN, 'billing-continues'],
          'P1',
          {
            record: ['suspension'],
          },
        ),
        timer(
          'terminate',
          'suspension',
          days(7),
          ['suspended'],
          'terminated',
          ['delete-data'],
          'P1',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P1'),
  ),
  policy(
    { id: 'P2', variant: 'postpaid', product: ['Open search', '开放搜索'] },
    opens('P2'),
    arrears('P2'),
    {
      timers: [
        timer(
          'restrict',
          'arrears',
          hours(24),
          ['grace'],
          'restricted',
          ['block-write', 'retain-data', 'billing-continues'],
          'P2',
        ),
        timer(
          'release',
          'arrears',
          naturalDayFrom(31),
          ['grace', 'restricted'],
          'released',
          ['delete-data'],
          'P2',
        ),
      ],
    },
    paymentRestores(['grace', 'restricted'], 'P2'),
  ),
  free(
    'P3',
    'Resource orchestration',
    '资源编排',
    'Free itself; the resources it creates (also before a failed orchestration was rolled back) are billed under their own terms.',
    '本服务免费；其创建的资源（包括编排失败回滚前已创建的资源）按各自条款计费。',
  ),
  policy(
    {
      id: 'P4',
      variant: 'subscription',
      variantRequired: true,
      product: ['Performance testing', '性能测试'],
    },
    ...prepaid('P4'),
    endsAtExpiryOrUsedUp('P4'),
  ),
  policy(
    {
      id: 'P4',
      variant: 'postpaid',
      variantRequired: true,
      product: ['Performance testing', '性能测试'],
    },
    opens('P4'),
    arrears('P4'),
    { timers: [timer('stop', 'arrears', hours(1), ['grace'], 'suspended', FROZEN, 'P4')] },
    paymentRestores(['grace', 'suspended'], 'P4'),
  ),
  policy(
    {
      id: 'P5',
      variant: 'subscription',
      variantRequired: true,
      product: ['Message queue (incl. Kafka)', '消息队列（含 Kafka）'],
    },
    ...prepaid('P5', 3, 'P5'),
    expiry('P5', 'suspended', FROZEN),
    {
      timers: [
        timer('release', 'expiry', hours(168), ['suspended'], 'released', ['delete-data'], 'P5'),
      ],
    },
    renewRestores(['suspended'], 'P5'),
  ),
  policy(
    {
      id: 'P5',
      variant: 'postpaid',
      variantRequired: true,
      product: ['Message queue (incl. Kafka)', '消息队列（含 Kafka）'],
    },
    opens('P5'),
    arrears('P5'),
    {
      timers: [
        timer(
          'suspend',
          'arrears',
          hours(72),
          ['grace'],
          'suspended',
          [...FROZEN, 'drop-queued-jobs'],
          'P5',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P5'),
  ),
  policy(
    { id: 'P6', variant: 'subscription', product: ['Global transactions', '全局事务'] },
    ...prepaid('P6', 3, 'P6'),
    expiry('P6', 'terminated', []),
    {
      timers: [
        timer(
          'release-config',
          'expiry',
          days(7),
          ['terminated'],
          undefined,
          ['delete-config'],
          'P6',
        ),
      ],
    },
  ),
  policy(
    { id: 'P7', variant: 'subscription', product: ['Stream computing', '实时流计算'] },
    ...prepaid('P7'),
    expiry('P7', 'suspended', FROZEN),
    {
      timers: [
        timer('release', 'expiry', days(7), ['suspended'], 'released', ['delete-data'], 'P7'),
      ],
    },
    renewRestores(['suspended'], 'P7'),
  ),
  policy(
    {
      id: 'P8',
      variant: 'subscription',
      product: ['Cloud monitoring', '云监控'],
      notes: [
        {
          en: 'Monitoring data follows its own expiry rules; export it before it expires.',
          'zh-CN': '监控数据按其自身的过期规则处理；请在过期前导出。',
        },
      ],
    },
    ...prepaid('P8'),
    expiry('P8', 'suspended', FROZEN),
    {
      timers: [
        timer('delete-series', 'expiry', days(7), ['suspended'], undefined, ['delete-data'], 'P8'),
      ],
    },
    renewRestores(['suspended'], 'P8'),
  ),
  policy(
    { id: 'P9', variant: 'postpaid', product: ['Data integration', '数据集成'] },
    opens('P9'),
    arrears('P9'),
    {
      timers: [
        timer(
          'stop',
          'arrears',
          hours(24),
          ['grace'],
          'suspended',
          [...FROZEN, 'stop-running-jobs'],
          'P9',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P9'),
  ),
  policy(
    {
      id: 'P10',
      variant: 'subscription',
      product: ['Natural language processing', '自然语言处理'],
    },
    ...prepaid('P10'),
    endsAtExpiryOrUsedUp('P10', 'G9.1.2'),
  ),
  policy(
    { id: 'P11', variant: 'postpaid', product: ['Private DNS zones', '内网 DNS 解析'] },
    opens('P11'),
    arrears('P11'),
    {
      timers: [
        timer('suspend', 'arrears', hours(24), ['grace'], 'suspended', FROZEN, 'P11'),
        timer(
          'terminate',
          'arrears',
          days(7),
          ['grace', 'suspended'],
          'terminated',
          ['delete-config'],
          'P11',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P11'),
  ),
  policy(
    {
      id: 'P12',
      variant: 'subscription',
      variantRequired: true,
      product: ['Graphics workstation', '图形工作站'],
    },
    ...prepaid('P12'),
    expiry('P12', 'suspended', FROZEN),
    {
      transitions: [
        on('quota-exhausted', ['active'], 'suspended', FROZEN, 'P12', { record: ['expiry'] }),
      ],
    },
    {
      timers: [
        timer('release', 'expiry', hours(168), ['suspended'], 'released', ['delete-data'], 'P12'),
      ],
    },
    renewRestores(['suspended'], 'P12'),
  ),
  policy(
    {
      id: 'P12',
      variant: 'postpaid',
      variantRequired: true,
      product: ['Graphics workstation', '图形工作站'],
    },
    opens('P12'),
    arrears('P12'),
    {
      timers: [
        timer('stop', 'arrears', hours(1), ['grace'], 'suspended', FROZEN, 'P12', {
          record: ['stop'],
        }),
        timer('release', 'stop', hours(168), ['suspended'], 'released', ['delete-data'], 'P12'),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P12'),
  ),
  policy(
    { id: 'P13', variant: 'postpaid', product: ['Key management', '密钥管理服务'] },
    opens('P13'),
    arrears('P13', 'restricted', ['block-create', 'billing-continues']),
    { timers: [timer('stop', 'arrears', hours(168), ['restricted'], 'suspended', FROZEN, 'P13')] },
    paymentRestores(['restricted', 'suspended'], 'P13'),
  ),
  policy(
    {
      id: 'P14',
      variant: 'subscription',
      variantRequired: true,
      product: ['Live video', '视频直播'],
    },
    ...prepaid('P14'),
    endsAtExpiryOrUsedUp('P14'),
  ),
  policy(
    { id: 'P14', variant: 'postpaid', variantRequired: true, product: ['Live video', '视频直播'] },
    opens('P14'),
    arrears('P14', 'suspended', FROZEN),
    paymentRestores(['suspended'], 'P14'),
  ),
  policy(
    {
      id: 'P15',
      variant: 'postpaid',
      product: ['Media processing', '媒体处理'],
      notes: [{ en: 'Outputs are not stored by the provider.', 'zh-CN': '服务方不保存处理结果。' }],
    },
    opens('P15'),
    arrears('P15'),
    {
      timers: [
        timer(
          'suspend',
          'arrears',
          hours(24),
          ['grace'],
          'suspended',
          ['block-create', 'finish-running-jobs', 'retain-data'],
          'P15',
          {
            record: ['suspension'],
          },
        ),
        timer(
          'drop-queue',
          'suspension',
          hours(360),
          ['suspended'],
          undefined,
          ['drop-queued-jobs'],
          'P15',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P15'),
  ),
  policy(
    {
      id: 'P16',
      variant: 'postpaid',
      product: ['Big-data compute', '大数据计算'],
      notes: [
        {
          en: 'Arrears means the balance is below the last cycle’s bill. Allocated but unused resources may be reclaimed.',
          'zh-CN': '欠费指余额低于上一周期账单。已分配但未使用的资源可能被回收。',
        },
      ],
    },
    opens('P16'),
    arrears('P16'),
    {
      timers: [
        timer(
          'suspend',
          'arrears',
          hours(24),
          ['grace'],
          'suspended',
          ['block-api', 'stop-running-jobs', 'retain-data'],
          'P16',
          {
            record: ['suspension'],
          },
        ),
        timer(
          'release',
          'suspension',
          hours(360),
          ['suspended'],
          'released',
          ['delete-data'],
          'P16',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P16'),
  ),
  policy(
    { id: 'P17', variant: 'subscription', product: ['Machine translation', '机器翻译'] },
    ...prepaid('P17'),
    endsAtExpiryOrUsedUp('P17', 'G9.1.2'),
  ),
  policy(
    { id: 'P18', variant: 'subscription', product: ['Design service', '设计服务'] },
    ...prepaid('P18'),
    endsAtExpiryOrUsedUp('P18', 'G9.1.2'),
  ),
  free(
    'P19',
    'Video generation',
    '视频生成',
    'Generation is free; downloading requires payment.',
    '生成免费；下载需付费。',
  ),
  policy(
    { id: 'P20', variant: 'postpaid', product: ['Data lake analytics', '数据湖分析'] },
    opens('P20'),
    arrears('P20'),
    {
      timers: [
        timer(
          'stop',
          'arrears',
          hours(24),
          ['grace'],
          'suspended',
          [
            'block-api',
            'finish-running-jobs',
            'drop-queued-jobs',
            'retain-data',
            'billing-continues',
          ],
          'P20',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P20'),
  ),
  policy(
    {
      id: 'P21',
      variant: 'organisation',
      variantRequired: true,
      product: ['Blockchain service', '区块链服务'],
    },
    ...prepaid('P21'),
    expiry('P21', 'suspended', FROZEN),
    {
      timers: [
        timer('release', 'expiry', days(7), ['suspended'], 'released', ['delete-data'], 'P21'),
      ],
    },
    renewRestores(['suspended'], 'P21'),
  ),
  policy(
    {
      id: 'P21',
      variant: 'consortium',
      variantRequired: true,
      product: ['Blockchain service', '区块链服务'],
    },
    ...prepaid('P21'),
    expiry('P21', 'suspended', FROZEN),
    {
      timers: [
        timer(
          'release-control',
          'expiry',
          days(7),
          ['suspended'],
          'terminated',
          ['block-write', 'delete-config'],
          'P21',
        ),
      ],
    },
    renewRestores(['suspended'], 'P21'),
  ),
  policy(
    { id: 'P22', variant: 'postpaid', product: ['Elastic containers', '弹性容器实例'] },
    opens('P22'),
    arrears('P22', 'restricted', ['block-create', 'billing-continues']),
    {
      timers: [
        timer('release', 'arrears', hours(168), ['restricted'], 'released', ['delete-data'], 'P22'),
      ],
    },
    paymentRestores(['restricted'], 'P22'),
  ),
  policy(
    { id: 'P23', variant: 'subscription', product: ['Automation studio', '自动化工作室'] },
    ...prepaid('P23'),
    expiry('P23', 'suspended', FROZEN),
    renewRestores(['suspended'], 'P23'),
  ),
  policy(
    {
      id: 'P24',
      variant: 'subscription',
      variantRequired: true,
      product: ['Real-time communication', '实时音视频'],
    },
    ...prepaid('P24'),
    rollsOverToPostpaid('P24'),
    ...rtcArrears(),
  ),
  policy(
    {
      id: 'P24',
      variant: 'postpaid',
      variantRequired: true,
      product: ['Real-time communication', '实时音视频'],
    },
    opens('P24'),
    ...rtcArrears(),
  ),
  policy(
    {
      id: 'P25',
      variant: 'on-premises',
      variantRequired: true,
      product: ['Storage gateway', '存储网关'],
    },
    ...prepaid('P25'),
    rollsOverToPostpaid('P25'),
    arrears('P25'),
    { timers: [timer('suspend', 'arrears', hours(24), ['grace'], 'suspended', FROZEN, 'P25')] },
    paymentRestores(['grace', 'suspended'], 'P25'),
  ),
  policy(
    {
      id: 'P25',
      variant: 'cloud',
      variantRequired: true,
      product: ['Storage gateway', '存储网关'],
    },
    ...prepaid('P25'),
    rollsOverToPostpaid('P25'),
    arrears('P25'),
    {
      timers: [
        timer(
          'suspend',
          'arrears',
          hours(24),
          ['grace'],
          'suspended',
          [...FROZEN, 'billing-continues'],
          'P25',
        ),
        timer(
          'release',
          'arrears',
          hours(360),
          ['grace', 'suspended'],
          'released',
          ['delete-data'],
          'P25',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P25'),
  ),
  free(
    'P26',
    'Database expert service',
    '数据库专家服务',
    'Works only on instances the customer may authorise; no lifecycle timers.',
    '仅作用于客户有权授权的实例；无生命周期定时规则。',
  ),
  policy(
    { id: 'P27', variant: 'subscription', product: ['Recommendation', '智能推荐'] },
    ...prepaid('P27'),
    expiry('P27', 'suspended', ['block-api', 'block-write', 'retain-data', 'billing-continues']),
    {
      timers: [
        timer(
          'release',
          'expiry',
          naturalDayAfter(8),
          ['suspended'],
          'released',
          ['delete-data'],
          'P27',
        ),
      ],
    },
    renewRestores(['suspended'], 'P27'),
  ),
  policy(
    {
      id: 'P28',
      variant: 'subscription',
      product: ['DNS (paid edition)', '云解析 DNS（付费版）'],
      notes: [{ en: 'The free edition carries no liability.', 'zh-CN': '免费版不承担责任。' }],
    },
    ...prepaid('P28'),
    expiry('P28', 'grace', []),
    {
      timers: [
        timer(
          'downgrade',
          'expiry',
          naturalDayAfter(7),
          ['grace'],
          'downgraded',
          ['retain-data'],
          'P28',
          {
            record: ['release'],
          },
        ),
        timer(
          'delete-records',
          'release',
          naturalDayAfter(7),
          ['downgraded'],
          undefined,
          ['delete-data'],
          'P28',
        ),
      ],
    },
    renewRestores(['grace'], 'P28'),
  ),
  free(
    'P29',
    'Operations orchestration',
    '运维编排',
    'Free for now; its actions count as the customer’s; resources it creates are billed under their own terms.',
    '目前免费；其执行的操作视为客户的操作；其创建的资源按各自条款计费。',
  ),
  policy(
    { id: 'P30', variant: 'postpaid', product: ['Video surveillance', '视频监控'] },
    opens('P30'),
    arrears('P30'),
    {
      timers: [
        timer('stop', 'arrears', hours(24), ['grace'], 'suspended', FROZEN, 'P30'),
        timer(
          'delete',
          'arrears',
          days(7),
          ['grace', 'suspended'],
          'released',
          ['delete-data'],
          'P30',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'P30'),
  ),
  policy(
    { id: 'P31', variant: 'postpaid', product: ['Serverless app engine', 'Serverless 应用引擎'] },
    opens('P31'),
    arrears('P31', 'restricted', ['block-create', 'block-write', 'billing-continues']),
    {
      timers: [
        timer('release', 'arrears', hours(168), ['restricted'], 'released', ['delete-data'], 'P31'),
      ],
    },
    paymentRestores(['restricted'], 'P31'),
  ),
  policy(
    {
      id: 'ID1',
      variant: 'subscription',
      product: ['Identity service (subscription)', '身份服务（包年包月）'],
    },
    ...prepaid('ID1'),
    {
      timers: [7, 3, 1].map((n) =>
        timer(`remind-${n}d`, 'term-end', daysBefore(n), ['active'], undefined, ['notify'], 'ID1'),
      ),
    },
    expiry('ID1', 'suspended', ['block-api', 'block-write', 'retain-data']),
    {
      timers: [
        timer('release', 'expiry', hours(360), ['suspended'], 'released', ['delete-data'], 'ID1'),
      ],
    },
    renewRestores(['suspended'], 'ID1'),
  ),
  policy(
    {
      id: 'ID2',
      variant: 'postpaid',
      product: ['Identity service (postpaid)', '身份服务（按量付费）'],
    },
    opens('ID2'),
    arrears('ID2'),
    {
      timers: [
        timer(
          'suspend',
          'arrears',
          hours(24),
          ['grace'],
          'suspended',
          ['block-api', 'block-write', 'retain-data'],
          'ID2',
          {
            record: ['suspension'],
          },
        ),
        timer(
          'release',
          'suspension',
          hours(360),
          ['suspended'],
          'released',
          ['delete-data'],
          'ID2',
        ),
      ],
    },
    paymentRestores(['grace', 'suspended'], 'ID2'),
  ),
];

/** P24: arrears blocks new terminals; channels continue up to 24 h; then everything stops. */
function rtcArrears(): Rules[] {
  return [
    arrears('P24', 'restricted', ['block-create', 'billing-continues']),
    {
      timers: [
        timer(
          'stop',
          'arrears',
          hours(24),
          ['restricted'],
          'suspended',
          [...FROZEN, 'stop-running-jobs'],
          'P24',
        ),
      ],
    },
    paymentRestores(['restricted', 'suspended'], 'P24'),
  ];
}

validateCatalog(POLICIES);

export const CATALOG: readonly Policy[] = POLICIES;

/** `P5/postpaid` where the clause defines several variants, else the clause id. */
export function policyKey(p: Pick<Policy, 'id' | 'variant' | 'variantRequired'>): string {
  return p.variantRequired ? `${p.id}/${p.variant}` : p.id;
}

const byKey = new Map(POLICIES.map((p) => [policyKey(p), p]));
export function policyByKey(key: string): Policy | undefined {
  return byKey.get(key);
}

/** Lifecycle clause ids, in catalog order, without repeats. */
export function policyIds(): string[] {
  return [...new Set(POLICIES.map((p) => p.id))];
}

export function variantsOf(id: string): Variant[] {
  return POLICIES.filter((p) => p.id === id && p.variant).map((p) => p.variant as Variant);
}

export type Lookup =
  { ok: true; policy: Policy } | { ok: false; field: 'policy' | 'variant'; error: string };

/** Find the policy for a clause id and an optional variant, with a message naming the field. */
export function findPolicy(id: string, variant?: string): Lookup {
  const all = POLICIES.filter((p) => p.id === id);
  if (all.length === 0) {
    return {
      ok: false,
      field: 'policy',
      error: `unknown policy ${JSON.stringify(id)} (known: ${policyIds().join(', ')})`,
    };
  }
  if (variant === undefined) {
    const [only] = all;
    if (all.length === 1 && only) return { ok: true, policy: only };
    return {
      ok: false,
      field: 'variant',
      error: `required for ${id}: one of ${variantsOf(id).join(', ')}`,
    };
  }
  const hit = all.find((p) => p.variant === variant);
  if (hit) return { ok: true, policy: hit };
  const defined = variantsOf(id);
  return {
    ok: false,
    field: 'variant',
    error: `${id} has no variant ${JSON.stringify(variant)} (${defined.length ? `defined: ${defined.join(', ')}` : 'it defines none'})`,
  };
}
