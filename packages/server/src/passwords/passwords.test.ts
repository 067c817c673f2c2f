// Passwords end to end on real parts: two server processes' worth of servers on one
// database sharing Redis (lockout and backoff seen by both), in-process mode, no user
// enumeration, self-service reset with mail on a real local SMTP server, the forced
// change, and the admin API for the policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { argon2Hasher, KeyEncryptionKey, ManualClock, type Instance } from '@idaas/core';
import { availableStoreKinds, freshDatabaseUrl, openStore, type StoreKind } from '@idaas/storage';
import { loadConfig } from '../config.ts';
import { createLogger, startServer, type RunningServer } from '../server.ts';
import { freePort, TEST_ADMIN_PASSWORD } from '../testing.ts';
import { adminToken } from '../api/fixtures.ts';
import { Browser, type Page } from '../../../../e2e/support/browser.ts';
import { settled } from './mail.ts';

const PASSWORD = 'violet staple orbit 42';
const REDIRECT = 'http://127.0.0.1:9/cb';

interface Mail {
  to: string[];
  text: string;
}

function decodeMail(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(head!))
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head!))
    return Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return body;
}

async function startSmtp(): Promise<{ server: SMTPServer; url: string; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          text: decodeMail(Buffer.concat(chunks).toString('utf8')),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { server, url: `smtp://127.0.0.1:${port}`, mails };
}

async function waitFor<T>(what: string, fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Servers on one database (like processes of one deployment), sharing a manual clock. */
async function startServers(
  kind: StoreKind,
  n: number,
  env: Record<string, string>,
  clock: ManualClock,
): Promise<{ servers: RunningServer[]; close(): Promise<void> }> {
  const { url: databaseUrl, drop } = await freshDatabaseUrl(kind);
  const kek = randomBytes(32).toString('base64');
  const servers: RunningServer[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl,
      IDAAS_KEK: kek,
      IDAAS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...env,
    });
    servers.push(
      await startServer(config, {
        store: openStore(databaseUrl, { kek: KeyEncryptionKey.fromBase64(kek) }),
        logger: createLogger(config.logLevel),
        hasher: argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
        clock,
        background: false,
      }),
    );
  }
  return {
    servers,
    async close() {
      await settled();
      for (const s of servers) await s.close();
      await drop();
    },
  };
}

async function setUp(
  s: RunningServer,
  others: RunningServer[] = [],
): Promise<{ inst: Instance; clientId: string }> {
  const core = s.sctx.core;
  const inst =
    (await core.instances.find('acme')) ?? (await core.instances.create({ slug: 'acme' }));
  const { application } = await core.applications.create(inst, {
    name: 'Test app',
    public: true,
    grantTypes: ['authorization_code'],
    redirectUris: [REDIRECT],
  });
  for (const x of [s, ...others]) x.app.oidc.invalidate?.(inst.slug);
  return { inst, clientId: application.clientId };
}

/** Opens the hosted sign-in page of a fresh authorization request. */
async function signInPage(
  s: RunningServer,
  clientId: string,
  browser = new Browser(),
): Promise<Page> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const page = await browser.go(`${s.url}/i/acme/auth?${q}`);
  assert.equal(page.status, 200, page.text);
  assert.match(page.text, /name="password"/);
  (page as Page & { browser: Browser }).browser = browser;
  return page;
}

const browserOf = (p: Page) => (p as Page & { browser: Browser }).browser;
const alert = (t: string) => /role="alert"[^>]*>([^<]+)</.exec(t)?.[1];

async function attempt(page: Page, login: string, password: string): Promise<Page> {
  return browserOf(page).submit(page, {
    action: /\/login$/,
    fields: { login, password },
    stop: (l) => !l.includes('/interaction/'),
  });
}

const kinds = availableStoreKinds();
const redisUrl = process.env.TEST_REDIS_URL;
const LOCK_ENV = {
  LOGIN_BACKOFF_AFTER: '3',
  LOGIN_LOCKOUT_AFTER: '5',
  LOGIN_LOCKOUT_SECONDS: '600',
  LOGIN_BACKOFF_MAX_SECONDS: '30',
};

