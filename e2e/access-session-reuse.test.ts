// Conditional access when an OIDC session is reused (issue 6), through the real hosted
// pages and openid-client on every store. A browser signed in through application A
// reaches other applications without the sign-in page; their policies still apply:
//   - B's `deny` policy ends B's authorization with access_denied at B's redirect URI,
//     while A keeps working; disabling the policy lets B in at once (nothing cached);
//   - C's `mfa` policy asks the second step — never the password again — and C's ID token
//     then says acr mfa; prompt=none gets interaction_required instead of a page;
//   - A (no policy, default allow) is unchanged: no page, one decision audited per request,
//     and a fresh sign-in is evaluated once (not again when the authorization resumes).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { availableStoreKinds } from '@idaas/storage';
import type { AuditInput, Instance, User } from '@idaas/core';
import type { TestServer } from '../packages/server/src/testing.ts';
import { ACR, beginTotp, confirmTotp } from '../packages/server/src/mfa/service.ts';
import { Browser, type Page } from './support/browser.ts';
import { createApp, createUser, instance, rp, startOidcServer, PASSWORD } from './support/oidc.ts';
import { totpAt } from './mfa-support.ts';

const SLUG = 'reuse';
const origin = { actor: { type: 'system' as const, id: null } };

interface App {
  clientId: string;
  redirect: string;
  config: client.Configuration;
}

