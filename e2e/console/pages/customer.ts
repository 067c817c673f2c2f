// Page objects: customer → orders, wallet, instances.
import type { Page } from 'playwright-core';

export class OrdersPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async order(plan: string, slug: string): Promise<void> {
    const form = this.page.getByRole('form', { name: /order an instance|订购实例/i });
    await form.getByLabel(/plan|套餐/i).selectOption(plan);
    await form.getByLabel(/slug/i).fill(slug);
    await form.getByRole('button').click();
    await this.page.getByRole('status').filter({ hasText: slug }).waitFor();
  }
  async payFromBalance(slug: string): Promise<void> {
    await this.page.getByRole('button', { name: new RegExp(`${slug}`) }).click();
    await this.page
      .getByRole('status')
      .filter({ hasText: /paid|已支付|paid/ })
      .waitFor();
  }
}

export class WalletPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async topUp(amount: string): Promise<void> {
    const form = this.page.getByRole('form', { name: /add funds|充值/i });
    await form.getByLabel(/amount|金额/i).fill(amount);
    await form.getByRole('button').click();
    await this.page
      .getByRole('status')
      .filter({ hasText: /payment received|已收到付款/i })
      .waitFor();
  }
}

export class InstancesPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  card(slug: string) {
    return this.page.getByRole('article').filter({ hasText: slug });
  }
  async state(slug: string): Promise<string> {
    const el = this.card(slug).getByTestId('instance-state');
    await el.waitFor();
    return (await el.textContent()) ?? '';
  }
  async nextEvent(slug: string): Promise<string> {
    return (await this.card(slug).getByTestId('next-event').textContent()) ?? '';
  }
}
