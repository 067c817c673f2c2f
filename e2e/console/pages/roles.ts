// Page object: instance administration as seen through a role (which tabs, which actions are
// offered, the note naming a missing permission, the screen refused to a role).
import type { Page } from 'playwright-core';

export class RoleView {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  /** The instance picker's slugs (a customer sees the instances of GET /me). */
  async pickerSlugs(): Promise<string[]> {
    await this.page
      .locator('nav.sidenav')
      .getByRole('link', { name: /administer an instance|管理实例/i })
      .click();
    const table = this.page.getByRole('table');
    await table.waitFor();
    return (await table.locator('tbody tr td:first-child').allTextContents()).map((s) => s.trim());
  }
  /** Opens an instance from the picker; resolves on its first screen. */
  async open(slug: string): Promise<void> {
    await this.page.getByRole('link', { name: slug, exact: true }).click();
    await this.page.locator('nav.admin-tabs').waitFor();
    await this.page.locator('h1').first().waitFor();
    await this.page.waitForLoadState('networkidle');
  }
  async tabs(): Promise<string[]> {
    return (await this.page.locator('nav.admin-tabs a').allTextContents()).map((s) => s.trim());
  }
  /** Opens a tab; resolves once the screen shows no loading indicator (its data is in). */
  async tab(label: RegExp): Promise<void> {
    await this.page.locator('nav.admin-tabs').getByRole('link', { name: label }).click();
    await this.page.locator('h1').first().waitFor();
    await this.page.waitForLoadState('networkidle');
    await this.page.waitForFunction(
      () =>
        ![...document.querySelectorAll('main [role=status]')].some((el) =>
          /^(loading…|加载中…)$/i.test((el.textContent ?? '').trim()),
        ),
      undefined,
      { timeout: 30_000 },
    );
  }
  heading() {
    return this.page.locator('h1').first();
  }
  /** The note saying which permission the role lacks on this screen ('' when none). */
  async note(): Promise<string> {
    const n = this.page.getByTestId('perm-note');
    return (await n.count()) ? await n.innerText() : '';
  }
  /** Buttons offered inert (aria-disabled) with the accessible description they carry. */
  async inertButtons(): Promise<{ name: string; description: string }[]> {
    return this.page.locator('main button[aria-disabled=true]').evaluateAll((els) =>
      els.map((el) => {
        const id = el.getAttribute('aria-describedby') ?? '';
        return {
          name: (el.textContent ?? '').trim(),
          description: id ? (document.getElementById(id)?.textContent ?? '') : '',
        };
      }),
    );
  }
  /** Forms whose accessible name matches (create forms are not offered without the right). */
  forms(name: RegExp) {
    return this.page.getByRole('form', { name });
  }
}
