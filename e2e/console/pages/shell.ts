// Page object: the console's frame (navigation, language switch).
import type { Page } from 'playwright-core';

export class Shell {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async go(label: RegExp | string): Promise<void> {
    await this.page.getByRole('navigation').getByRole('link', { name: label }).click();
    await this.page.locator('h1').first().waitFor();
  }
  async setLanguage(lang: 'en' | 'zh-CN'): Promise<void> {
    await this.page.locator('.topbar select').selectOption(lang);
    await this.page.waitForFunction((l) => document.documentElement.lang === l, lang);
  }
  heading() {
    return this.page.locator('h1').first();
  }
}