for (const kind of availableStoreKinds()) {
  describe(`conditional access on session reuse (${kind})`, () => {
    let server: TestServer;
    let inst: Instance;
    let a: App, b: App, c: App;
    let denyB = '';
    const audited: AuditInput[] = [];
    const decisions = (from: number) =>
      audited.slice(from).filter((e) => e.action === 'access.decision');

    async function app(name: string): Promise<App> {
      const redirect = `https://${name}.example.test/cb`;
      const { application, clientSecret } = await createApp(server, inst, {
        name,
        grantTypes: ['authorization_code'],
        redirectUris: [redirect],
        firstParty: true, // no consent page: the flow ends at the redirect URI
      });
      return {
        clientId: application.clientId,
        redirect,
        config: await rp(server, SLUG, application.clientId, clientSecret),
      };
    }

    before(async () => {
      server = await startOidcServer(kind);
      const sink = server.sctx.audit;
      const record = sink.record.bind(sink);
      sink.record = async (e) => {
        audited.push(e);
        await record(e);
      };
      inst = await instance(server, SLUG);
      a = await app('app-a');
      b = await app('app-b');
      c = await app('app-c');
      const { createPolicy } = await import('../packages/server/src/security/access-admin.ts');
      const policy = (name: string, decision: 'deny' | 'mfa', clientId: string) =>
        createPolicy(
          server.sctx,
          inst,
          {
            name,
            decision,
            enabled: true,
            conditions: {
              applications: [{ kind: 'oidc', id: clientId }],
              users: [],
              groups: [],
              networks: [],
              device: 'any',
              exclude: { applications: [], users: [], groups: [], networks: [] },
            },
          },
          origin,
        );
      denyB = (await policy('B is closed', 'deny', b.clientId)).id;
      await policy('C needs MFA', 'mfa', c.clientId);
    });
    after(() => server?.close());

    /** An authorization request of `app` in `browser`: the first page, or the redirect URI. */
    async function authorize(app: App, browser: Browser, extra: Record<string, string> = {}) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(app.config, {
        redirect_uri: app.redirect,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        ...extra,
      });
      const stop = (l: string) => l.startsWith(app.redirect);
      const page = await browser.go(url.href, {}, stop);
      const tokens = () => {
        assert.ok(stop(page.url), `at the RP: ${page.url}\n${page.text}`);
        return client.authorizationCodeGrant(app.config, new URL(page.url), {
          pkceCodeVerifier: verifier,
          expectedState: state,
        });
      };
      return { page, stop, verifier, state, tokens };
    }

    /** Signs `username` in through app A with the password (a fresh sign-in). */
    async function signInThroughA(browser: Browser, username: string) {
      const first = await authorize(a, browser);
      assert.match(first.page.text, /name="password"/);
      const done: Page = await browser.submit(first.page, {
        action: /\/login$/,
        fields: { login: username, password: PASSWORD },
        stop: first.stop,
      });
      assert.ok(first.stop(done.url), `signed in at A: ${done.url}\n${done.text}`);
      return client.authorizationCodeGrant(a.config, new URL(done.url), {
        pkceCodeVerifier: first.verifier,
        expectedState: first.state,
      });
    }

    it('allow path unchanged: a fresh sign-in is evaluated once, a reused session once per request, no page', async () => {
      const user = await createUser(server, inst, 'alice');
      const browser = new Browser();
      const n = audited.length;
      const t = await signInThroughA(browser, 'alice');
      assert.equal(t.claims()?.sub, user.id);
      assert.equal(t.claims()?.acr, ACR.pwd);
      const fresh = decisions(n);
      assert.equal(fresh.length, 1, 'the resumed authorization does not evaluate again');
      assert.equal(fresh[0]!.details?.session, undefined, 'decided by the sign-in');

      const m = audited.length;
      const again = await authorize(a, browser);
      assert.ok(again.stop(again.page.url), 'no page for an allowed reused session');
      assert.equal((await again.tokens()).claims()?.sub, user.id);
      const reused = decisions(m);
      assert.equal(reused.length, 1);
      assert.equal(reused[0]!.result, 'success');
      assert.deepEqual(
        {
          decision: reused[0]!.details?.decision,
          policy: reused[0]!.details?.policy,
          session: reused[0]!.details?.session,
          client: reused[0]!.details?.client,
        },
        { decision: 'allow', policy: null, session: true, client: a.clientId },
      );
      assert.equal(reused[0]!.actor.id, user.id);
      assert.ok(reused[0]!.ip, 'the request metadata is recorded');
    });

    it('signed in through A, B whose policy denies gets access_denied while A still works', async () => {
      const user = await createUser(server, inst, 'bob');
      const browser = new Browser();
      await signInThroughA(browser, 'bob');

      const n = audited.length;
      const refused = await authorize(b, browser);
      assert.ok(refused.stop(refused.page.url), 'the refusal goes to B, no page');
      assert.doesNotMatch(refused.page.text, /name="password"/);
      const back = new URL(refused.page.url);
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('state'), refused.state);
      assert.equal(back.searchParams.get('code'), null);
      await assert.rejects(
        refused.tokens(),
        (e: Error & { error?: string }) => e.error === 'access_denied',
        'openid-client sees access_denied',
      );
      const d = decisions(n);
      assert.equal(d.length, 1);
      assert.equal(d[0]!.result, 'denied');
      assert.equal(d[0]!.details?.decision, 'deny');
      assert.equal(d[0]!.details?.policy, denyB);
      assert.equal(d[0]!.details?.client, b.clientId);
      assert.equal(d[0]!.actor.id, user.id);

      // A still works with the same session
      const stillA = await authorize(a, browser);
      assert.equal((await stillA.tokens()).claims()?.sub, user.id);

      // the policy is read on every request: disabled, B lets the session in at once
      const { updatePolicy } = await import('../packages/server/src/security/access-admin.ts');
      await updatePolicy(server.sctx, inst, denyB, { enabled: false }, origin);
      try {
        const open = await authorize(b, browser);
        assert.equal((await open.tokens()).claims()?.sub, user.id);
      } finally {
        await updatePolicy(server.sctx, inst, denyB, { enabled: true }, origin);
      }
      const closed = await authorize(b, browser);
      assert.equal(new URL(closed.page.url).searchParams.get('error'), 'access_denied');
    });

    it('C requiring MFA: the second step without the password, then acr mfa; prompt=none gets interaction_required', async () => {
      const user: User = await createUser(server, inst, 'carol');
      const browser = new Browser();
      const weak = await signInThroughA(browser, 'carol');
      assert.equal(weak.claims()?.acr, ACR.pwd);
      // an authenticator app enrolled after that sign-in: the session is still password-only
      const enrollment = await beginTotp(server.sctx, inst, user);
      const now = server.sctx.clock.now().getTime();
      await confirmTotp(
        server.sctx,
        inst,
        user,
        enrollment.enrollmentId,
        totpAt(enrollment.secret, now),
        'phone',
      );

      // prompt=none: the client learns a sign-in is needed, no page
      const passive = await authorize(c, browser, { prompt: 'none' });
      assert.ok(passive.stop(passive.page.url));
      assert.equal(new URL(passive.page.url).searchParams.get('error'), 'interaction_required');

      const n = audited.length;
      const up = await authorize(c, browser);
      assert.equal(up.page.status, 200, up.page.text);
      assert.doesNotMatch(up.page.text, /name="password"/, 'never the password again');
      assert.match(up.page.text, /\/mfa\/totp"/, 'the second step');
      const d = decisions(n);
      assert.equal(d.length, 1);
      assert.equal(d[0]!.details?.decision, 'mfa');
      assert.equal(d[0]!.details?.step_up, true);
      assert.equal(d[0]!.details?.client, c.clientId);

      const done = await browser.submit(up.page, {
        action: /\/mfa\/totp$/,
        fields: { code: totpAt(enrollment.secret, now + 30_000) }, // the next step: no replay
        stop: up.stop,
      });
      assert.ok(up.stop(done.url), `back at C: ${done.url}\n${done.text}`);
      const strong = (
        await client.authorizationCodeGrant(c.config, new URL(done.url), {
          pkceCodeVerifier: up.verifier,
          expectedState: up.state,
        })
      ).claims()!;
      assert.equal(strong.sub, user.id);
      assert.equal(strong.acr, ACR.mfa);
      assert.deepEqual([...(strong.amr as string[])].sort(), ['mfa', 'otp', 'pwd']);
      // the resumed authorization re-evaluated (a step-up is not a decided sign-in): mfa, satisfied
      const resumed = decisions(n).slice(1);
      assert.equal(resumed.length, 1);
      assert.equal(resumed[0]!.details?.step_up, false);

      // the session is now strong: C again needs no page, B is still refused
      const again = await authorize(c, browser);
      assert.equal((await again.tokens()).claims()?.acr, ACR.mfa);
      const refused = await authorize(b, browser);
      assert.equal(new URL(refused.page.url).searchParams.get('error'), 'access_denied');
    });
  });
}
