// SMS for notices: a provider port; the logging provider is the development default.
import type { Logger } from 'pino';
import type { SendResult } from '@idaas/core/business/operations/index';

export interface SmsProvider {
  readonly name: string;
  send(m: { to: string; text: string }): Promise<SendResult>;
}

export function loggingSms(logger: Logger): SmsProvider {
  return {
    name: 'sms-log',
    async send(m) {
      logger.info({ to: m.to, text: m.text }, 'notice SMS (no SMS provider: logged, not sent)');
      return { transport: 'sms-log' };
    },
  };
}
