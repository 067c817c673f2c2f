// Emails of the password module (reset links, lockout notices), in English and
// Simplified Chinese, through the SMTP settings of the notices (SMTP_URL, SMTP_FROM);
// logged, not sent, when SMTP_URL is unset. Sent off the response path, so that whether
// an account exists never shows in response times.
import type { Instance, User } from '@idaas/core';
import type { ServerContext } from '../context.ts';
import { loggingTransport, smtpTransport, type MailTransport } from '../notices/mail.ts';
import { t } from '../i18n.ts';
import './messages.ts';

const transports = new WeakMap<ServerContext, MailTransport>();

function transport(sctx: ServerContext): MailTransport {
  let tr = transports.get(sctx);
  if (!tr) {
    const { smtpUrl, smtpFrom } = sctx.config.notices;
    tr = smtpUrl ? smtpTransport(smtpUrl, smtpFrom) : loggingTransport(sctx.logger);
    transports.set(sctx, tr);
  }
  return tr;
}

const pending = new Set<Promise<void>>();

/** Runs `task` in the background; failures are logged (never with the mail's content). */
export function inBackground(sctx: ServerContext, what: string, task: () => Promise<void>): void {
  const p = (async () => {
    await new Promise((r) => setImmediate(r));
    await task();
  })()
    .catch((err: unknown) => sctx.logger.error({ err, event: what }, 'password mail task failed'))
    .finally(() => pending.delete(p));
  pending.add(p);
}

/** Resolves once every background task started so far has finished (tests, shutdown). */
export async function settled(): Promise<void> {
  while (pending.size) await Promise.all([...pending]);
}

/** Both languages in one message: English first, then Simplified Chinese. */
function bilingual(key: string, vars: Record<string, string | number>): string {
  return `${t('en', key, vars)}\n\n---\n\n${t('zh-CN', key, vars)}\n`;
}

export async function sendPasswordMail(
  sctx: ServerContext,
  to: string,
  kind: 'reset' | 'lockout',
  vars: Record<string, string | number>,
): Promise<void> {
  const subject = `${t('en', `mail.password.${kind}.subject`, vars)} / ${t('zh-CN', `mail.password.${kind}.subject`, vars)}`;
  await transport(sctx).send({ to, subject, text: bilingual(`mail.password.${kind}.body`, vars) });
}

/** The user a sign-in or reset form names (username, or email when it has an @). */
export async function findByLogin(
  sctx: ServerContext,
  instance: Instance,
  login: string,
): Promise<User | null> {
  const repo = sctx.store.repos.users;
  return (
    (await repo.getByUsername(instance.id, login)) ??
    (login.includes('@') ? await repo.getByEmail(instance.id, login) : null)
  );
}

/** Tells the owner of a login (if it exists and has an email) that it was locked. */
export function notifyLockout(
  sctx: ServerContext,
  instance: Instance,
  login: string,
  lockMs: number,
): void {
  inBackground(sctx, 'login.lockout.notify', async () => {
    const user = await findByLogin(sctx, instance, login);
    if (!user?.email) return;
    await sendPasswordMail(sctx, user.email, 'lockout', {
      instance: instance.displayName,
      username: user.username,
      minutes: Math.max(1, Math.ceil(lockMs / 60_000)),
      forgot: `${sctx.config.publicUrl}/i/${encodeURIComponent(instance.slug)}/password/forgot`,
    });
  });
}
