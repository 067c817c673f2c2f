// What the operations services need: the store, clocks and the other modules' ports.
import type { Clock } from '../../clock.ts';
import type { Store } from '../../ports.ts';
import type { AccountClocks, JobQueue, LedgerPort } from '../contracts.ts';
import type { NoticeChannel } from '../operations-ports.ts';

export type Locale = 'en' | 'zh-CN';

/** Renders a notice template (en / zh-CN) and names its channels. */
export interface NoticeRenderer {
  render(
    template: string,
    locale: Locale,
    vars: Record<string, string | number>,
  ): { subject: string; body: string; short: string };
  /** Channels besides the in-site inbox (always): email, sms, paper. */
  channels(template: string): NoticeChannel[];
}

/** Sends one message outside; throws on a failure worth retrying. */
export interface ChannelSenders {
  email(m: { to: string; subject: string; text: string }): Promise<SendResult>;
  sms(m: { to: string; text: string }): Promise<SendResult>;
}
export interface SendResult {
  /** `smtp`, `log` (development: logged, not sent), `sms-log` … */
  transport: string;
  /** the recipient was refused (wrong or stale address): still delivered (G11.4) */
  rejected?: string;
}

export interface OperationsOptions {
  publicUrl: string;
  /** Hours before a scheduled lifecycle transition that its notice goes out (default 48). */
  noticeLeadHours: number;
  /** Attempts at sending one notice before it is marked failed (default 5). */
  noticeMaxAttempts: number;
  /** First-response targets in hours by severity 1..4 (G5.2). */
  responseHours: Record<1 | 2 | 3 | 4, number>;
}

export const defaultOperationsOptions: OperationsOptions = {
  publicUrl: 'http://localhost:3000',
  noticeLeadHours: 48,
  noticeMaxAttempts: 5,
  responseHours: { 1: 1, 2: 4, 3: 24, 4: 72 },
};

export interface OperationsDeps {
  store: Store;
  /** The wall clock (operator actions that belong to no account). */
  clock: Clock;
  clocks: AccountClocks;
  jobs: JobQueue;
  ledger: LedgerPort;
  renderer: NoticeRenderer;
  options: OperationsOptions;
}
