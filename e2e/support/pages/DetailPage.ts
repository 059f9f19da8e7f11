/** The detail panel of one message (opened from a stream row or a linked message). */
import type { Locator, Page } from 'playwright-core';

export class DetailPage {
  readonly panel: Locator;

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('detail-panel');
  }

  /** Waits until the panel shows message `id` with its content loaded. */
  async waitFor(id: number): Promise<void> {
    await this.page.locator(`[data-testid="detail-panel"][data-id="${id}"] [data-testid="detail-method"]`).waitFor();
  }

  /** Id of the message shown. */
  async id(): Promise<number> {
    return Number(await this.panel.getAttribute('data-id'));
  }

  private async text(testId: string): Promise<string> {
    return ((await this.panel.getByTestId(testId).first().textContent()) ?? '').trim();
  }

  method(): Promise<string> {
    return this.text('detail-method');
  }

  outcome(): Promise<string> {
    return this.text('detail-outcome');
  }

  /** The remote exception class, waiting for it (a call's failure loads from its reply). */
  async failureClass(): Promise<string> {
    await this.panel.getByTestId('detail-failure-class').waitFor();
    return this.text('detail-failure-class');
  }

  /** The whole "Remote failure" section: class, module, message, traceback. */
  async failureText(): Promise<string> {
    await this.panel.getByTestId('detail-failure').waitFor();
    return this.text('detail-failure');
  }

  /** The "Signature" section: status, reason and the reason in words. */
  signatureText(): Promise<string> {
    return this.text('detail-signature');
  }

  /** The reason in words (SIGNATURE_REASON_TEXT), for failed or annotated verdicts. */
  signatureReason(): Promise<string> {
    return this.text('detail-signature-reason');
  }

  /** Follows the request ⇄ reply link and waits for that message. */
  async openLinked(): Promise<number> {
    const link = this.panel.getByTestId('detail-link-open');
    const target = Number(/#(\d+)/.exec((await link.textContent()) ?? '')?.[1]);
    await link.click();
    await this.waitFor(target);
    return target;
  }

  async close(): Promise<void> {
    await this.panel.getByTestId('detail-close').click();
    await this.panel.waitFor({ state: 'detached' });
  }
}
