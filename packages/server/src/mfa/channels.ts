// Where one-time codes go: email through SMTP (config SMTP_URL) and SMS through the SMS
// provider port of notices. Per server context; tests and deployments may set the SMS
// provider (`setMfaSms`). The fallbacks log that a code was sent, never the code.
import type { ServerContext } from '../context.ts';
import { smtpTransport, type MailTransport } from '../notices/mail.ts';
import type { SmsProvider } from '../notices/sms.ts';

export interface MfaChannels {
  mail: Pick<MailTransport, 'send'>;
  sms: SmsProvider;
}

const bySctx = new WeakMap<ServerContext, MfaChannels>();

export function mfaChannels(sctx: ServerContext): MfaChannels {
  let c = bySctx.get(sctx);
  if (!c) {
    const { smtpUrl, smtpFrom } = sctx.config.notices;
    const log = sctx.logger;
    c = {
      mail: smtpUrl
        ? smtpTransport(smtpUrl, smtpFrom)
        : {
            async send(m) {
              log.warn(
                { event: 'mfa.email.unsent' },
                'one-time code email not sent: SMTP_URL unset',
              );
              void m;
              return { transport: 'log' };
            },
          },
      sms: {
        name: 'sms-none',
        async send() {
          log.warn({ event: 'mfa.sms.unsent' }, 'one-time code SMS not sent: no SMS provider');
          return { transport: 'sms-none' };
        },
      },
    };
    bySctx.set(sctx, c);
  }
  return c;
}

/** Sets the SMS provider one-time codes are sent with. */
export function setMfaSms(sctx: ServerContext, sms: SmsProvider): void {
  bySctx.set(sctx, { ...mfaChannels(sctx), sms });
}
