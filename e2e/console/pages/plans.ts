// Page object: operator → products and plans.
import type { Page } from 'playwright-core';

export class PlansPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async create(p: { code: string; name: string; billing: string; period?: string; price: string }) {
    const form = this.page.getByRole('form', { name: /new plan|新建套餐/i });
    await form.getByLabel(/^code|代码/i).fill(p.code);
    await form.getByLabel(/^name|名称/i).fill(p.name);
    await form.getByLabel(/^billing|计费方式/i).selectOption(p.billing);
    if (p.period) await form.getByLabel(/^period|周期/i).selectOption(p.period);
    await form.getByLabel(/price|价格/i).fill(p.price);
    await form.getByRole('button').click();
  }
  row(code: string) {
    return this.page.getByRole('row').filter({ hasText: code });
  }
}
