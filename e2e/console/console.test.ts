// The console in a real browser (Debian's Chromium via playwright-core) against a real server
// (one per file; the operator and the customer sign in once and keep their pages):
// the operator creates a plan (bad input refused, nothing created); a customer orders an
// instance and pays it, exports it (the saved file matches the receipt's SHA-256), re-syncs an
// application's provisioning (progress resumed after a reload while the target holds its
// requests), opens a ticket that the operator answers in the queue, accepts an agreement
// version, sees the instance suspended after a test-clock advance and reads the notice; the
// operator records the customer's bank transfer, from which the customer renews: the
// instance serves again.
// Screenshots of every main operator and customer screen in English and Simplified Chinese
// go to test-artifacts/console/; axe-core checks each of them in both languages.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startApi, type ApiHarness } from '../../packages/server/src/api/fixtures.ts';
import { TEST_ADMIN_PASSWORD } from '../../packages/server/src/testing.ts';
import { chromiumMissing, launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { createUser, PASSWORD } from '../support/oidc.ts';
import { Outbound } from '../../packages/server/src/scim/outbound.ts';
import { scimClient } from '../../packages/server/src/scim/testing.ts';
import { assertAccessible, ensureConsoleBuilt, heldTarget, screenshot } from './support.ts';
import { SignInPage } from './pages/signin.ts';
import { Shell } from './pages/shell.ts';
import { PlansPage } from './pages/plans.ts';
import { InstancesPage, OrdersPage, WalletPage } from './pages/customer.ts';
import {
  AgreementPage,
  CustomerTicketsPage,
  NoticesPage,
  OperatorTicketsPage,
  PaymentsPage,
  ReceiptsPage,
} from './pages/operations.ts';

type Rec = Record<string, unknown>;

/** Every main screen of a persona: navigation label (en|zh) and screenshot name. */
const OPERATOR_SCREENS: [RegExp, string][] = [
  [/^overview$|^概览$/i, 'operator-dashboard'],
  [/^customers$|^客户$/i, 'operator-customers'],
  [/^orders$|^订单$/i, 'operator-orders'],
  [/^invoices$|^发票$/i, 'operator-invoices'],
  [/payments to reconcile|待对账付款/i, 'operator-payments'],
  [/products and plans|产品与套餐/i, 'operator-plans'],
  [/maintenance|维护窗口/i, 'operator-maintenance'],
  [/^tickets$|^工单$/i, 'operator-tickets'],
  [/^sla$/i, 'operator-sla'],
];
const CUSTOMER_SCREENS: [RegExp, string][] = [
  [/my instances|我的实例/i, 'customer-instances'],
  [/^usage$|^用量$/i, 'customer-usage'],
  [/wallet|钱包/i, 'customer-wallet'],
  [/orders and renewal|订单与续费/i, 'customer-orders'],
  [/^invoices$|^发票$/i, 'customer-invoices'],
  [/^notices$|^通知$/i, 'customer-notices'],
  [/^tickets$|^工单$/i, 'customer-tickets'],
  [/sub-accounts|子账号/i, 'customer-members'],
  [/^agreement$|^服务协议$/i, 'customer-agreement'],
  [/exports and deletions|导出与删除回执/i, 'customer-receipts'],
];

describe('console in Chromium (SQLite)', { skip: chromiumMissing }, () => {
  let h: ApiHarness;
  let chrome: LaunchedChromium;
  let opCtx: BrowserContext;
  let cuCtx: BrowserContext;
  let op: Page;
  let cu: Page;
  let acc: Rec;
  const errors: string[] = [];

  const watch = (page: Page, who: string) => {
    page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
    // (failed resource loads are expected: refused inputs answer 400)
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        errors.push(`${who}: ${m.text()}`);
    });
  };

  /** Screenshots and axe checks of `screens` in both languages; ends in English. */
  async function tour(page: Page, screens: [RegExp, string][], extra?: () => Promise<void>) {
    const shell = new Shell(page);
    for (const lang of ['en', 'zh-CN'] as const) {
      await shell.setLanguage(lang);
      for (const [nav, name] of screens) {
        await shell.go(nav);
        await page.waitForLoadState('networkidle');
        await screenshot(page, `${name}.${lang}`);
        await assertAccessible(page, `${name}.${lang}`);
      }
      if (extra) await extra();
    }
    await shell.setLanguage('en');
  }

  before(async () => {
    ensureConsoleBuilt();
    h = await startApi('sqlite');
    chrome = await launchChromium();
    const platform = await h.server.sctx.core.instances.get('platform');
    const buyer = await createUser(h.server, platform, 'buyer');
    acc = (
      await h.api('POST', '/accounts', {
        name: 'Buyer Ltd',
        test_clock: true,
        owner_user_id: buyer.id,
      })
    ).json;
    assert.ok(acc.id, JSON.stringify(acc));
    opCtx = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    cuCtx = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    op = await opCtx.newPage();
    cu = await cuCtx.newPage();
    watch(op, 'operator');
    watch(cu, 'customer');
  });
  after(async () => {
    await opCtx?.close();
    await cuCtx?.close();
    await chrome?.close();
    await h?.close();
  });

  test('operator signs in and creates a plan; bad input is refused and creates nothing', async () => {
    await new SignInPage(op).open(h.server.url);
    await assertAccessible(op, 'sign-in');
    await new SignInPage(op).signIn('operator', 'admin', TEST_ADMIN_PASSWORD);
    const shell = new Shell(op);
    assert.match((await shell.heading().textContent()) ?? '', /operator overview/i);

    await shell.go(/products and plans/i);
    const plans = new PlansPage(op);
    await plans.create({
      code: 'team-monthly',
      name: 'Team',
      billing: 'subscription',
      period: 'month',
      price: '199.00',
    });
    await op.getByRole('status').filter({ hasText: 'team-monthly' }).waitFor();
    await plans.row('team-monthly').waitFor();
    const listed = (await h.api('GET', '/plans')).json.items as { code: string; price: string }[];
    assert.equal(listed.find((p) => p.code === 'team-monthly')?.price, '199.00');

    await plans.create({
      code: 'bad-plan',
      name: 'Bad',
      billing: 'subscription',
      period: 'month',
      price: 'abc',
    });
    await op.locator('.field.invalid').first().waitFor();
    assert.ok(
      !((await h.api('GET', '/plans')).json.items as { code: string }[]).some(
        (p) => p.code === 'bad-plan',
      ),
    );
  });

  test('customer orders and pays an instance, then exports it with a receipt', async () => {
    await new SignInPage(cu).open(h.server.url);
    await new SignInPage(cu).signIn('customer', 'buyer', PASSWORD);
    const shell = new Shell(cu);
    await shell.go(/orders and renewal/i);
    await new OrdersPage(cu).order('idaas-monthly', 'buyer-shop');
    let lc = (await h.api('GET', '/instances/buyer-shop/lifecycle')).json;
    assert.notEqual(lc.state, 'active', 'not active before payment');

    await shell.go(/wallet/i);
    await new WalletPage(cu).topUp('99.00');
    lc = (await h.api('GET', '/instances/buyer-shop/lifecycle')).json;
    assert.equal(lc.state, 'active', JSON.stringify(lc));

    await shell.go(/my instances/i);
    const inst = new InstancesPage(cu);
    assert.match(await inst.state('buyer-shop'), /active/);
    assert.match(await inst.nextEvent('buyer-shop'), /ID1/);

    // export: the file saved is the one the receipt describes
    await shell.go(/exports and deletions/i);
    const { download, receipt } = await new ReceiptsPage(cu).export('buyer-shop');
    const file = await readFile((await download.path())!);
    const sha = createHash('sha256').update(file).digest('hex');
    assert.ok(receipt.includes(sha), `receipt ${receipt} names ${sha}`);
    const exported = JSON.parse(file.toString('utf8')) as {
      format: string;
      users: unknown[];
      audit_trail: { head_seq: number; verification: { ok: boolean } };
    };
    assert.equal(exported.format, 'idaas-export/1');
    assert.match(receipt, new RegExp(`${exported.users.length} users`));
    // the access logs go with it (G4.6/G4.7): linked, verified, counted on the receipt
    assert.equal(exported.audit_trail.verification.ok, true);
    assert.match(receipt, new RegExp(`${exported.audit_trail.head_seq} audit records`));
    await cu.getByRole('row').filter({ hasText: sha }).waitFor();
  });

  test("customer re-syncs an application's provisioning: progress survives a reload and finishes when the target answers", async () => {
    const sctx = h.server.sctx;
    const dst = await scimClient('sqlite', 'dest', h.server);
    // the pushes are wall-clock jobs (the server's scheduler runs them within a second):
    // the target holds its requests until released, so the re-sync is really still
    // running across the reload instead of racing the scheduler
    const gate = await heldTarget(dst.base);
    try {
      const shop = await sctx.core.instances.get('buyer-shop');
      for (const n of ['ann', 'bob', 'cat'])
        await sctx.core.directory.createUser(shop, { username: n });
      const { application } = await sctx.core.applications.create(shop, {
        name: 'HR sync',
        grantTypes: ['client_credentials'],
        scopes: ['scim'],
      });
      await new Outbound(sctx).setTarget(shop, application.id, {
        url: gate.url,
        token: dst.token,
      });

      const shell = new Shell(cu);
      await shell.go(/my instances/i);
      const card = new InstancesPage(cu).card('buyer-shop');
      await card.getByRole('button', { name: /re-sync hr sync/i }).click();
      const running = card.getByRole('status').filter({ hasText: /in progress: 0 of [1-9]/i });
      await running.waitFor({ timeout: 30_000 });
      await cu.reload();
      await card
        .getByRole('status')
        .filter({ hasText: /resumed an operation/i })
        .waitFor({ timeout: 30_000 });
      await running.waitFor({ timeout: 30_000 });
      await screenshot(cu, 'customer-resync-resumed.en');
      assert.ok(gate.received() <= 1, 'deliveries to one target run one at a time');
      gate.release();
      // generous: a delivery held past the HTTP timeout under load is retried by the
      // scheduler after its backoff (30 s)
      await card
        .getByRole('status')
        .filter({ hasText: /finished/i })
        .waitFor({ timeout: 120_000 });
      await Outbound.settled(sctx);
      const remote = await dst.req('GET', '/Users');
      const names = (remote.body.Resources as { userName: string }[]).map((u) => u.userName);
      for (const n of ['ann', 'bob', 'cat']) assert.ok(names.includes(n), `${n} in ${names}`);
    } finally {
      await gate.close();
    }
  });

  test('customer opens a ticket; the operator answers it in the queue; the customer sees the reply', async () => {
    const shell = new Shell(cu);
    await shell.go(/^tickets$/i);
    const tickets = new CustomerTicketsPage(cu);
    await tickets.open({
      kind: 'fault',
      severity: '2',
      subject: 'Sign-in page slow',
      body: 'Since this morning the sign-in page takes 10 s.',
    });
    const mine = (await h.api('GET', `/accounts/${acc.id}/tickets`)).json.items as Rec[];
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.status, 'open');

    const opShell = new Shell(op);
    await opShell.go(/^tickets$/i);
    const queue = new OperatorTicketsPage(op);
    await op.getByRole('row').filter({ hasText: 'Buyer Ltd' }).waitFor();
    await queue.openTicket('Sign-in page slow');
    await screenshot(op, 'operator-ticket.en');
    await assertAccessible(op, 'operator-ticket');
    await queue.reply('We found a slow database query; fixed at 11:00.');
    await op
      .getByTestId('ticket-status')
      .filter({ hasText: /answered/ })
      .waitFor();
    const t = (await h.api('GET', `/tickets/${mine[0]!.id}`)).json;
    assert.equal(t.status, 'answered');
    assert.ok(t.first_response_at, 'the reply is the first response');

    await shell.go(/^tickets$/i);
    await cu.getByRole('link', { name: 'Sign-in page slow' }).click();
    await tickets.thread().getByText('We found a slow database query').waitFor();
    await tickets.reply('Confirmed, it is fast again. Thanks!');
    await screenshot(cu, 'customer-ticket.en');
    await assertAccessible(cu, 'customer-ticket');

    await opShell.go(/^tickets$/i);
    await queue.openTicket('Sign-in page slow');
    await queue.reply('Glad to hear it.');
    await queue.markResolved();
    assert.equal((await h.api('GET', `/tickets/${mine[0]!.id}`)).json.status, 'resolved');
  });

  test('customer accepts a published agreement version', async () => {
    const v = await h.api('POST', '/agreement-versions', {
      version: '2027-01',
      summary: 'Clearer data export terms',
      effective_at: new Date(Date.now() + 31 * 86_400_000).toISOString(),
    });
    assert.equal(v.status, 201, JSON.stringify(v.body));
    await new Shell(cu).go(/^agreement$/i);
    const page = new AgreementPage(cu);
    await page.accept('2027-01');
    await page
      .row('2027-01')
      .filter({ hasText: /accepted on/i })
      .waitFor();
    const acceptances = (await h.api('GET', `/agreement-versions/${v.json.id}/acceptances`)).json
      .items as Rec[];
    assert.deepEqual(
      acceptances.map((a) => [a.account_id, a.how]),
      [[acc.id, 'explicit']],
    );
  });

  test('every operator and customer screen in both languages, accessible', async () => {
    await tour(op, OPERATOR_SCREENS, async () => {
      // a customer's page (balances, orders, invoices, bank transfer form)
      await new Shell(op).go(/^customers$|^客户$/i);
      await op.getByRole('link', { name: 'Buyer Ltd' }).click();
      await op.locator('h1', { hasText: 'Buyer Ltd' }).waitFor();
      await op.waitForLoadState('networkidle');
      const lang = await op.evaluate(() => document.documentElement.lang);
      await screenshot(op, `operator-customer.${lang}`);
      await assertAccessible(op, `operator-customer.${lang}`);
    });
    await tour(cu, CUSTOMER_SCREENS);
    assert.deepEqual(errors, []);
  });

  test('after a test-clock advance the customer sees the instance suspended and reads the notice; the operator records a bank transfer; the customer renews and the instance serves again', async () => {
    const adv = await h.api('POST', `/clocks/${acc.clock_id}/advance`, { by: '32d' });
    assert.equal(adv.status, 200, JSON.stringify(adv.body));
    await cu.reload(); // tokens are in memory: the reload signs in again silently
    await cu.waitForURL(/\/console\/customer\/receipts$/);
    const shell = new Shell(cu);
    await shell.go(/my instances/i);
    const inst = new InstancesPage(cu);
    await inst
      .card('buyer-shop')
      .waitFor({ timeout: 30_000 })
      .catch(async (e: Error) => {
        await screenshot(cu, 'customer-after-reload.failure');
        throw new Error(`${e.message}\n${await cu.locator('body').innerText()}`);
      });
    assert.match(await inst.state('buyer-shop'), /suspended/);
    await screenshot(cu, 'customer-suspended.en');

    // the suspension's notice in the inbox: read it
    const inbox = (await h.api('GET', `/accounts/${acc.id}/notices?channel=in-site`)).json
      .items as Rec[];
    const notice = inbox.find((n) => n.clause && /suspend/i.test(`${n.template} ${n.subject}`));
    assert.ok(notice, `a suspension notice among ${JSON.stringify(inbox.map((n) => n.subject))}`);
    assert.equal(notice.read_at, null);
    await shell.go(/^notices$/i);
    const text = await new NoticesPage(cu).read(String(notice.subject));
    assert.ok(text.includes(String(notice.clause)), text);
    const after = (await h.api('GET', `/accounts/${acc.id}/notices?channel=in-site`)).json
      .items as Rec[];
    assert.ok(after.find((n) => n.id === notice.id)!.read_at, 'marked read');
    await screenshot(cu, 'customer-notice-read.en');

    // the operator records the bank transfer that settles what is owed
    await new Shell(op).go(/payments to reconcile/i);
    const payments = new PaymentsPage(op);
    await payments.recordTransfer({ account: 'Buyer Ltd', amount: 'lots', reference: 'BT-1' });
    await op.locator('.field.invalid').first().waitFor();
    let paid = (await h.api('GET', `/accounts/${acc.id}/payments`)).json.items as Rec[];
    assert.ok(!paid.some((p) => p.provider === 'bank-transfer'), 'bad amount: nothing recorded');
    await payments.recordTransfer({ account: 'Buyer Ltd', amount: '300.00', reference: 'BT-1' });
    await op
      .getByRole('status')
      .filter({ hasText: /bank transfer recorded for Buyer Ltd/i })
      .waitFor();
    paid = (await h.api('GET', `/accounts/${acc.id}/payments`)).json.items as Rec[];
    const transfer = paid.filter((p) => p.provider === 'bank-transfer');
    assert.equal(transfer.length, 1, JSON.stringify(paid));
    assert.equal(transfer[0]!.amount, '300.00');
    assert.equal(transfer[0]!.reference, 'BT-1');
    // the same reference again changes nothing
    await payments.recordTransfer({ account: 'Buyer Ltd', amount: '300.00', reference: 'BT-1' });
    await op
      .getByRole('status')
      .filter({ hasText: /already recorded/i })
      .waitFor();
    assert.equal(
      ((await h.api('GET', `/accounts/${acc.id}/payments`)).json.items as Rec[]).length,
      paid.length,
    );
    const balance = (await h.api('GET', `/accounts/${acc.id}/balance`)).json;
    assert.equal(balance.cash, '300.00', JSON.stringify(balance));

    // renewal from the orders screen, paid from the balance
    await shell.go(/orders and renewal/i);
    await cu.getByRole('button', { name: /renew buyer-shop/i }).click();
    await cu
      .getByRole('status')
      .filter({ hasText: /renewal of buyer-shop/i })
      .waitFor();
    const orders = (await h.api('GET', `/accounts/${acc.id}/orders`)).json.items as Rec[];
    const renewal = orders.find((o) => o.kind === 'renew');
    assert.ok(renewal, JSON.stringify(orders));
    assert.equal(renewal.status, 'paid');
    // the expired subscription is renewed: the instance serves again (ID1)
    const lc = (await h.api('GET', '/instances/buyer-shop/lifecycle')).json;
    assert.equal(lc.state, 'active', JSON.stringify(lc.timeline));
    await shell.go(/my instances/i);
    assert.match(await inst.state('buyer-shop'), /active/);
    assert.deepEqual(errors, []);
  });
});
