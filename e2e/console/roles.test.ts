// The console respects roles (issue 6, G5.6), in Chromium against a real server (SQLite): a
// customer account's owner assigns its sub-accounts roles on one of its instances through the
// admin API; each signs in to the console as a customer. The instance picker lists only the
// instances of GET /me; a user-admin sees the users, import, groups, organisation and
// (read-only) branding screens, creates a user, and is refused the applications screen; an
// auditor reads the audit log and is offered no create form, its row actions inert and
// explained; an app-admin lands on the applications (no users:read) and creates a first-party
// application with JWT access tokens; a role revoked mid-session answers 403 and the console
// follows. Screenshots in English and Simplified Chinese, axe-core on those views.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { memberTokens, startApi, type ApiHarness } from '../../packages/server/src/api/fixtures.ts';
import { chromiumMissing, launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { createUser, instance, PASSWORD } from '../support/oidc.ts';
import { assertAccessible, ensureConsoleBuilt, screenshot } from './support.ts';
import { SignInPage } from './pages/signin.ts';
import { Shell } from './pages/shell.ts';
import { AdminPages } from './pages/admin.ts';
import { RoleView } from './pages/roles.ts';

type Rec = Record<string, unknown>;
const SLUG = 'role-co';

describe(
  'the console shows what a role allows (Chromium, SQLite)',
  { skip: chromiumMissing },
  () => {
    let h: ApiHarness;
    let chrome: LaunchedChromium;
    const ids: Record<string, string> = {};
    let ownerToken = '';
    const contexts: BrowserContext[] = [];
    const errors: string[] = [];

    /** The owner (not the operator) hands out roles on its instance. */
    const assign = async (who: string, roles: string[]) => {
      const r = await h.api(
        'PUT',
        `/instances/${SLUG}/role-assignments/${ids[who]}`,
        { roles },
        {
          token: ownerToken,
        },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };

    /** A fresh browser for `who`, signed in to the console as a customer. */
    const signedIn = async (who: string, lang: 'en' | 'zh-CN' = 'en'): Promise<Page> => {
      const ctx = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
      await new SignInPage(page).open(h.server.url, lang);
      await new SignInPage(page).signIn('customer', who, PASSWORD);
      return page;
    };

    before(async () => {
      ensureConsoleBuilt();
      h = await startApi('sqlite');
      chrome = await launchChromium();
      const server = h.server;
      const platform = await instance(server, 'platform');
      const tokenOf = await memberTokens(server);
      for (const name of ['rc-owner', 'rc-helpdesk', 'rc-auditor', 'rc-apps', 'rc-lead'])
        ids[name] = (await createUser(server, platform, name)).id;
      ownerToken = await tokenOf('rc-owner');
      const acc = (
        await h.api('POST', '/accounts', { name: 'Role Co', owner_user_id: ids['rc-owner'] })
      ).json as Rec;
      for (const sub of ['rc-helpdesk', 'rc-auditor', 'rc-apps', 'rc-lead']) {
        const r = await h.api(
          'PUT',
          `/accounts/${acc.id as string}/members/${ids[sub]}`,
          { role: 'sub', permissions: [{ instance: '*', actions: ['orders:read'] }] },
          { token: ownerToken },
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      // two instances of the account; the sub-accounts get roles on one only
      await server.sctx.core.instances.create({ slug: SLUG, accountId: acc.id as string });
      await server.sctx.core.instances.create({ slug: 'role-other', accountId: acc.id as string });
      await h.api('POST', `/instances/${SLUG}/users`, { username: 'existing-user' });
      await assign('rc-helpdesk', ['user-admin']);
      await assign('rc-auditor', ['auditor']);
      await assign('rc-apps', ['app-admin']);
    });
    after(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await chrome?.close();
      await h?.close();
    });

    test('a user-admin sees only the directory screens, creates a user, and is refused the applications', async () => {
      const page = await signedIn('rc-helpdesk');
      const view = new RoleView(page);
      assert.deepEqual(await view.pickerSlugs(), [SLUG], 'only the instances it holds a role on');
      await screenshot(page, 'roles-picker.en');
      await assertAccessible(page, 'roles-picker');
      await view.open(SLUG);
      assert.match(page.url(), new RegExp(`/console/admin/${SLUG}/users$`));
      // user-admin: instance:read (branding, read-only), users:*, groups:* — no apps, keys, audit
      assert.deepEqual(await view.tabs(), [
        'Users',
        'Import',
        'Groups',
        'Organisation',
        'Branding',
      ]);
      assert.equal(await view.note(), '', 'every users action is allowed');
      assert.deepEqual(await view.inertButtons(), []);

      await new AdminPages(page).createUser({
        username: 'made-by-helpdesk',
        email: 'made@example.test',
        password: 'Tr0ub4dor&3-horse-staple',
      });
      const made = (await h.api('GET', `/instances/${SLUG}/users?q=made-by-helpdesk`)).json
        .items as Rec[];
      assert.equal(made.length, 1, 'the user exists on the server');
      await screenshot(page, 'roles-user-admin-users.en');
      await assertAccessible(page, 'roles-user-admin-users');

      // branding: readable, not savable, and the console says why
      await view.tab(/^branding$/i);
      // the form (and its inert save button) renders once the branding is loaded
      await page.locator('main button[aria-disabled=true]', { hasText: /save/i }).waitFor();
      assert.match(await view.note(), /instance:write/);
      const inert = await view.inertButtons();
      assert.ok(
        inert.some((b) => /save/i.test(b.name) && /instance:write/.test(b.description)),
        JSON.stringify(inert),
      );
      assert.ok(await page.getByLabel(/^primary colour/i).isDisabled());

      // a screen of another permission, by its address: refused in words, no data requested
      await page.goto(`${h.server.url}/console/admin/${SLUG}/apps`);
      await view.heading().waitFor();
      assert.equal(await view.heading().innerText(), 'Not available with your roles');
      assert.match(await page.locator('main').innerText(), /apps:read/);

      for (const lang of ['en', 'zh-CN'] as const) {
        await new Shell(page).setLanguage(lang);
        await view.tab(lang === 'en' ? /^users$/i : /^用户$/);
        await screenshot(page, `roles-user-admin.${lang}`);
        await assertAccessible(page, `roles-user-admin.${lang}`);
      }
      await new Shell(page).setLanguage('en');

      // roles change mid-session: the owner revokes; the next write is refused (403) and the
      // console asks again what the caller may do
      await assign('rc-helpdesk', []);
      const form = page.getByRole('form', { name: /new user/i });
      await form.getByLabel(/^username/i).fill('too-late');
      await form.getByRole('button', { name: /create user/i }).click();
      await page.getByText(/no role on instance role-co/i).waitFor({ timeout: 30_000 });
      assert.equal(
        ((await h.api('GET', `/instances/${SLUG}/users?q=too-late`)).json.items as Rec[]).length,
        0,
      );
      await assign('rc-helpdesk', ['user-admin']);
    });

    test('an auditor reads the audit log and is offered nothing that writes', async () => {
      const page = await signedIn('rc-auditor');
      const view = new RoleView(page);
      assert.deepEqual(await view.pickerSlugs(), [SLUG]);
      await view.open(SLUG);
      assert.deepEqual(await view.tabs(), [
        'Users',
        'Import',
        'Groups',
        'Organisation',
        'Applications',
        'Provisioning',
        'Signing keys',
        'Branding',
        'Password policy',
        'Conditional access',
        'Roles',
        'Audit log',
      ]);
      // users: no create form, lock and MFA reset inert and explained
      assert.equal(await view.forms(/new user/i).count(), 0);
      assert.match(await view.note(), /users:write/);
      assert.match(await view.note(), /users:mfa-reset/);
      const inert = await view.inertButtons();
      assert.ok(inert.some((b) => /^lock/i.test(b.name) && /users:write/.test(b.description)));
      assert.ok(
        inert.some((b) => /reset mfa/i.test(b.name) && /users:mfa-reset/.test(b.description)),
      );
      // clicking an inert action changes nothing
      const before = (await h.api('GET', `/instances/${SLUG}/users?q=existing-user`)).json
        .items as Rec[];
      await page
        .getByRole('row')
        .filter({ hasText: 'existing-user' })
        .getByRole('button', { name: /^lock/i })
        .click({ force: true });
      const afterClick = (await h.api('GET', `/instances/${SLUG}/users?q=existing-user`)).json
        .items as Rec[];
      assert.equal(afterClick[0]!.status, before[0]!.status);

      // no create button or form on any screen
      await view.tab(/^groups$/i);
      assert.equal(await view.forms(/new group/i).count(), 0);
      await view.tab(/^applications$/i);
      assert.equal(await page.getByRole('link', { name: /new oidc application/i }).count(), 0);
      assert.equal(await page.getByRole('link', { name: /new saml application/i }).count(), 0);
      await view.tab(/^conditional access$/i);
      assert.equal(await view.forms(/new policy/i).count(), 0);
      assert.equal(await view.forms(/dry run/i).count(), 1, 'the dry-run needs only policies:read');
      await view.tab(/^roles$/i);
      assert.equal(await view.forms(/new role|assign/i).count(), 0);

      // the audit log, with the owner's role assignments on it
      await view.tab(/^audit log$/i);
      const rows = page.getByRole('table').locator('tbody tr');
      await rows.first().waitFor();
      assert.match(await page.getByRole('table').innerText(), /role/i);
      for (const lang of ['en', 'zh-CN'] as const) {
        await new Shell(page).setLanguage(lang);
        await page.getByRole('table').waitFor();
        await screenshot(page, `roles-auditor-audit.${lang}`);
        await assertAccessible(page, `roles-auditor-audit.${lang}`);
        await view.tab(lang === 'en' ? /^users$/i : /^用户$/);
        await screenshot(page, `roles-auditor-users.${lang}`);
        await assertAccessible(page, `roles-auditor-users.${lang}`);
        await view.tab(lang === 'en' ? /^audit log$/i : /^审计日志$/);
      }
      await new Shell(page).setLanguage('en');
    });

    test('an app-admin lands on the applications and creates a first-party application with JWT access tokens', async () => {
      const page = await signedIn('rc-apps');
      const view = new RoleView(page);
      await view.pickerSlugs();
      await view.open(SLUG);
      assert.match(page.url(), new RegExp(`/console/admin/${SLUG}/apps$`), 'no users:read');
      assert.deepEqual(await view.tabs(), [
        'Applications',
        'Provisioning',
        'Signing keys',
        'Branding',
      ]);
      await page.getByRole('link', { name: /new oidc application/i }).click();
      const form = page.getByRole('form', { name: /new oidc application/i });
      await form.getByLabel(/^name/i).fill('Intranet');
      await form.getByLabel(/^redirect uris/i).fill('https://intranet.example.test/cb');
      await form.getByLabel(/access token format/i).selectOption('jwt');
      await form.getByLabel(/first-party/i).check();
      await form.getByRole('button', { name: /create application/i }).click();
      await page.getByTestId('client-id').waitFor();
      assert.match(await page.getByTestId('consent').innerText(), /never/i);
      assert.match(await page.getByTestId('token-format').innerText(), /JWT/);
      const apps = (await h.api('GET', `/instances/${SLUG}/applications`)).json.items as Rec[];
      const app = apps.find((a) => a.name === 'Intranet');
      assert.equal(app?.first_party, true);
      assert.equal(app?.access_token_format, 'jwt');
      assert.deepEqual(errors, []);

      test('role pickers offer only roles whose every permission the caller holds', async () => {
        for (const [name, permissions] of [
          ['lead', ['instance:read', 'users:read', 'users:write', 'roles:read', 'roles:write']],
          ['reader', ['users:read']],
        ] as const) {
          const r = await h.api(
            'POST',
            `/instances/${SLUG}/roles`,
            { name, permissions },
            { token: ownerToken },
          );
          assert.equal(r.status, 201, JSON.stringify(r.body));
        }
        await assign('rc-lead', ['lead']);
        const page = await signedIn('rc-lead');
        const view = new RoleView(page);
        await view.pickerSlugs();
        await view.open(SLUG);
        await view.tab(/^roles$/i);
        const assignForm = view.forms(/assign/i);
        await assignForm.waitFor();
        const offered = await assignForm
          .locator('input[name=roles]')
          .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
        // every built-in role needs something lead lacks (user-admin: groups, MFA resets)
        assert.deepEqual(offered.sort(), ['lead', 'reader']);
        const perms = await view
          .forms(/new role/i)
          .locator('input[name=permissions]')
          .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
        assert.deepEqual(perms, [
          'instance:read',
          'users:read',
          'users:write',
          'roles:read',
          'roles:write',
        ]);
      });
    });
  },
);
