// Notice emails arrive at a real SMTP server (smtp-server on 127.0.0.1, a random port)
// with the right content in English and Simplified Chinese (the account's locale);
// deemed delivery is recorded (G11.3). The job queue is ManualJobQueue (the durable
// scheduler is lifecycle's); the transport and templates are the real ones.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ManualClock, type LedgerPort } from '@idaas/core';
import { createOperations, defaultOperationsOptions } from '@idaas/core/business/operations/index';
import { ManualJobQueue, fixedClocks } from '@idaas/core/business/operations/testing';
import { availableStoreKinds, freshStore, type TestStore } from '@idaas/storage';
import { pino } from 'pino';
import { loggingTransport, smtpTransport } from './mail.ts';
import { loggingSms } from './sms.ts';
import { noticeRenderer } from './templates.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A minimal reader of the single-part text messages nodemailer writes (RFC 5322/2047/2045). */
function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) =>
    new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const words = (v: string) =>
    v
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64').toString('utf8')
          : qp(data.replace(/_/g, ' ')),
      );
  const qp = (v: string) =>
    Buffer.from(
      v
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  const cte = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? qp(body)
        : body;
  return { subject: words(header('Subject')), text: text.replace(/\r\n/g, '\n') };
}

function startSmtp(): Promise<{ server: SMTPServer; port: number; mails: Received[] }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, cb) {
      if (address.address.endsWith('@invalid.example'))
        return cb(Object.assign(new Error('550 no such user'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.server.address() as AddressInfo).port, mails }),
    );
  });
}

const noLedger: LedgerPort = {
  charge: async () => {
    throw new Error('unused');
  },
  issueVoucher: async () => {
    throw new Error('unused');
  },
  balance: async () => ({ cashFen: 0, voucherFen: 0 }),
  feesFor: async () => 0,
};