for (const kind of kinds) {
  for (const mode of redisUrl ? (['redis', 'memory'] as const) : (['memory'] as const)) {
    describe(`sign-in lockout on ${kind}, ${mode === 'redis' ? 'two servers sharing Redis' : 'in-process'}`, () => {
      let smtp: Awaited<ReturnType<typeof startSmtp>>;
      let env: Awaited<ReturnType<typeof startServers>>;
      const clock = new ManualClock('2026-03-01T08:00:00Z');
      let a: RunningServer;
      let b: RunningServer;
      let clientId: string;

      before(async () => {
        smtp = await startSmtp();
        env = await startServers(
          kind,
          mode === 'redis' ? 2 : 1,
          {
            ...LOCK_ENV,
            SMTP_URL: smtp.url,
            ...(mode === 'redis' ? { REDIS_URL: redisUrl! } : {}),
          },
          clock,
        );
        a = env.servers[0]!;
        b = env.servers[1] ?? a;
        const { inst, clientId: c } = await setUp(a, env.servers);
        clientId = c;
        await a.sctx.core.directory.createUser(inst, {
          username: 'dana',
          password: PASSWORD,
          email: 'dana@example.test',
        });
      });
      after(async () => {
        await env?.close();
        await new Promise<void>((r) => smtp?.server.close(() => r()));
      });

      test('backoff then lockout, seen by every server; the right password refused while locked; works after', async () => {
        const pa = await signInPage(a, clientId);
        const pb = await signInPage(b, clientId);
        for (const [i, p] of [pa, pb, pa].entries()) {
          const r = await attempt(p, 'dana', `wrong guess ${i}`);
          assert.equal(r.status, 401, `failure ${i + 1}`);
        }
        // 3 failures: the next attempt waits 1 s, on the other server too
        const waited = await attempt(pb, 'dana', PASSWORD);
        assert.equal(waited.status, 429);
        assert.equal(waited.headers.get('retry-after'), '1');
        assert.match(alert(waited.text)!, /Wait a few seconds/);
        clock.advance(1001);
        assert.equal((await attempt(pb, 'dana', 'wrong guess 4')).status, 401);
        // 4 failures: 2 s
        const w2 = await attempt(pa, 'DANA', 'wrong guess 5'); // the login is normalised
        assert.equal(w2.status, 429);
        assert.equal(w2.headers.get('retry-after'), '2');
        clock.advance(2001);
        assert.equal((await attempt(pa, 'dana', 'wrong guess 6')).status, 401);
        // 5 failures: locked for 10 minutes on both servers, the right password too
        const locked = await attempt(pb, 'dana', PASSWORD);
        assert.equal(locked.status, 429);
        assert.equal(locked.headers.get('retry-after'), '600');
        const lockedWrong = await attempt(pa, 'dana', 'anything');
        assert.equal(lockedWrong.status, 429);
        assert.equal(alert(locked.text), alert(lockedWrong.text));
        assert.match(alert(locked.text)!, /paused/);
        // the user is told once, by email
        const mail = await waitFor('lockout mail', () =>
          smtp.mails.find((m) => m.to.includes('dana@example.test')),
        );
        assert.match(mail.text, /too many failed attempts to sign in as dana/);
        assert.match(mail.text, /登录已暂停 10 分钟/);
        clock.advance(5 * 60_000);
        assert.equal((await attempt(pa, 'dana', PASSWORD)).status, 429, 'still locked');
        clock.advance(5 * 60_000 + 1000);
        const ok = await attempt(pb, 'dana', PASSWORD);
        assert.equal(ok.status, 303, ok.text);
        assert.ok(!ok.url.includes('/interaction/') || ok.status === 303);
        await settled();
        assert.equal(smtp.mails.filter((m) => m.to.includes('dana@example.test')).length, 1);
      });

      test('no enumeration: an unknown login fails, backs off and locks with the same answers', async () => {
        const pa = await signInPage(a, clientId);
        const pb = await signInPage(b, clientId);
        const known = await attempt(pa, 'dana', 'not her password');
        const unknown = await attempt(pb, 'nobody-here', 'not her password');
        assert.equal(known.status, unknown.status);
        assert.equal(alert(known.text), alert(unknown.text));
        // fail until locked, waiting out each backoff: the same steps for both logins
        const lockUp = async (login: string) => {
          const statuses: number[] = [];
          for (let i = 0; i < 20; i++) {
            const r = await attempt(i % 2 ? pa : pb, login, `guess ${i}`);
            statuses.push(r.status);
            if (r.status === 429 && r.headers.get('retry-after') === '600') return { r, statuses };
            if (r.status === 429) {
              assert.match(alert(r.text)!, /Wait a few seconds/);
              clock.advance(Number(r.headers.get('retry-after')) * 1000 + 1);
            }
          }
          throw new Error(`${login} did not lock`);
        };
        const u = await lockUp('nobody-here');
        const k = await lockUp('dana');
        assert.deepEqual(u.statuses, k.statuses);
        assert.equal(alert(u.r.text), alert(k.r.text));
        clock.advance(601_000);
      });
    });
  }

  describe(`password reset and forced change on ${kind}`, () => {
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let env: Awaited<ReturnType<typeof startServers>>;
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    let s: RunningServer;
    let inst: Instance;
    let clientId: string;
    let userId: string;

    before(async () => {
      smtp = await startSmtp();
      env = await startServers(kind, 1, { SMTP_URL: smtp.url }, clock);
      s = env.servers[0]!;
      ({ inst, clientId } = await setUp(s));
      userId = (
        await s.sctx.core.directory.createUser(inst, {
          username: 'erin',
          password: PASSWORD,
          email: 'erin@example.test',
        })
      ).id;
    });
    after(async () => {
      await env?.close();
      await new Promise<void>((r) => smtp?.server.close(() => r()));
    });

    const forgot = async (login: string, browser = new Browser()) => {
      const page = await browser.go(`${s.url}/i/acme/password/forgot`);
      assert.equal(page.status, 200);
      return browser.submit(page, { action: /\/forgot$/, fields: { login } });
    };
    const linkIn = (m: Mail) =>
      /(http:\/\/\S+\/password\/reset\?token=[A-Za-z0-9_-]+)/.exec(m.text)?.[1];
    const canSignIn = async (pw: string) =>
      (await s.sctx.core.directory.authenticate(inst, 'erin', pw)).ok;

    test('the sign-in page links to the reset form; unknown and known logins get the same answer', async () => {
      const page = await signInPage(s, clientId);
      assert.match(page.text, /href="\/i\/acme\/password\/forgot">Forgot password\?</);
      const before = smtp.mails.length;
      const unknown = await forgot('nobody@example.test');
      await settled();
      assert.equal(smtp.mails.length, before, 'no mail for an unknown login');
      const known = await forgot('erin');
      assert.equal(unknown.status, 200);
      assert.equal(known.status, 200);
      const statusOf = (t: string) => /role="status"[^>]*>([^<]+)</.exec(t)?.[1];
      assert.equal(statusOf(unknown.text), statusOf(known.text));
      const mail = await waitFor('reset mail', () =>
        smtp.mails.find((m) => m.to.includes('erin@example.test')),
      );
      assert.ok(linkIn(mail));
      assert.match(mail.text, /重置/);
    });

    test('a reset link works once; bad input changes nothing; sessions are revoked', async () => {
      const mail = smtp.mails.find((m) => m.to.includes('erin@example.test'))!;
      const link = linkIn(mail)!;
      // a session of erin's, to be revoked
      await s.sctx.store.repos.oidc.upsert({
        instanceId: inst.id,
        model: 'Session',
        id: 'sess-erin',
        payload: { accountId: userId, uid: 'u1' },
        grantId: null,
        uid: 'u1',
        userCode: null,
        expiresAt: new Date(clock.now().getTime() + 3600_000),
        consumedAt: null,
      });
      const browser = new Browser();
      const form = await browser.go(link);
      assert.equal(form.status, 200);
      assert.match(form.text, /autocomplete="new-password"/);
      const mismatch = await browser.submit(form, {
        action: /\/reset$/,
        fields: { password: 'amber kettle drum', confirm: 'amber kettle drums' },
      });
      assert.equal(mismatch.status, 400);
      assert.match(alert(mismatch.text)!, /do not match/);
      const common = await browser.submit(form, {
        action: /\/reset$/,
        fields: { password: 'iloveyou', confirm: 'iloveyou' },
      });
      assert.equal(common.status, 400);
      assert.match(alert(common.text)!, /breached/);
      const named = await browser.submit(form, {
        action: /\/reset$/,
        fields: { password: 'erin-rules-forever', confirm: 'erin-rules-forever' },
      });
      assert.match(alert(named.text)!, /username/);
      assert.ok(await canSignIn(PASSWORD), 'nothing changed yet');
      assert.ok(await s.sctx.store.repos.oidc.find(inst.id, 'Session', 'sess-erin'));
      const done = await browser.submit(form, {
        action: /\/reset$/,
        fields: { password: 'amber kettle drum', confirm: 'amber kettle drum' },
      });
      assert.equal(done.status, 200, done.text);
      assert.match(done.text, /signed out everywhere/);
      assert.ok(await canSignIn('amber kettle drum'));
      assert.ok(!(await canSignIn(PASSWORD)));
      assert.equal(await s.sctx.store.repos.oidc.find(inst.id, 'Session', 'sess-erin'), null);
      // the token is stored hashed
      const token = new URL(link).searchParams.get('token')!;
      assert.equal(await s.sctx.store.repos.passwordResets.get(inst.id, token), null);
      // used again: refused, nothing changed
      const again = await new Browser().go(link);
      assert.equal(again.status, 410);
      assert.match(alert(again.text)!, /already been used/);
      const replay = await browser.submit(form, {
        action: /\/reset$/,
        fields: { password: 'slate harbor lamp', confirm: 'slate harbor lamp' },
      });
      assert.equal(replay.status, 410);
      assert.ok(await canSignIn('amber kettle drum'));
      const bogus = await new Browser().go(
        `${s.url}/i/acme/password/reset?token=${'x'.repeat(43)}`,
      );
      assert.equal(bogus.status, 400);
      assert.match(alert(bogus.text)!, /not valid/);
    });

    test('an expired link is refused and changes nothing', async () => {
      const n = smtp.mails.length;
      // the reset form counts per IP: the requests and bad links above brought a backoff
      const refused = await forgot('erin@example.test');
      assert.equal(refused.status, 429);
      clock.advance(60_000);
      assert.equal((await forgot('erin@example.test')).status, 200);
      const mail = await waitFor('second reset mail', () =>
        smtp.mails.length > n ? smtp.mails.at(-1) : undefined,
      );
      clock.advance(15 * 60_000 + 1);
      const browser = new Browser();
      const page = await browser.go(linkIn(mail)!);
      assert.equal(page.status, 410);
      assert.match(alert(page.text)!, /expired/);
      const post = await browser.request(`${s.url}/i/acme/password/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: new URL(linkIn(mail)!).searchParams.get('token')!,
          password: 'slate harbor lamp',
          confirm: 'slate harbor lamp',
        }).toString(),
      });
      assert.equal(post.status, 410);
      assert.ok(await canSignIn('amber kettle drum'));
    });

    test('forced change: set by the admin API, asked after the password, policy enforced, then sign-in goes on', async () => {
      const token = await adminToken(s as never);
      const call = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`${s.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: r.status, json: (await r.json()) as Record<string, unknown> };
      };
      const missing = await call(
        'POST',
        `/instances/acme/users/${'0'.repeat(8)}/require-password-change`,
        {},
      );
      assert.equal(missing.status, 404);
      const r = await call('POST', `/instances/acme/users/${userId}/require-password-change`, {});
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.password_change_required, true);

      const page = await signInPage(s, clientId);
      const change = await attempt(page, 'erin', 'amber kettle drum');
      assert.equal(change.status, 200);
      assert.match(change.text, /choose a new password/);
      const browser = browserOf(page);
      const short = await browser.submit(change, {
        action: /\/password\/change$/,
        fields: { password: 'short', confirm: 'short' },
      });
      assert.equal(short.status, 400);
      assert.match(alert(short.text)!, /at least 8 characters/);
      assert.ok(await s.sctx.core.passwords.changeRequired(inst, userId), 'still required');
      const forged = await browser.submit(change, {
        action: /\/password\/change$/,
        fields: {
          proof: 'forged.proof',
          password: 'slate harbor lamp',
          confirm: 'slate harbor lamp',
        },
      });
      assert.equal(forged.status, 400);
      const done = await browser.submit(short, {
        action: /\/password\/change$/,
        fields: { password: 'slate harbor lamp', confirm: 'slate harbor lamp' },
      });
      assert.equal(done.status, 200, done.text);
      assert.equal(await s.sctx.core.passwords.changeRequired(inst, userId), false);
      // the proof works once: the flag is gone
      const replay = await browser.submit(change, {
        action: /\/password\/change$/,
        fields: { password: 'velvet canyon bell', confirm: 'velvet canyon bell' },
      });
      assert.equal(replay.status, 400);
      // continue: the same interaction's sign-in page, with the new password
      const cont = /href="([^"]+\/interaction\/[^"]+)"/.exec(done.text)![1]!;
      const again = await browser.go(new URL(cont, s.url).href);
      assert.match(again.text, /name="password"/);
      const out = await browser.submit(again, {
        action: /\/login$/,
        fields: { login: 'erin', password: 'slate harbor lamp' },
        stop: (l) => l.startsWith(REDIRECT),
      });
      assert.ok(out.url.startsWith(REDIRECT) || out.status === 200, `${out.status} ${out.url}`);
      if (out.url.startsWith(REDIRECT)) assert.ok(new URL(out.url).searchParams.get('code'));
    });

    test('admin API: the policy, bad values refused naming the field, enforced on users', async () => {
      const token = await adminToken(s as never);
      const call = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`${s.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: r.status, json: (await r.json()) as Record<string, unknown> };
      };
      const P = '/instances/acme/policies/password';
      const got = await call('GET', P);
      assert.equal(got.status, 200);
      assert.equal(got.json.min_length, 8);
      assert.equal(got.json.custom, false);
      assert.equal(
        (await call('GET', '/instances/platform/policies/password')).json.min_length,
        15,
      );
      const good = { ...got.json };
      delete good.custom;
      const fieldOf = (j: Record<string, unknown>) =>
        (j.errors as { field: string }[] | undefined)?.map((e) => e.field);
      for (const [patch, field] of [
        [{ min_length: 6 }, 'min_length'],
        [{ max_length: 32 }, 'max_length'],
        [{ history_count: 99 }, 'history_count'],
        [{ reject_breached: 'yes' }, 'reject_breached'],
        [{ surprise: 1 }, 'surprise'],
      ] as const) {
        const r = await call('PUT', P, { ...good, ...patch });
        assert.equal(r.status, 400, JSON.stringify(patch));
        assert.deepEqual(fieldOf(r.json), [field]);
      }
      const plat = await call('PUT', '/instances/platform/policies/password', {
        ...good,
        min_length: 10,
      });
      assert.equal(plat.status, 400);
      assert.deepEqual(fieldOf(plat.json), ['min_length']);
      assert.equal((await call('GET', P)).json.custom, false, 'nothing written');
      const put = await call('PUT', P, {
        ...good,
        min_length: 12,
        require_digit: true,
        history_count: 2,
      });
      assert.equal(put.status, 200, JSON.stringify(put.json));
      assert.equal(put.json.min_length, 12);
      const bad = await call('POST', '/instances/acme/users', {
        username: 'fred',
        password: 'no digits here at all',
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(fieldOf(bad.json), ['password']);
      assert.match(String(bad.json.detail), /digit/);
      assert.equal(await s.sctx.store.repos.users.getByUsername(inst.id, 'fred'), null);
      const fred = await call('POST', '/instances/acme/users', {
        username: 'fred',
        password: 'twelve chars 1',
      });
      assert.equal(fred.status, 201, JSON.stringify(fred.json));
      // history: the current password may not be set again
      const reuse = await call('PATCH', `/instances/acme/users/${fred.json.id}`, {
        password: 'twelve chars 1',
      });
      assert.equal(reuse.status, 400);
      assert.match(String(reuse.json.detail), /recent passwords/);
      const next = await call('PATCH', `/instances/acme/users/${fred.json.id}`, {
        password: 'thirteen chars 2',
      });
      assert.equal(next.status, 200);
      const back = await call('PATCH', `/instances/acme/users/${fred.json.id}`, {
        password: 'twelve chars 1',
      });
      assert.equal(back.status, 400, 'the previous one is in the history');
    });
  });
}
