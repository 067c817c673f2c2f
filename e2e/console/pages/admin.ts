// Page objects: instance administration (instance picker, users, import, applications,
// conditional access) of the console.
import type { Page } from 'playwright-core';

export class AdminPages {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  /** From anywhere in the console: the instance picker, then the instance's users. */
  async openInstance(slug: string): Promise<void> {
    await this.page
      .getByRole('navigation', { name: /^navigation|导航|main/i })
      .or(this.page.locator('nav.sidenav'))
      .getByRole('link', { name: /administer an instance|管理实例/i })
      .click();
    await this.page.getByRole('link', { name: slug, exact: true }).click();
    await this.page.waitForURL(new RegExp(`/console/admin/${slug}/users$`));
    await this.page.locator('h1').first().waitFor();
  }
  /** A screen of the instance through its tabs. */
  async tab(label: RegExp): Promise<void> {
    await this.page.locator('nav.admin-tabs').getByRole('link', { name: label }).click();
    await this.page.locator('h1').first().waitFor();
    await this.page.waitForLoadState('networkidle');
  }
  async createUser(u: { username: string; email: string; password: string }): Promise<void> {
    const form = this.page.getByRole('form', { name: /new user|新建用户/i });
    await form.getByLabel(/^username|^用户名/i).fill(u.username);
    await form.getByLabel(/^email|^邮箱/i).fill(u.email);
    await form.getByLabel(/initial password|初始密码/i).fill(u.password);
    await form.getByRole('button', { name: /create user|创建用户/i }).click();
    await this.page.getByRole('status').filter({ hasText: u.username }).waitFor();
  }
  userRow(username: string) {
    return this.page.getByRole('row').filter({ hasText: username });
  }
  /** The OIDC wizard; resolves with the values the result screen shows. */
  async createOidcApp(a: {
    name: string;
    redirectUri: string;
  }): Promise<{ issuer: string; discovery: string; clientId: string; secret: string }> {
    await this.page.getByRole('link', { name: /new oidc application|新建 OIDC 应用/i }).click();
    const form = this.page.getByRole('form', { name: /new oidc application|新建 OIDC 应用/i });
    await form.getByLabel(/^name|^名称/i).fill(a.name);
    await form.getByLabel(/^client type|客户端类型/i).selectOption('confidential');
    await form.getByLabel(/^redirect uris|^重定向 URI/i).fill(a.redirectUri);
    await form.getByRole('button', { name: /create application|创建应用/i }).click();
    await this.page.getByTestId('client-secret').waitFor();
    const text = async (id: string) => (await this.page.getByTestId(id).textContent()) ?? '';
    return {
      issuer: await text('issuer'),
      discovery: await text('discovery'),
      clientId: await text('client-id'),
      secret: await text('client-secret'),
    };
  }
  /** Pastes a CSV and starts the import; resolves when the result (or a refusal) is shown. */
  async importCsv(csv: string): Promise<{ sawProgress: boolean; result: string }> {
    // watch for the progress bar from before the click: a small import may finish quickly
    await this.page.evaluate(() => {
      const w = window as unknown as { sawBar?: boolean };
      w.sawBar = false;
      new MutationObserver(() => {
        if (document.querySelector('.progress progress')) w.sawBar = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    const form = this.page.getByRole('form', { name: /import a csv file|导入 CSV 文件/i });
    await form.getByLabel(/paste the csv|粘贴 CSV/i).fill(csv);
    await form.getByRole('button', { name: /start import|开始导入/i }).click();
    const done = this.page.getByTestId('import-result');
    const refused = form.getByRole('alert');
    await done.or(refused).waitFor({ timeout: 120_000 });
    const sawProgress = await this.page.evaluate(
      () => (window as unknown as { sawBar?: boolean }).sawBar === true,
    );
    return {
      sawProgress,
      result: (await done.or(refused).innerText()) ?? '',
    };
  }
  async dryRun(user: string, ip: string): Promise<{ heading: string; explanation: string[] }> {
    const form = this.page.getByRole('form', { name: /dry run|试运行/i });
    await form.getByLabel(/^user|^用户/i).fill(user);
    await form.getByLabel(/^ip address|^IP 地址/i).fill(ip);
    await form.getByRole('button', { name: /evaluate|评估/i }).click();
    const result = this.page.getByTestId('dry-run-result');
    await result.waitFor();
    return {
      heading: (await result.locator('h2').textContent()) ?? '',
      explanation: await result.getByTestId('explanation').locator('li').allTextContents(),
    };
  }
}
