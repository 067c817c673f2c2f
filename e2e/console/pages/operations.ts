// Page objects: tickets (customer and operator), notices inbox, agreement versions,
// payments to reconcile, exports and receipts.
import type { Download, Page } from 'playwright-core';

export class CustomerTicketsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async open(t: { kind: string; severity: string; subject: string; body: string }) {
    const form = this.page.getByRole('form', { name: /open a ticket|提交工单/i });
    await form.getByLabel(/^kind|类型/i).selectOption(t.kind);
    await form.getByLabel(/severity|严重程度/i).selectOption(t.severity);
    await form.getByLabel(/subject|主题/i).fill(t.subject);
    await form.getByLabel(/message|内容/i).fill(t.body);
    await form.getByRole('button').click();
    await this.page.locator('h2', { hasText: t.subject }).waitFor();
  }
  thread() {
    return this.page.getByRole('list', { name: /messages|消息/i });
  }
  async reply(body: string) {
    const form = this.page.getByRole('form', { name: /reply|回复/i });
    await form.getByLabel(/message|内容/i).fill(body);
    await form.getByRole('button').click();
    await this.thread().getByText(body).waitFor();
  }
}

export class OperatorTicketsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async openTicket(subject: string) {
    await this.page.getByRole('link', { name: subject }).click();
    await this.page.locator('h1', { hasText: subject }).waitFor();
  }
  async reply(body: string) {
    const form = this.page.getByRole('form', { name: /reply|回复/i });
    await form.getByLabel(/message|内容/i).fill(body);
    await form.getByRole('button').click();
    await this.page
      .getByRole('status')
      .filter({ hasText: /reply sent|回复已发送/i })
      .waitFor();
  }
  async markResolved() {
    await this.page.getByRole('button', { name: /mark resolved|标记为已解决/i }).click();
    await this.page
      .getByRole('status')
      .filter({ hasText: /status changed|状态已改为/i })
      .waitFor();
  }
}

export class NoticesPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  row(subject: string) {
    return this.page.getByRole('row').filter({ hasText: subject });
  }
  async read(subject: string): Promise<string> {
    await this.row(subject).getByRole('button').click();
    const n = this.page.getByTestId('notice');
    await n.locator('h2', { hasText: subject }).waitFor();
    return (await n.textContent()) ?? '';
  }
}

export class AgreementPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async accept(version: string) {
    await this.page
      .getByRole('button', { name: new RegExp(`(accept version|接受) ${version}`, 'i') })
      .click();
    await this.page
      .getByRole('status')
      .filter({ hasText: new RegExp(`${version}`) })
      .waitFor();
  }
  row(version: string) {
    return this.page.getByRole('row').filter({ hasText: version });
  }
}

export class PaymentsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  async recordTransfer(p: { account: string; amount: string; reference: string }) {
    const form = this.page.getByRole('form', {
      name: /record a bank transfer|登记已收到的银行转账/i,
    });
    await form.getByLabel(/customer|客户/i).selectOption({ label: p.account });
    await form.getByLabel(/amount|金额/i).fill(p.amount);
    await form.getByLabel(/reference|参考/i).fill(p.reference);
    await form.getByRole('button').click();
  }
}

export class ReceiptsPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }
  /** Exports an instance; resolves with the saved file and the receipt shown. */
  async export(slug: string): Promise<{ download: Download; receipt: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: new RegExp(`(export|导出) ${slug}`, 'i') }).click(),
    ]);
    const r = this.page.getByTestId('export-receipt');
    await r.waitFor();
    return { download, receipt: (await r.textContent()) ?? '' };
  }
}
