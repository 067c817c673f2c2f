// The account pages' own client `account-portal` is first-party and internal: the first
// visit signs in without a consent page, and the client is not among the instance's
// applications. A client created before it was flagged is upgraded on first use.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableStoreKinds } from '@idaas/storage';
import type { Instance } from '@idaas/core';
import { startApi, type ApiHarness } from '../packages/server/src/api/fixtures.ts';
import { ACCOUNT_CLIENT } from '../packages/server/src/account/index.ts';
import { Browser, type Page } from './support/browser.ts';
import { createUser, PASSWORD } from './support/oidc.ts';

for (const kind of availableStoreKinds()) {
  describe(`account pages: first-party internal client (${kind})`, () => {
    let h: ApiHarness;

    before(async () => {
      h = await startApi(kind);
    });
    after(() => h?.close());

    /** Visits the account page of a fresh browser; returns every page seen on the way. */
    async function firstVisit(slug: string, username: string): Promise<Page[]> {
      const browser = new Browser();
      const accountUrl = `${h.server.url}/i/${slug}/account`;
      const stop = (l: string) => l.startsWith(`${accountUrl}/callback`);
      const seen: Page[] = [];
      let page = await browser.go(accountUrl, {}, stop);
      seen.push(page);
      assert.match(page.text, /name="password"/, 'the sign-in page first');
      page = await browser.submit(page, {
        action: /\/login$/,
        fields: { login: username, password: PASSWORD },
        stop,
      });
      seen.push(page);
      // straight back to the account pages: no consent form in between
      assert.ok(stop(page.url), `expected the account callback, got ${page.url}\n${page.text}`);
      page = await browser.go(page.url);
      seen.push(page);
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, /id="factors"|No second factor yet/);
      return seen;
    }

    const listed = async (slug: string): Promise<string[]> => {
      const r = await h.api('GET', `/instances/${slug}/applications?limit=200`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.json as { items: { client_id: string }[] }).items.map((a) => a.client_id);
    };

    it('signs in on the first visit without a consent page; the client is not listed', async () => {
      const slug = 'account-first';
      const inst = await h.server.sctx.core.instances.create({ slug });
      await createUser(h.server, inst, 'olivia');
      const seen = await firstVisit(slug, 'olivia');
      for (const p of seen) assert.doesNotMatch(p.text, /\/confirm"/, `consent on ${p.url}`);
      const app = await h.server.sctx.store.repos.applications.getByClientId(
        inst.id,
        ACCOUNT_CLIENT,
      );
      assert.ok(app?.firstParty && app.internal, 'created first-party and internal');
      assert.ok(!(await listed(slug)).includes(ACCOUNT_CLIENT));
    });

    it('upgrades an account client created before it was flagged', async () => {
      const slug = 'account-legacy';
      const inst: Instance = await h.server.sctx.core.instances.create({ slug });
      await createUser(h.server, inst, 'oscar');
      // as earlier versions created it: an ordinary public client
      await h.server.sctx.core.applications.create(inst, {
        name: 'Account',
        clientId: ACCOUNT_CLIENT,
        public: true,
        redirectUris: [`${h.server.sctx.config.publicUrl}/i/${slug}/account/callback`],
        grantTypes: ['authorization_code'],
        scopes: ['openid'],
      });
      assert.ok((await listed(slug)).includes(ACCOUNT_CLIENT), 'listed before the upgrade');
      const seen = await firstVisit(slug, 'oscar');
      for (const p of seen) assert.doesNotMatch(p.text, /\/confirm"/, `consent on ${p.url}`);
      assert.ok(!(await listed(slug)).includes(ACCOUNT_CLIENT), 'hidden after the upgrade');
    });
  });
}
