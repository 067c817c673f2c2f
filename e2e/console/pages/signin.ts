// Page object: the console's sign-in screen and the platform's hosted sign-in page.
import type { Page } from 'playwright-core';

export class SignInPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async open(baseUrl: string, lang: 'en' | 'zh-CN' = 'en'): Promise<void> {
    await this.page.goto(`${baseUrl}/console/?lang=${lang}`);
  }
  /** Chooses the persona, then signs in on the provider's page; resolves on the dashboard. */
  async signIn(persona: 'operator' | 'customer', login: string, password: string): Promise<void> {
    const label = persona === 'operator' ? /operator|运营方/i : /customer|客户/i;
    await this.page.getByRole('button', { name: label }).click();
    await this.page.locator('input[name=login]').fill(login);
    await this.page.locator('input[name=password]').fill(password);
    await this.page.locator('form button[type=submit]').first().click();
    await this.page.waitForURL(/\/console\/(operator|customer)/);
    await this.page.locator('h1').first().waitFor();
  }
}
