// Table-driven lifecycle tests: one or more scenarios per lifecycle clause and
// variant, replayed through simulate() and compared entry by entry. Each row cites
// the clauses it exercises (`clauses`), which scripts/clause-coverage.ts reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOG, findPolicy, policyKey } from './catalog.ts';
import { toOutput } from './format.ts';
import { simulate } from './simulate.ts';
import { instant } from './time.ts';
import type { EventType } from './vocabulary.ts';

interface Row {
  name: string;
  policy: string;
  variant?: string;
  clauses: string[];
  events: [at: string, type: EventType, termEnd?: string][];
  until: string;
  /** "<at Z> <state> <cause> <clause> <effects,comma,separated>" */
  timeline: string[];
  final: string | null;
  /** "<type>@<at Z>" of refused events */
  ignored?: string[];
}

const open = (at = '2026-03-01T10:00:00+08:00'): [string, EventType] => [at, 'activate'];
const A = '2026-03-01T02:00:00.000Z active activate';
const ORDER = [
  '2026-03-01T02:00:00.000Z pending-payment order-created G3.2.1 ',
  '2026-03-02T02:00:00.000Z active order-paid G9.1.1 ',
];
const ordered = (): [string, EventType][] => [
  ['2026-03-01T10:00:00+08:00', 'order-created'],
  ['2026-03-02T10:00:00+08:00', 'order-paid'],
];
const END = '2026-04-01T00:00:00+08:00'; // = 2026-03-31T16:00:00.000Z
const FROZEN = 'block-console,block-api,retain-data';

