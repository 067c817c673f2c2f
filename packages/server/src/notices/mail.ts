// Email for notices: SMTP through nodemailer when SMTP_URL is set; otherwise (outside
// production) a logging transport — the notice record then says `transport: log`.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { SendResult } from '@idaas/core/business/operations/index';

export interface MailTransport {
  readonly name: 'smtp' | 'log';
  send(m: { to: string; subject: string; text: string }): Promise<SendResult>;
  close(): void;
}

export function smtpTransport(url: string, from: string): MailTransport {
  const t = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(m) {
      try {
        const info = await t.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
        const rejected = (info.rejected ?? []).map(String);
        return { transport: 'smtp', ...(rejected.length ? { rejected: rejected.join(', ') } : {}) };
      } catch (err) {
        // the server refused the recipient (a wrong or stale address): delivered anyway (G11.4)
        const e = err as { code?: string; responseCode?: number; rejected?: unknown[] };
        if (e.code === 'EENVELOPE' && e.responseCode && e.responseCode >= 500)
          return { transport: 'smtp', rejected: m.to };
        throw err;
      }
    },
    close: () => t.close(),
  };
}

export function loggingTransport(logger: Logger): MailTransport {
  return {
    name: 'log',
    async send(m) {
      logger.info(
        { to: m.to, subject: m.subject },
        'notice email (SMTP_URL unset: logged, not sent)',
      );
      return { transport: 'log' };
    },
    close: () => {},
  };
}
