// Instance administration in a real browser (Chromium via playwright-core) against a real
// server: the operator administers an instance; a CSV import runs with a progress bar and
// re-attaches after a reload; the conditional-access dry-run shows its explanation; the
// organisation tree moves a unit with the keyboard control; key rotation asks for confirmation
// naming the key. Screenshots of every admin screen in English and Simplified Chinese go to
// test-artifacts/console/; axe-core checks each screen (no serious or critical violations).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startApi, type ApiHarness } from '../../packages/server/src/api/fixtures.ts';
import { TEST_ADMIN_PASSWORD } from '../../packages/server/src/testing.ts';
import { chromiumMissing, launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { instance } from '../support/oidc.ts';
import { assertAccessible, ensureConsoleBuilt, screenshot } from './support.ts';
import { SignInPage } from './pages/signin.ts';
import { Shell } from './pages/shell.ts';
import { AdminPages } from './pages/admin.ts';

describe('instance administration in Chromium (SQLite)', { skip: chromiumMissing }, () => {
  let h: ApiHarness;
  let chrome: LaunchedChromium;
  let page: Page;
  let admin: AdminPages;
  const errors: string[] = [];
  before(async () => {
    ensureConsoleBuilt();
    h = await startApi('sqlite');
    chrome = await launchChromium();
    await instance(h.server, 'acme');
    const ctx = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await new SignInPage(page).open(h.server.url);
    await new SignInPage(page).signIn('operator', 'admin', TEST_ADMIN_PASSWORD);
    admin = new AdminPages(page);
    await admin.openInstance('acme');
  });
  afterEach(async (t) => {
    if (process.env.DEBUG_CONSOLE && page)
      console.log(t.name, page.url(), '\n', await page.locator('body').innerText());
  });
  after(async () => {
    await chrome?.close();
    await h?.close();
  });

  test('CSV import: a bad file is refused naming line and column; a good one shows progress and re-attaches after a reload', async () => {
    await admin.tab(/^import$/i);
    const rows = ['username,email,display_name'];
    for (let i = 0; i < 300; i++) rows.push(`imp${i},imp${i}@example.test,Imported ${i}`);
    const bad = await admin.importCsv([...rows, 'bad user!,not-an-email,Broken'].join('\n'));
    assert.match(bad.result, /line 302, column username/);
    assert.match(bad.result, /line 302, column email/);
    assert.equal(
      ((await h.api('GET', '/instances/acme/users?q=imp1')).json.items as unknown[]).length,
      0,
      'nothing imported from a refused file',
    );

    const { sawProgress, result } = await admin.importCsv(rows.join('\n'));
    assert.ok(sawProgress, 'a progress bar was shown');
    assert.match(result, /300 users created, 0 rows refused/);
    const listed = (await h.api('GET', '/instances/acme/users?q=imp299&limit=200')).json.items as {
      username: string;
    }[];
    assert.ok(listed.some((u) => u.username === 'imp299'));

    // an earlier import, attached by id (as after a reload or from the history list)
    const jobs = (await h.api('GET', '/instances/acme/user-imports')).json.items as {
      id: string;
    }[];
    await page.goto(`${h.server.url}/console/admin/acme/import?id=${jobs[0]!.id}`);
    await page.getByTestId('import-result').waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('import-result').innerText(), /300 users created/);
  });

  test('conditional access: a policy and the dry-run with its explanation', async () => {
    await h.api('POST', '/instances/acme/users', { username: 'dora' });
    await admin.tab(/conditional access/i);
    const form = page.getByRole('form', { name: /new policy/i });
    await form.getByLabel(/^name/i).fill('Office only');
    await form.getByLabel(/^decision/i).selectOption('deny');
    await form.getByLabel(/^networks/i).fill('203.0.113.0/24');
    await form.getByRole('button', { name: /create policy/i }).click();
    await page.getByRole('row').filter({ hasText: 'Office only' }).waitFor();
    const { heading, explanation } = await admin.dryRun('dora', '203.0.113.9');
    assert.match(heading, /deny/i);
    assert.ok(explanation.length > 0, 'an explanation is shown');
    assert.ok(
      explanation.some((e) => /Office only/.test(e)),
      explanation.join('\n'),
    );
    await screenshot(page, 'admin-access-dry-run.en');
    const other = await admin.dryRun('dora', '198.51.100.1');
    assert.doesNotMatch(other.heading, /deny/i);
  });

  test('organisation tree: a unit moves with the keyboard-accessible control', async () => {
    const a = (await h.api('POST', '/instances/acme/org-units', { name: 'Sales' })).json;
    const b = (await h.api('POST', '/instances/acme/org-units', { name: 'EMEA' })).json;
    await admin.tab(/organisation/i);
    await page.getByLabel('Move EMEA to').selectOption({ label: 'Sales' });
    await page
      .getByRole('status')
      .filter({ hasText: /EMEA moved under Sales/ })
      .waitFor();
    const moved = (await h.api('GET', `/instances/acme/org-units/${b.id}`)).json;
    assert.equal(moved.parent_id, a.id);
    // Sales cannot move below its own child
    const options = await page.getByLabel('Move Sales to').locator('option').allTextContents();
    assert.ok(!options.includes('EMEA'), options.join(','));
  });

  test('key rotation asks for confirmation naming the active key, and cancelling changes nothing', async () => {
    await admin.tab(/signing keys/i);
    const before = (await h.api('GET', '/instances/acme/keys')).json.keys as {
      kid: string;
      status: string;
    }[];
    const active = before.find((k) => k.status === 'active')!;
    await page
      .getByRole('button', { name: /rotate keys/i })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), new RegExp(active.kid));
    await dialog.getByRole('button', { name: /cancel/i }).click();
    assert.deepEqual((await h.api('GET', '/instances/acme/keys')).json.keys, before);
    await page
      .getByRole('button', { name: /rotate keys/i })
      .first()
      .click();
    await dialog.getByRole('button', { name: /rotate keys/i }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /keys rotated/i })
      .waitFor();
    const after = (await h.api('GET', '/instances/acme/keys')).json.keys as {
      kid: string;
      status: string;
    }[];
    assert.equal(after.find((k) => k.kid === active.kid)?.status, 'retiring');
  });

  test('branding: the sandboxed preview follows the chosen colours before saving', async () => {
    await admin.tab(/^branding$/i);
    const frame = page.frameLocator('iframe[data-testid=branding-preview]');
    await frame.locator('button').first().waitFor();
    await page.getByLabel(/^primary colour/i).fill('#8a1c1c');
    await page
      .waitForFunction(() => {
        const f = document.querySelector<HTMLIFrameElement>('iframe[data-testid=branding-preview]');
        const b = f?.contentDocument?.querySelector('button');
        return b ? getComputedStyle(b).backgroundColor === 'rgb(138, 28, 28)' : false;
      })
      .catch(async (e: Error) => {
        const seen = await page.evaluate(() => {
          const f = document.querySelector<HTMLIFrameElement>(
            'iframe[data-testid=branding-preview]',
          );
          const b = f?.contentDocument?.querySelector('button');
          return `${b ? getComputedStyle(b).backgroundColor : 'no button'}; ${document.querySelector('.preview')?.textContent}; srcdoc has it: ${f?.srcdoc.includes('8a1c1c')}; sheets ${f?.contentDocument?.adoptedStyleSheets.length}; input ${document.querySelector<HTMLInputElement>('input[type=color]')?.value}`;
        });
        throw new Error(`${e.message}: ${seen}`);
      });
    assert.equal(
      await page.locator('iframe[data-testid=branding-preview]').getAttribute('sandbox'),
      'allow-same-origin',
    );
    const saved = (await h.api('GET', '/instances/acme/branding')).json;
    assert.equal(saved.custom, false, 'a preview saves nothing');
  });

  test('every admin screen in both languages (screenshots, accessible)', async () => {
    const shell = new Shell(page);
    await page.goto(`${h.server.url}/console/admin`);
    await page.locator('h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'admin-instances.en');
    await assertAccessible(page, 'admin-instances');
    await page.getByRole('link', { name: 'acme', exact: true }).click();
    for (const lang of ['en', 'zh-CN'] as const) {
      await shell.setLanguage(lang);
      for (const [tab, name] of [
        [/^users$|^用户$/i, 'users'],
        [/^import$|^导入$/i, 'import'],
        [/^groups$|^用户组$/i, 'groups'],
        [/^organisation$|^组织架构$/i, 'org'],
        [/^applications$|^应用$/i, 'apps'],
        [/^provisioning$|^同步$/i, 'provisioning'],
        [/^signing keys$|^签名密钥$/i, 'keys'],
        [/^branding$|^品牌外观$/i, 'branding'],
        [/^password policy$|^密码策略$/i, 'passwords'],
        [/^conditional access$|^条件访问$/i, 'access'],
        [/^roles$|^角色$/i, 'roles'],
        [/^audit log$|^审计日志$/i, 'audit'],
      ] as const) {
        await admin.tab(tab);
        if (name === 'branding') await page.getByTestId('branding-preview').waitFor();
        await screenshot(page, `admin-${name}.${lang}`);
        if (lang === 'en') await assertAccessible(page, `admin-${name}`);
      }
    }
    await shell.setLanguage('en');
    assert.deepEqual(errors, []);
  });
});