const rows: Row[] = [
  {
    name: 'arrears, suspension after 24 h, termination 168 h after suspension, payment refused after',
    policy: 'P1',
    clauses: ['P1', 'G6.4', 'G9.2'],
    events: [
      open(),
      ['2026-03-05T10:00:00+08:00', 'arrears'],
      ['2026-03-14T10:00:00+08:00', 'payment'],
    ],
    until: '2026-04-01T00:00:00+08:00',
    timeline: [
      `${A} P1 `,
      '2026-03-05T02:00:00.000Z grace arrears P1 billing-continues',
      `2026-03-06T02:00:00.000Z suspended timer P1 ${FROZEN},billing-continues`,
      '2026-03-13T02:00:00.000Z terminated timer P1 delete-data',
    ],
    final: 'terminated',
    ignored: ['payment@2026-03-14T02:00:00.000Z'],
  },
  {
    name: 'restricted after 24 h; released when 30 natural days from the day of arrears have passed',
    policy: 'P2',
    clauses: ['P2', 'G6.4'],
    events: [open(), ['2026-03-05T23:30:00+08:00', 'arrears']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      `${A} P2 `,
      '2026-03-05T15:30:00.000Z grace arrears P2 billing-continues',
      '2026-03-06T15:30:00.000Z restricted timer P2 block-write,retain-data,billing-continues',
      '2026-04-03T16:00:00.000Z released timer P2 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'paid while restricted: active again, release timer cancelled',
    policy: 'P2',
    clauses: ['P2'],
    events: [
      open(),
      ['2026-03-05T23:30:00+08:00', 'arrears'],
      ['2026-04-03T23:59:59+08:00', 'payment'],
    ],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      `${A} P2 `,
      '2026-03-05T15:30:00.000Z grace arrears P2 billing-continues',
      '2026-03-06T15:30:00.000Z restricted timer P2 block-write,retain-data,billing-continues',
      '2026-04-03T15:59:59.000Z active payment P2 ',
    ],
    final: 'active',
  },
  {
    name: 'free: no timers; arrears has no rule',
    policy: 'P3',
    clauses: ['P3'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: '2027-03-01T00:00:00+08:00',
    timeline: [`${A} P3 `],
    final: 'active',
    ignored: ['arrears@2026-03-05T02:00:00.000Z'],
  },
  {
    name: 'subscription ends when its quota is used up',
    policy: 'P4',
    variant: 'subscription',
    clauses: ['P4', 'G9.1.1', 'G9.1.2', 'G3.2.1', 'G3.1'],
    events: [...ordered(), ['2026-03-20T10:00:00+08:00', 'quota-exhausted']],
    until: END,
    timeline: [...ORDER, '2026-03-20T02:00:00.000Z terminated quota-exhausted P4 '],
    final: 'terminated',
  },
  {
    name: 'postpaid arrears: continues 1 h, then stops',
    policy: 'P4',
    variant: 'postpaid',
    clauses: ['P4', 'G3.1'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P4 `,
      '2026-03-05T02:00:00.000Z grace arrears P4 billing-continues',
      `2026-03-05T03:00:00.000Z suspended timer P4 ${FROZEN}`,
    ],
    final: 'suspended',
  },
  {
    name: 'prepaid order unpaid 3 days: void',
    policy: 'P5',
    variant: 'subscription',
    clauses: ['P5', 'G3.2.1'],
    events: [
      ['2026-03-01T10:00:00+08:00', 'order-created'],
      ['2026-03-04T10:00:00+08:00', 'order-paid'],
    ],
    until: END,
    timeline: [
      '2026-03-01T02:00:00.000Z pending-payment order-created G3.2.1 ',
      '2026-03-04T02:00:00.000Z void timer P5 ',
    ],
    final: 'void',
    ignored: ['order-paid@2026-03-04T02:00:00.000Z'],
  },
  {
    name: 'expiry: suspended; not renewed within 168 h: released',
    policy: 'P5',
    variant: 'subscription',
    clauses: ['P5', 'G6.4', 'G6.3'],
    events: [...ordered(), [END, 'expire'], ['2026-04-10T00:00:00+08:00', 'renew']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      `2026-03-31T16:00:00.000Z suspended expire P5 ${FROZEN}`,
      '2026-04-07T16:00:00.000Z released timer P5 delete-data',
    ],
    final: 'released',
    ignored: ['renew@2026-04-09T16:00:00.000Z'],
  },
  {
    name: 'renewed 1 ms before the 168 h deadline: active',
    policy: 'P5',
    variant: 'subscription',
    clauses: ['P5'],
    events: [...ordered(), [END, 'expire'], ['2026-04-07T15:59:59.999Z', 'renew']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      `2026-03-31T16:00:00.000Z suspended expire P5 ${FROZEN}`,
      '2026-04-07T15:59:59.999Z active renew P5 ',
    ],
    final: 'active',
  },
  {
    name: 'postpaid arrears over 72 h: suspended, queued messages dropped',
    policy: 'P5',
    variant: 'postpaid',
    clauses: ['P5'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P5 `,
      '2026-03-05T02:00:00.000Z grace arrears P5 billing-continues',
      `2026-03-08T02:00:00.000Z suspended timer P5 ${FROZEN.replace('retain-data', 'drop-queued-jobs,retain-data')}`,
    ],
    final: 'suspended',
  },
  {
    name: 'term end: terminated; configuration released 7 days later',
    policy: 'P6',
    clauses: ['P6'],
    events: [...ordered(), [END, 'expire'], ['2026-04-02T00:00:00+08:00', 'renew']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      '2026-03-31T16:00:00.000Z terminated expire P6 ',
      '2026-04-07T16:00:00.000Z terminated timer P6 delete-config',
    ],
    final: 'terminated',
    ignored: ['renew@2026-04-01T16:00:00.000Z'],
  },
  {
    name: 'prepaid order unpaid 3 days: void',
    policy: 'P6',
    clauses: ['P6', 'G3.2.1'],
    events: [['2026-03-01T10:00:00+08:00', 'order-created']],
    until: END,
    timeline: [
      '2026-03-01T02:00:00.000Z pending-payment order-created G3.2.1 ',
      '2026-03-04T02:00:00.000Z void timer P6 ',
    ],
    final: 'void',
  },
  {
    name: 'expiry: suspended, released at the same clock time 7 days later',
    policy: 'P7',
    clauses: ['P7', 'G6.4'],
    events: [...ordered(), ['2026-03-31T15:20:00+08:00', 'expire']],
    until: END.replace('04-01', '04-30'),
    timeline: [
      ...ORDER,
      `2026-03-31T07:20:00.000Z suspended expire P7 ${FROZEN}`,
      '2026-04-07T07:20:00.000Z released timer P7 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'expiry: operations stopped; custom series deleted 7 days after; renewal restores',
    policy: 'P8',
    clauses: ['P8'],
    events: [...ordered(), [END, 'expire'], ['2026-04-20T10:00:00+08:00', 'renew']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      `2026-03-31T16:00:00.000Z suspended expire P8 ${FROZEN}`,
      '2026-04-07T16:00:00.000Z suspended timer P8 delete-data',
      '2026-04-20T02:00:00.000Z active renew P8 ',
    ],
    final: 'active',
  },
  {
    name: 'arrears: continues 24 h, then stops; running tasks terminated at once',
    policy: 'P9',
    clauses: ['P9', 'G3.3'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P9 `,
      '2026-03-05T02:00:00.000Z grace arrears P9 billing-continues',
      '2026-03-06T02:00:00.000Z suspended timer P9 block-console,block-api,stop-running-jobs,retain-data',
    ],
    final: 'suspended',
  },
  {
    name: 'expiry ends it even if quota remains',
    policy: 'P10',
    clauses: ['P10', 'G9.1.3'],
    events: [...ordered(), [END, 'expire']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [...ORDER, '2026-03-31T16:00:00.000Z terminated expire P10 forfeit-quota'],
    final: 'terminated',
  },
  {
    name: 'package used up ends it (G9.1.2)',
    policy: 'P10',
    clauses: ['P10', 'G9.1.2'],
    events: [...ordered(), ['2026-03-03T10:00:00+08:00', 'quota-exhausted']],
    until: END,
    timeline: [...ORDER, '2026-03-03T02:00:00.000Z terminated quota-exhausted G9.1.2 '],
    final: 'terminated',
  },
  {
    name: 'suspended after 24 h; terminated 7 days after the first arrears',
    policy: 'P11',
    clauses: ['P11'],
    events: [
      open(),
      ['2026-03-05T10:00:00+08:00', 'arrears'],
      ['2026-03-07T10:00:00+08:00', 'arrears'],
    ],
    until: END,
    timeline: [
      `${A} P11 `,
      '2026-03-05T02:00:00.000Z grace arrears P11 billing-continues',
      `2026-03-06T02:00:00.000Z suspended timer P11 ${FROZEN}`,
      '2026-03-12T02:00:00.000Z terminated timer P11 delete-config',
    ],
    final: 'terminated',
  },
  {
    name: 'subscription used up: stops; released 168 h after the end',
    policy: 'P12',
    variant: 'subscription',
    clauses: ['P12'],
    events: [...ordered(), ['2026-03-10T10:00:00+08:00', 'quota-exhausted']],
    until: END,
    timeline: [
      ...ORDER,
      `2026-03-10T02:00:00.000Z suspended quota-exhausted P12 ${FROZEN}`,
      '2026-03-17T02:00:00.000Z released timer P12 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'postpaid arrears: stops after 1 h; released 168 h after the stop',
    policy: 'P12',
    variant: 'postpaid',
    clauses: ['P12'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P12 `,
      '2026-03-05T02:00:00.000Z grace arrears P12 billing-continues',
      `2026-03-05T03:00:00.000Z suspended timer P12 ${FROZEN}`,
      '2026-03-12T03:00:00.000Z released timer P12 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'arrears: no new keys; existing keys work 168 h; then stops',
    policy: 'P13',
    clauses: ['P13'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P13 `,
      '2026-03-05T02:00:00.000Z restricted arrears P13 block-create,billing-continues',
      `2026-03-12T02:00:00.000Z suspended timer P13 ${FROZEN}`,
    ],
    final: 'suspended',
  },
  {
    name: 'subscription ends at expiry',
    policy: 'P14',
    variant: 'subscription',
    clauses: ['P14'],
    events: [...ordered(), [END, 'expire']],
    until: END,
    timeline: [...ORDER, '2026-03-31T16:00:00.000Z terminated expire P14 forfeit-quota'],
    final: 'terminated',
  },
  {
    name: 'postpaid arrears: stops at once; resumes once paid',
    policy: 'P14',
    variant: 'postpaid',
    clauses: ['P14'],
    events: [
      open(),
      ['2026-03-05T10:00:00+08:00', 'arrears'],
      ['2026-03-25T10:00:00+08:00', 'payment'],
    ],
    until: END,
    timeline: [
      `${A} P14 `,
      `2026-03-05T02:00:00.000Z suspended arrears P14 ${FROZEN}`,
      '2026-03-25T02:00:00.000Z active payment P14 ',
    ],
    final: 'active',
  },
  {
    name: 'suspended within 24 h; queued jobs released 360 h after the suspension; payment still resumes',
    policy: 'P15',
    clauses: ['P15'],
    events: [
      open(),
      ['2026-03-05T10:00:00+08:00', 'arrears'],
      ['2026-03-25T10:00:00+08:00', 'payment'],
    ],
    until: END,
    timeline: [
      `${A} P15 `,
      '2026-03-05T02:00:00.000Z grace arrears P15 billing-continues',
      '2026-03-06T02:00:00.000Z suspended timer P15 block-create,finish-running-jobs,retain-data',
      '2026-03-21T02:00:00.000Z suspended timer P15 drop-queued-jobs',
      '2026-03-25T02:00:00.000Z active payment P15 ',
    ],
    final: 'active',
  },
  {
    name: 'suspended after 24 h; released 360 h after the suspension',
    policy: 'P16',
    clauses: ['P16'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P16 `,
      '2026-03-05T02:00:00.000Z grace arrears P16 billing-continues',
      '2026-03-06T02:00:00.000Z suspended timer P16 block-api,stop-running-jobs,retain-data',
      '2026-03-21T02:00:00.000Z released timer P16 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'expiry ends it even if quota remains',
    policy: 'P17',
    clauses: ['P17'],
    events: [...ordered(), [END, 'expire']],
    until: END,
    timeline: [...ORDER, '2026-03-31T16:00:00.000Z terminated expire P17 forfeit-quota'],
    final: 'terminated',
  },
  {
    name: 'pay first; order never paid is void after 7 days',
    policy: 'P18',
    clauses: ['P18', 'G3.2.1'],
    events: [['2026-02-26T10:00:00+08:00', 'order-created']],
    until: END,
    timeline: [
      '2026-02-26T02:00:00.000Z pending-payment order-created G3.2.1 ',
      '2026-03-05T02:00:00.000Z void timer G3.2.1 ',
    ],
    final: 'void',
  },
  {
    name: 'free generation: no timers; expiry has no rule',
    policy: 'P19',
    clauses: ['P19'],
    events: [open(), [END, 'expire']],
    until: END,
    timeline: [`${A} P19 `],
    final: 'active',
    ignored: ['expire@2026-03-31T16:00:00.000Z'],
  },
  {
    name: 'arrears: stops after 24 h; running tasks finish and are billed; queued requests dropped',
    policy: 'P20',
    clauses: ['P20', 'G3.3'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P20 `,
      '2026-03-05T02:00:00.000Z grace arrears P20 billing-continues',
      '2026-03-06T02:00:00.000Z suspended timer P20 block-api,finish-running-jobs,drop-queued-jobs,retain-data,billing-continues',
    ],
    final: 'suspended',
  },
  {
    name: 'organisation: stops at expiry; not renewed within 7 days: released',
    policy: 'P21',
    variant: 'organisation',
    clauses: ['P21'],
    events: [...ordered(), [END, 'expire']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      `2026-03-31T16:00:00.000Z suspended expire P21 ${FROZEN}`,
      '2026-04-07T16:00:00.000Z released timer P21 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'consortium: control data released, members read-only',
    policy: 'P21',
    variant: 'consortium',
    clauses: ['P21'],
    events: [...ordered(), [END, 'expire']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      `2026-03-31T16:00:00.000Z suspended expire P21 ${FROZEN}`,
      '2026-04-07T16:00:00.000Z terminated timer P21 block-write,delete-config',
    ],
    final: 'terminated',
  },
  {
    name: 'arrears: no new instances, existing run 168 h billed, then released',
    policy: 'P22',
    clauses: ['P22', 'G3.3'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P22 `,
      '2026-03-05T02:00:00.000Z restricted arrears P22 block-create,billing-continues',
      '2026-03-12T02:00:00.000Z released timer P22 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'expiry without renewal: service stops (no later timer); renewal restores',
    policy: 'P23',
    clauses: ['P23'],
    events: [...ordered(), [END, 'expire'], ['2026-09-01T10:00:00+08:00', 'renew']],
    until: '2026-10-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      `2026-03-31T16:00:00.000Z suspended expire P23 ${FROZEN}`,
      '2026-09-01T02:00:00.000Z active renew P23 ',
    ],
    final: 'active',
  },
  {
    name: 'packages end, then postpaid; postpaid arrears: no new terminals, everything stops after 24 h',
    policy: 'P24',
    variant: 'subscription',
    clauses: ['P24', 'G9.1.4', 'G9.1.3'],
    events: [...ordered(), [END, 'expire'], ['2026-04-05T10:00:00+08:00', 'arrears']],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      '2026-03-31T16:00:00.000Z active expire P24 forfeit-quota,fallback-postpaid',
      '2026-04-05T02:00:00.000Z restricted arrears P24 block-create,billing-continues',
      `2026-04-06T02:00:00.000Z suspended timer P24 block-console,block-api,stop-running-jobs,retain-data`,
    ],
    final: 'suspended',
  },
  {
    name: 'postpaid: paid during restriction',
    policy: 'P24',
    variant: 'postpaid',
    clauses: ['P24'],
    events: [
      open(),
      ['2026-03-05T10:00:00+08:00', 'arrears'],
      ['2026-03-05T20:00:00+08:00', 'payment'],
    ],
    until: END,
    timeline: [
      `${A} P24 `,
      '2026-03-05T02:00:00.000Z restricted arrears P24 block-create,billing-continues',
      '2026-03-05T12:00:00.000Z active payment P24 ',
    ],
    final: 'active',
  },
  {
    name: 'on-premises gateway: suspended and frozen after 24 h, cache kept until paid',
    policy: 'P25',
    variant: 'on-premises',
    clauses: ['P25'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: '2026-12-01T00:00:00+08:00',
    timeline: [
      `${A} P25 `,
      '2026-03-05T02:00:00.000Z grace arrears P25 billing-continues',
      `2026-03-06T02:00:00.000Z suspended timer P25 ${FROZEN}`,
    ],
    final: 'suspended',
  },
  {
    name: 'cloud gateway: released 360 h after the first arrears; subscription rolls over to postpaid',
    policy: 'P25',
    variant: 'cloud',
    clauses: ['P25', 'G9.1.4'],
    events: [
      ...ordered(),
      ['2026-03-03T10:00:00+08:00', 'quota-exhausted'],
      ['2026-03-05T10:00:00+08:00', 'arrears'],
    ],
    until: END,
    timeline: [
      ...ORDER,
      '2026-03-03T02:00:00.000Z active quota-exhausted P25 fallback-postpaid',
      '2026-03-05T02:00:00.000Z grace arrears P25 billing-continues',
      `2026-03-06T02:00:00.000Z suspended timer P25 ${FROZEN},billing-continues`,
      '2026-03-20T02:00:00.000Z released timer P25 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'no lifecycle timers',
    policy: 'P26',
    clauses: ['P26'],
    events: [open()],
    until: '2030-01-01T00:00:00Z',
    timeline: [`${A} P26 `],
    final: 'active',
  },
  {
    name: 'kept and billed 7 natural days after the expiry day; released at 00:00 of day 8',
    policy: 'P27',
    clauses: ['P27'],
    events: [
      ...ordered(),
      ['2026-03-31T23:59:00+08:00', 'expire'],
      ['2026-04-08T00:00:00+08:00', 'renew'],
    ],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      '2026-03-31T15:59:00.000Z suspended expire P27 block-write,block-api,retain-data,billing-continues',
      '2026-04-07T16:00:00.000Z released timer P27 delete-data',
    ],
    final: 'released',
    ignored: ['renew@2026-04-07T16:00:00.000Z'],
  },
  {
    name: 'renewed on natural day 7 (23:59:59): resumes',
    policy: 'P27',
    clauses: ['P27'],
    events: [
      ...ordered(),
      ['2026-03-31T00:00:00+08:00', 'expire'],
      ['2026-04-07T23:59:59+08:00', 'renew'],
    ],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      ...ORDER,
      '2026-03-30T16:00:00.000Z suspended expire P27 block-write,block-api,retain-data,billing-continues',
      '2026-04-07T15:59:59.000Z active renew P27 ',
    ],
    final: 'active',
  },
  {
    name: 'expiry on Feb 28 (2026, no leap day): downgraded on natural day 7, records deleted 7 natural days later',
    policy: 'P28',
    clauses: ['P28'],
    events: [
      ['2026-01-20T10:00:00+08:00', 'order-paid'],
      ['2026-02-28T12:00:00+08:00', 'expire'],
    ],
    until: '2026-04-01T00:00:00+08:00',
    timeline: [
      '2026-01-20T02:00:00.000Z active order-paid G9.1.1 ',
      '2026-02-28T04:00:00.000Z grace expire P28 ',
      '2026-03-06T16:00:00.000Z downgraded timer P28 retain-data',
      '2026-03-13T16:00:00.000Z downgraded timer P28 delete-data',
    ],
    final: 'downgraded',
  },
  {
    name: 'expiry on Feb 28 of a leap year: day 7 is March 6',
    policy: 'P28',
    clauses: ['P28'],
    events: [
      ['2028-01-20T10:00:00+08:00', 'order-paid'],
      ['2028-02-28T12:00:00+08:00', 'expire'],
    ],
    until: '2028-04-01T00:00:00+08:00',
    timeline: [
      '2028-01-20T02:00:00.000Z active order-paid G9.1.1 ',
      '2028-02-28T04:00:00.000Z grace expire P28 ',
      '2028-03-05T16:00:00.000Z downgraded timer P28 retain-data',
      '2028-03-12T16:00:00.000Z downgraded timer P28 delete-data',
    ],
    final: 'downgraded',
  },
  {
    name: 'free for now: no timers',
    policy: 'P29',
    clauses: ['P29'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'payment']],
    until: END,
    timeline: [`${A} P29 `],
    final: 'active',
  },
  {
    name: 'stops after 24 h; instance deleted 7 days after the arrears',
    policy: 'P30',
    clauses: ['P30'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P30 `,
      '2026-03-05T02:00:00.000Z grace arrears P30 billing-continues',
      `2026-03-06T02:00:00.000Z suspended timer P30 ${FROZEN}`,
      '2026-03-12T02:00:00.000Z released timer P30 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'arrears: no create/scale/deploy; existing run 168 h billed; then released',
    policy: 'P31',
    clauses: ['P31', 'G3.3'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} P31 `,
      '2026-03-05T02:00:00.000Z restricted arrears P31 block-create,block-write,billing-continues',
      '2026-03-12T02:00:00.000Z released timer P31 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'reminders 7/3/1 days before the term end, suspended at expiry, released 360 h later',
    policy: 'ID1',
    clauses: ['ID1', 'G3.2.2', 'ID3', 'G6.4', 'G6.5'],
    events: [
      ['2026-03-01T10:00:00+08:00', 'order-paid', END],
      [END, 'expire'],
    ],
    until: '2026-05-01T00:00:00+08:00',
    timeline: [
      '2026-03-01T02:00:00.000Z active order-paid G9.1.1 ',
      '2026-03-24T16:00:00.000Z active timer ID1 notify',
      '2026-03-28T16:00:00.000Z active timer ID1 notify',
      '2026-03-30T16:00:00.000Z active timer ID1 notify',
      '2026-03-31T16:00:00.000Z suspended expire ID1 block-write,block-api,retain-data',
      '2026-04-15T16:00:00.000Z released timer ID1 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'early renewal with a new term end moves the reminders',
    policy: 'ID1',
    clauses: ['ID1', 'G3.2.2'],
    events: [
      ['2026-03-01T10:00:00+08:00', 'order-paid', END],
      ['2026-03-20T10:00:00+08:00', 'renew', '2026-05-01T00:00:00+08:00'],
    ],
    until: '2026-04-28T00:00:00+08:00',
    timeline: [
      '2026-03-01T02:00:00.000Z active order-paid G9.1.1 ',
      '2026-04-23T16:00:00.000Z active timer ID1 notify',
      '2026-04-27T16:00:00.000Z active timer ID1 notify',
    ],
    final: 'active',
  },
  {
    name: 'unpaid order void after 7 days',
    policy: 'ID1',
    clauses: ['ID1', 'G3.2.1'],
    events: [['2026-03-01T10:00:00+08:00', 'order-created']],
    until: END,
    timeline: [
      '2026-03-01T02:00:00.000Z pending-payment order-created G3.2.1 ',
      '2026-03-08T02:00:00.000Z void timer G3.2.1 ',
    ],
    final: 'void',
  },
  {
    name: 'arrears: 24 h, suspended, released 360 h after suspension',
    policy: 'ID2',
    clauses: ['ID2', 'ID3', 'G3.3'],
    events: [open(), ['2026-03-05T10:00:00+08:00', 'arrears']],
    until: END,
    timeline: [
      `${A} ID2 `,
      '2026-03-05T02:00:00.000Z grace arrears ID2 billing-continues',
      '2026-03-06T02:00:00.000Z suspended timer ID2 block-write,block-api,retain-data',
      '2026-03-21T02:00:00.000Z released timer ID2 delete-data',
    ],
    final: 'released',
  },
  {
    name: 'paid during suspension: resumes',
    policy: 'ID2',
    clauses: ['ID2'],
    events: [
      open(),
      ['2026-03-05T10:00:00+08:00', 'arrears'],
      ['2026-03-20T10:00:00+08:00', 'payment'],
    ],
    until: END,
    timeline: [
      `${A} ID2 `,
      '2026-03-05T02:00:00.000Z grace arrears ID2 billing-continues',
      '2026-03-06T02:00:00.000Z suspended timer ID2 block-write,block-api,retain-data',
      '2026-03-20T02:00:00.000Z active payment ID2 ',
    ],
    final: 'active',
  },
];

for (const row of rows) {
  test(`${row.policy}${row.variant ? `/${row.variant}` : ''}: ${row.name} [${row.clauses.join(' ')}]`, () => {
    const found = findPolicy(row.policy, row.variant);
    assert.ok(found.ok, found.ok ? '' : found.error);
    const events = row.events.map(([at, type, termEnd]) => ({
      at: instant(at),
      type,
      ...(termEnd ? { termEnd: instant(termEnd) } : {}),
    }));
    const out = toOutput(
      { policy: found.policy, events, until: instant(row.until) },
      simulate(found.policy, events, instant(row.until)),
    );
    assert.deepEqual(
      out.timeline.map((e) => `${e.at} ${e.state} ${e.cause} ${e.clause} ${e.effects.join(',')}`),
      row.timeline,
    );
    assert.equal(out.final, row.final);
    assert.deepEqual(
      (out.ignored ?? []).map((i) => `${i.type}@${i.at}`),
      row.ignored ?? [],
    );
  });
}

test('every lifecycle policy in the catalog has at least one scenario here', () => {
  const covered = new Set(
    rows.map((r) => {
      const f = findPolicy(r.policy, r.variant);
      assert.ok(f.ok);
      return policyKey(f.policy);
    }),
  );
  assert.deepEqual(
    CATALOG.map(policyKey).filter((k) => !covered.has(k)),
    [],
  );
});
