// Page objects: the end-user portal at /i/<slug>/portal (sign-in, launcher, sign-in methods).
import type { Page } from 'playwright-core';

export class PortalPages {
  readonly page: Page;
  readonly base: string;
  constructor(page: Page, baseUrl: string, slug: string) {
    this.page = page;
    this.base = `${baseUrl}/i/${slug}/portal`;
  }
  async signIn(login: string, password: string, lang: 'en' | 'zh-CN' = 'en'): Promise<void> {
    await this.page.goto(`${this.base}/?lang=${lang}`);
    await this.page.getByRole('button', { name: /^sign in$|^登录$/i }).click();
    await this.page.locator('input[name=login]').fill(login);
    await this.page.locator('input[name=password]').fill(password);
    await this.page.locator('form button[type=submit]').first().click();
    await this.page.waitForURL(/\/portal\/me$/);
    await this.page.locator('h1').first().waitFor();
  }
  async go(label: RegExp): Promise<void> {
    await this.page.locator('nav.sidenav').getByRole('link', { name: label }).click();
    await this.page.locator('h1').first().waitFor();
    await this.page.waitForLoadState('networkidle');
  }
  /** Starts TOTP enrolment; returns the shown secret (the caller computes the code). */
  async startTotp(): Promise<string> {
    await this.page
      .getByRole('button', { name: /add an authenticator|authenticator app|身份验证器/i })
      .click();
    const secret = this.page.getByTestId('totp-secret');
    await secret.waitFor();
    return ((await secret.textContent()) ?? '').replace(/\s+/g, '');
  }
  async confirmTotp(code: string, name: string): Promise<void> {
    const form = this.page.locator('form').filter({ has: this.page.getByTestId('totp-secret') });
    await form.locator('input[name=code]').fill(code);
    await form.locator('input[name=name]').fill(name);
    await form.locator('button[type=submit]').click();
    await this.page.getByTestId('factors').filter({ hasText: name }).waitFor();
  }
  /** Clicks the application in the launcher (a consent page, if any, is accepted). */
  async launch(appName: string, landed: (url: string) => boolean): Promise<void> {
    await this.page
      .getByTestId('launcher')
      .getByRole('link', { name: new RegExp(appName) })
      .click();
    await this.page.waitForURL(
      (u) => landed(u.href) || /\/(interaction|consent)\b/.test(u.pathname),
    );
    if (!landed(this.page.url())) {
      await this.page.locator('form button[type=submit]').first().click();
      await this.page.waitForURL((u) => landed(u.href));
    }
  }
}
