// The console in a real browser (Debian's Chromium via playwright-core) against a real server:
// the operator creates a plan; a customer orders an instance and pays it; after a test-clock
// advance the customer sees it suspended. Screenshots of each main screen in English and
// Simplified Chinese go to test-artifacts/console/; axe-core checks every main screen.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { startApi, type ApiHarness } from '../../packages/server/src/api/fixtures.ts';
import { TEST_ADMIN_PASSWORD } from '../../packages/server/src/testing.ts';
import { chromiumMissing, launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { createUser, PASSWORD } from '../support/oidc.ts';
import { assertAccessible, ensureConsoleBuilt, screenshot } from './support.ts';
import { SignInPage } from './pages/signin.ts';
import { Shell } from './pages/shell.ts';
import { PlansPage } from './pages/plans.ts';
import { InstancesPage, OrdersPage, WalletPage } from './pages/customer.ts';

describe('console in Chromium (SQLite)', { skip: chromiumMissing }, () => {
  let h: ApiHarness;
  let chrome: LaunchedChromium;
  before(async () => {
    ensureConsoleBuilt();
    h = await startApi('sqlite');
    chrome = await launchChromium();
  });
  after(async () => {
    await chrome?.close();
    await h?.close();
  });

  async function context(): Promise<BrowserContext> {
    return chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
  }

  test('operator creates a plan (screens in both languages, accessible)', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // (failed resource loads are expected: the refused plan's 400)
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        errors.push(m.text());
    });
    await new SignInPage(page).open(h.server.url);
    await assertAccessible(page, 'sign-in');
    await new SignInPage(page).signIn('operator', 'admin', TEST_ADMIN_PASSWORD);
    const shell = new Shell(page);
    assert.match((await shell.heading().textContent()) ?? '', /operator overview/i);

    await shell.go(/products and plans/i);
    const plans = new PlansPage(page);
    await plans.create({
      code: 'team-monthly',
      name: 'Team',
      billing: 'subscription',
      period: 'month',
      price: '199.00',
    });
    await page.getByRole('status').filter({ hasText: 'team-monthly' }).waitFor();
    await plans.row('team-monthly').waitFor();
    const listed = (await h.api('GET', '/plans')).json.items as { code: string; price: string }[];
    assert.equal(listed.find((p) => p.code === 'team-monthly')?.price, '199.00');

    // bad input: the server's field error is shown next to the field, nothing created
    await plans.create({
      code: 'bad-plan',
      name: 'Bad',
      billing: 'subscription',
      period: 'month',
      price: 'abc',
    });
    await page.locator('.field.invalid').first().waitFor();
    assert.ok(
      !((await h.api('GET', '/plans')).json.items as { code: string }[]).some(
        (p) => p.code === 'bad-plan',
      ),
    );

    for (const lang of ['en', 'zh-CN'] as const) {
      await shell.setLanguage(lang);
      for (const [nav, name] of [
        [/overview|概览/i, 'operator-dashboard'],
        [/^customers$|^客户$/i, 'operator-customers'],
        [/products and plans|产品与套餐/i, 'operator-plans'],
        [/maintenance|维护窗口/i, 'operator-maintenance'],
        [/tickets|工单/i, 'operator-tickets'],
        [/^sla$/i, 'operator-sla'],
      ] as const) {
        await shell.go(nav);
        await page.waitForLoadState('networkidle');
        await screenshot(page, `${name}.${lang}`);
        if (lang === 'en') await assertAccessible(page, name);
      }
    }
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('customer orders and pays an instance, then sees it suspended after a test-clock advance', async () => {
    const platform = await h.server.sctx.core.instances.get('platform');
    const buyer = await createUser(h.server, platform, 'buyer');
    const acc = (
      await h.api('POST', '/accounts', {
        name: 'Buyer Ltd',
        test_clock: true,
        owner_user_id: buyer.id,
      })
    ).json;
    assert.ok(acc.id, JSON.stringify(acc));

    const ctx = await context();
    const page = await ctx.newPage();
    await new SignInPage(page).open(h.server.url);
    await new SignInPage(page).signIn('customer', 'buyer', PASSWORD);
    const shell = new Shell(page);

    await shell.go(/orders and renewal/i);
    await new OrdersPage(page).order('idaas-monthly', 'buyer-shop');
    let lc = (await h.api('GET', '/instances/buyer-shop/lifecycle')).json;
    assert.notEqual(lc.state, 'active', 'not active before payment');

    await shell.go(/wallet/i);
    await new WalletPage(page).topUp('99.00');
    lc = (await h.api('GET', '/instances/buyer-shop/lifecycle')).json;
    assert.equal(lc.state, 'active', JSON.stringify(lc));

    await shell.go(/my instances/i);
    const inst = new InstancesPage(page);
    assert.match(await inst.state('buyer-shop'), /active/);
    assert.match(await inst.nextEvent('buyer-shop'), /suspended.*ID1|ID1/);

    for (const lang of ['en', 'zh-CN'] as const) {
      await shell.setLanguage(lang);
      for (const [nav, name] of [
        [/my instances|我的实例/i, 'customer-instances'],
        [/orders and renewal|订单与续费/i, 'customer-orders'],
        [/wallet|钱包/i, 'customer-wallet'],
        [/usage|用量/i, 'customer-usage'],
        [/invoices|发票/i, 'customer-invoices'],
        [/sub-accounts|子账号/i, 'customer-members'],
      ] as const) {
        await shell.go(nav);
        await page.waitForLoadState('networkidle');
        await screenshot(page, `${name}.${lang}`);
        if (lang === 'en') await assertAccessible(page, name);
      }
    }
    await shell.setLanguage('en');

    const adv = await h.api('POST', `/clocks/${acc.clock_id}/advance`, { by: '32d' });
    assert.equal(adv.status, 200, JSON.stringify(adv.body));
    await page.reload(); // tokens are in memory: the reload signs in again silently
    // back on the screen it was on (sub-accounts), signed in again without a page
    await page.waitForURL(/\/console\/customer\/members$/);
    await shell.go(/my instances/i);
    await inst
      .card('buyer-shop')
      .waitFor({ timeout: 10000 })
      .catch(async (e: Error) => {
        await screenshot(page, 'customer-after-reload.failure');
        throw new Error(`${e.message}\n${await page.locator('body').innerText()}`);
      });
    assert.match(await inst.state('buyer-shop'), /suspended/);
    await screenshot(page, 'customer-suspended.en');
    await ctx.close();
  });
});