async function seedAccount(t: TestStore, id: string, email: string, locale: string) {
  await t.store.db
    .insertInto('accounts')
    .values({
      id,
      kind: 'customer',
      name: id,
      owner_email: null,
      created_at: '2026-01-01T00:00:00.000Z',
      clock_id: null,
      status: 'active',
    } as never)
    .execute();
  await t.store.db
    .insertInto('account_contacts')
    .values({
      account_id: id,
      email,
      phone: null,
      postal_address: null,
      locale,
      updated_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
}

for (const kind of availableStoreKinds()) {
  describe(`notice emails over SMTP on ${kind}`, () => {
    let t: TestStore;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    before(async () => {
      t = await freshStore(kind);
      smtp = await startSmtp();
      await seedAccount(t, 'acc-en', 'ops@acme.example', 'en');
      await seedAccount(t, 'acc-zh', 'ops@beta.example', 'zh-CN');
      await seedAccount(t, 'acc-bad', 'gone@invalid.example', 'en');
    });
    after(async () => {
      await new Promise<void>((r) => smtp?.server.close(() => r()));
      await t?.dispose();
    });

    test('arrive with the right content in both languages; delivered when sent', async () => {
      const clock = new ManualClock('2026-03-01T02:00:00Z');
      const jobs = new ManualJobQueue(t.store);
      const mail = smtpTransport(`smtp://127.0.0.1:${smtp.port}`, 'IDaaS <notices@idaas.example>');
      const ops = createOperations(
        {
          store: t.store,
          clock,
          clocks: fixedClocks(clock),
          jobs,
          ledger: noLedger,
          renderer: noticeRenderer,
          options: { ...defaultOperationsOptions, publicUrl: 'https://idaas.example' },
        },
        Buffer.alloc(32, 1),
      );
      const sms = loggingSms(pino({ level: 'silent' }));
      ops.register(
        { email: (m) => mail.send(m), sms: (m) => sms.send(m) },
        { onTransition: () => {} },
      );
      const at = clock.now();
      for (const accountId of ['acc-en', 'acc-zh', 'acc-bad'])
        await ops.notices.notify({
          accountId,
          instanceId: null,
          template: 'lifecycle.before.released',
          vars: {
            instance: 'acme',
            from: 'suspended',
            to: 'released',
            when: '2026-03-16T00:00:00.000Z',
            clause: 'ID1',
            export_url: 'https://idaas.example/api/v1/instances/acme/export',
          },
          clause: 'ID1',
          dedupeKey: `release:${accountId}`,
          at,
        });
      await jobs.runDue(at);
      mail.close();

      const parsed = smtp.mails.map((m) => parseMail(m.raw));
      const byTo = new Map(smtp.mails.map((m, i) => [m.to[0]!, parsed[i]!]));
      assert.equal(smtp.mails.length, 2, 'the refused recipient got nothing');
      const en = byTo.get('ops@acme.example')!;
      assert.equal(en.subject, 'Instance acme will be released at 2026-03-16 08:00 (UTC+8)');
      assert.match(en.text, /will be released: all its data will be deleted, backups included/);
      assert.match(en.text, /https:\/\/idaas\.example\/api\/v1\/instances\/acme\/export/);
      assert.match(en.text, /is suspended\./);
      assert.match(en.text, /Clause ID1 of the service agreement applies/);
      assert.equal(
        smtp.mails.find((m) => m.to[0] === 'ops@acme.example')!.from,
        'notices@idaas.example',
      );
      const zh = byTo.get('ops@beta.example')!;
      assert.equal(zh.subject, '实例 acme 将于 2026-03-16 08:00 (UTC+8) 变为“已释放”');
      assert.match(zh.text, /全部数据（包括备份）将被删除且无法恢复/);
      assert.match(zh.text, /当前为“已停止服务”/);
      assert.match(zh.text, /依据服务协议第 ID1 条/);

      const emails = async (acct: string) =>
        (await ops.notices.list(acct, { limit: 10, cursor: null, channel: 'email' })).items;
      for (const acct of ['acc-en', 'acc-zh']) {
        const [n] = await emails(acct);
        assert.equal(n!.status, 'sent');
        assert.equal(n!.transport, 'smtp');
        assert.equal(n!.sentAt?.toISOString(), at.toISOString());
        assert.equal(n!.deliveredAt?.toISOString(), at.toISOString());
        assert.equal(n!.locale, acct === 'acc-en' ? 'en' : 'zh-CN');
      }
      // G11.4: a wrong address still counts as delivered, with a note
      const [bad] = await emails('acc-bad');
      assert.equal(bad!.status, 'sent');
      assert.ok(bad!.deliveredAt);
      assert.match(bad!.error ?? '', /counts as delivered \(G11\.4\)/);
    });

    test('an unreachable SMTP server: retried, not delivered; without SMTP_URL the log transport says so', async () => {
      const clock = new ManualClock('2026-03-02T00:00:00Z');
      const jobs = new ManualJobQueue(t.store);
      const deps = {
        store: t.store,
        clock,
        clocks: fixedClocks(clock),
        jobs,
        ledger: noLedger,
        renderer: noticeRenderer,
        options: { ...defaultOperationsOptions, noticeMaxAttempts: 2 },
      };
      const ops = createOperations(deps, Buffer.alloc(32, 1));
      const dead = smtpTransport('smtp://127.0.0.1:9', 'x@idaas.example'); // discard port: refused
      ops.register(
        { email: (m) => dead.send(m), sms: async () => ({ transport: 'sms-log' }) },
        { onTransition: () => {} },
      );
      const notify = (key: string) =>
        ops.notices.notify({
          accountId: 'acc-en',
          instanceId: null,
          template: 'agreement.published',
          vars: {
            version: 'v2',
            summary: 's',
            effective_at: '2026-04-10T00:00:00.000Z',
            clause: 'G14.2',
          },
          clause: 'G14.2',
          dedupeKey: key,
          at: clock.now(),
        });
      await notify('dead');
      await jobs.runDue(clock.now());
      await jobs.runDue(new Date(clock.now().getTime() + 3_600_000));
      const [n] = (
        await ops.notices.list('acc-en', { limit: 50, cursor: null, channel: 'email' })
      ).items.filter((x) => x.dedupeKey === 'dead:email');
      assert.equal(n!.status, 'failed');
      assert.equal(n!.attempts, 2);
      assert.equal(n!.deliveredAt, null);

      const logged = createOperations(
        { ...deps, jobs: new ManualJobQueue(t.store) },
        Buffer.alloc(32, 1),
      );
      const log = loggingTransport(pino({ level: 'silent' }));
      logged.register(
        { email: (m) => log.send(m), sms: async () => ({ transport: 'sms-log' }) },
        { onTransition: () => {} },
      );
      await logged.notices.notify({
        accountId: 'acc-zh',
        instanceId: null,
        template: 'agreement.published',
        vars: {
          version: 'v2',
          summary: '摘要',
          effective_at: '2026-04-10T00:00:00.000Z',
          clause: 'G14.2',
        },
        clause: 'G14.2',
        dedupeKey: 'logged',
        at: clock.now(),
      });
      await (logged.deps.jobs as ManualJobQueue).runDue(clock.now());
      const [l] = (
        await logged.notices.list('acc-zh', { limit: 50, cursor: null, channel: 'email' })
      ).items.filter((x) => x.dedupeKey === 'logged:email');
      assert.equal(l!.status, 'sent');
      assert.equal(l!.transport, 'log');
      assert.equal(l!.subject, '服务协议 v2 将于 2026-04-10 08:00 (UTC+8) 生效');
    });
  });
}
