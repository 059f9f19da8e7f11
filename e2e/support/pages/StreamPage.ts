/**
 * The main view as a user drives it: open a URL, wait for the agent, use the filter bar,
 * read and click the message stream. Selectors are the web app's data-testids
 * (apps/web/README.md).
 */
import type { FilterField } from '@osloscope/shared';
import type { Locator, Page } from 'playwright-core';
import { DetailPage } from './DetailPage.js';

type TextFilterField = Exclude<FilterField, 'kind' | 'outcome' | 'signature'>;
type SelectFilterField = 'kind' | 'outcome' | 'signature';

/** What one stream row shows. */
export interface StreamRowView {
  id: number;
  kind: string;
  /** `data-method`: the RPC method ('' for replies and notifications). */
  method: string;
  /** The method column's text: the method, or a notification's event type. */
  methodText: string;
  outcome: string;
  signature: string;
  exchange: string;
  topic: string;
  server: string;
  /** Text of the signature badge (`✗ InvalidSignature`), '' when none is shown. */
  sigBadge: string;
  /** The badge's tooltip: the reason in words. */
  sigTitle: string;
}

export class StreamPage {
  readonly stream: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.stream = page.getByTestId('stream');
    this.rows = page.getByTestId('stream-row');
  }

  /** Opens `baseUrl` + `query` (`?server=node-b`) and waits until the agent connection is up. */
  static async open(page: Page, baseUrl: string, query = ''): Promise<StreamPage> {
    await page.goto(`${baseUrl}/${query}`);
    await page.locator('[data-testid="agent-connection"][data-state="connected"]').waitFor();
    return new StreamPage(page);
  }

  /** The query string in the address bar (`?server=node-b`, or ''). */
  query(): string {
    return new URL(this.page.url()).search;
  }

  /** `stream-count`: rows the stream says it shows. */
  async shownCount(): Promise<number> {
    return Number(await this.page.getByTestId('stream-count').getAttribute('data-value'));
  }

  /** Ids of the rendered rows, top to bottom (newest first). */
  async rowIds(): Promise<number[]> {
    return (await this.rowViews()).map((r) => r.id);
  }

  /** Every rendered row as a user reads it, top to bottom. */
  async rowViews(): Promise<StreamRowView[]> {
    const rows = await this.rows.evaluateAll((els) =>
      els.map((el) => {
        const text = (cls: string) => el.querySelector(`.${cls}`)?.textContent?.trim() ?? '';
        const badge = el.querySelector('[data-testid="sig-badge"]');
        return {
          id: Number(el.getAttribute('data-id')),
          top: el.getBoundingClientRect().top,
          kind: el.getAttribute('data-kind') ?? '',
          method: el.getAttribute('data-method') ?? '',
          methodText: text('c-method'),
          outcome: el.getAttribute('data-outcome') ?? '',
          signature: el.getAttribute('data-signature') ?? '',
          exchange: text('c-exchange'),
          topic: text('c-topic'),
          server: text('c-server'),
          sigBadge: badge?.textContent?.trim() ?? '',
          sigTitle: badge?.getAttribute('title') ?? '',
        };
      }),
    );
    // Virtualized rows are positioned with transforms, so DOM order is not screen order.
    return rows.sort((a, b) => a.top - b.top).map(({ top: _top, ...row }) => row);
  }

  /** Types into a filter field and commits it with Enter, as a user would. */
  async setFilter(field: TextFilterField, value: string): Promise<void> {
    const input = this.page.getByTestId(`filter-${field}`);
    await input.fill(value);
    await input.press('Enter');
  }

  /** Picks a value in one of the filter selects ('' = any). */
  async selectFilter(field: SelectFilterField, value: string): Promise<void> {
    await this.page.getByTestId(`filter-${field}`).selectOption(value);
  }

  /** What a filter field currently shows. */
  async filterValue(field: FilterField): Promise<string> {
    return this.page.getByTestId(`filter-${field}`).inputValue();
  }

  /** The filter bar's summary (`server=node-b`). */
  async filterSummary(): Promise<string> {
    return ((await this.page.getByTestId('filter-summary').textContent()) ?? '').trim();
  }

  async clearFilter(): Promise<void> {
    await this.page.getByTestId('filter-clear').click();
  }

  /** Freezes the live view (space), so rows stop moving under the pointer. */
  async pause(): Promise<void> {
    const button = this.page.getByTestId('stream-pause');
    if ((await button.getAttribute('data-paused')) !== 'true') await button.click();
    await this.page.locator('[data-testid="stream-pause"][data-paused="true"]').waitFor();
  }

  row(id: number): Locator {
    return this.page.locator(`[data-testid="stream-row"][data-id="${id}"]`);
  }

  /** Clicks a row and waits for its detail panel. */
  async openRow(id: number): Promise<DetailPage> {
    await this.row(id).click();
    const detail = new DetailPage(this.page);
    await detail.waitFor(id);
    return detail;
  }

  /** Header counter (`count-signature-failures`, `count-captured`, ...). */
  async headerCount(name: 'captured' | 'dropped' | 'evicted' | 'signature-failures'): Promise<number> {
    return Number(await this.page.getByTestId(`count-${name}`).getAttribute('data-value'));
  }
}
