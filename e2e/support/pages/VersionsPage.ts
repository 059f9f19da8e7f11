/** The versions tab: one report per (exchange, topic, namespace) with a version matrix. */
import type { Locator, Page } from 'playwright-core';

/** One row of a version matrix, as numbers. */
export interface VersionRowView {
  version: string;
  sent: number;
  accepted: number;
  unsupportedVersion: number;
  noSuchMethod: number;
  otherErrors: number;
  timeouts: number;
  pending: number;
  casts: number;
  flagged: boolean;
}

export class VersionsPage {
  readonly view: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('versions-view');
  }

  async show(): Promise<void> {
    await this.page.getByTestId('tab-versions').click();
    await this.view.waitFor();
  }

  /** The report card of a target (report key `exchange|topic|namespace`, '' = default namespace). */
  report(exchange: string, topic: string, namespace: string | null = null): Locator {
    return this.view.locator(`[data-testid="version-report"][data-key="${[exchange, topic, namespace ?? ''].join('|')}"]`);
  }

  /** The report's warning banner text ('' when there is none). */
  async warning(report: Locator): Promise<string> {
    const banner = report.getByTestId('version-warning');
    return (await banner.count()) === 0 ? '' : ((await banner.textContent()) ?? '').trim();
  }

  /** The version matrix rows of a report, in display order. */
  async rows(report: Locator): Promise<VersionRowView[]> {
    return report.getByTestId('version-row').evaluateAll((els) =>
      els.map((el) => {
        const n = (i: number) => Number(el.children[i]?.textContent ?? 'NaN');
        return {
          version: el.getAttribute('data-version') ?? '',
          sent: n(1),
          accepted: n(2),
          unsupportedVersion: n(3),
          noSuchMethod: n(4),
          otherErrors: n(5),
          timeouts: n(6),
          pending: n(7),
          casts: n(8),
          flagged: el.classList.contains('row-bad'),
        };
      }),
    );
  }

  /** Per-server ranges: server → lowest rejected version shown ('—' when none). */
  async lowestRejected(report: Locator): Promise<Record<string, string>> {
    const pairs = await report
      .getByTestId('version-server')
      .evaluateAll((els) => els.map((el) => [el.getAttribute('data-server') ?? '', el.children[2]?.textContent?.trim() ?? ''] as const));
    return Object.fromEntries(pairs);
  }
}
