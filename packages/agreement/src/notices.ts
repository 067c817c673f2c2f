// Notices (G11.3, G11.4) and agreement changes (G14.2).
import { AGREEMENT_ZONE } from './model.ts';
import { DAY, dateOf, startOfDate } from './time.ts';

export const ELECTRONIC = ['site', 'sms', 'email', 'system', 'in-site'] as const;
export type Channel = (typeof ELECTRONIC)[number] | 'paper';

export interface Notice {
  channel: Channel;
  /** the instant it was sent successfully (electronic) or posted (paper) */
  sentAt: number;
  /** G11.4: wrong or stale contact details do not prevent delivery; accepted and ignored */
  contactStale?: boolean;
}

/**
 * G11.3: electronic notices are delivered when sent; paper notices at 00:00 of natural
 * day 5 after the posting day (posting day + 5, agreement zone).
 */
export function deliveredAt(notice: Notice, zone = AGREEMENT_ZONE): number {
  if (notice.channel !== 'paper') return notice.sentAt;
  return startOfDate(zone, dateOf(zone, notice.sentAt) + 5);
}

export const CHANGE_NOTICE_DAYS = 30;

/** G14.2: a change takes effect no earlier than 30 days (exact) after its notice is delivered. */
export function earliestChangeEffective(noticeDeliveredAt: number): number {
  return noticeDeliveredAt + CHANGE_NOTICE_DAYS * DAY;
}
/** Inclusive: exactly 30 days after delivery is allowed. */
export function changeMayTakeEffect(noticeDeliveredAt: number, effectiveAt: number): boolean {
  return effectiveAt >= earliestChangeEffective(noticeDeliveredAt);
}
