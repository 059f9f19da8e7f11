/** The flow graph: client groups → target tuples → servers (React Flow). */
import type { Locator, Page } from 'playwright-core';

export type GraphNodeKind = 'client' | 'target' | 'server' | 'pool';

/** A node as a user reads it: its label and the line under it. */
export interface GraphNodeView {
  label: string;
  sublabel: string;
}

export class FlowGraphPage {
  readonly graph: Locator;

  constructor(readonly page: Page) {
    this.graph = page.getByTestId('flow-graph');
  }

  /** Shows the graph tab and waits for the (lazy) graph to render. */
  async show(): Promise<void> {
    await this.page.getByTestId('tab-graph').click();
    await this.graph.waitFor();
  }

  nodes(kind: GraphNodeKind): Locator {
    return this.graph.getByTestId(`graph-node-${kind}`);
  }

  /** Nodes of a kind, sorted by label then sublabel (layout order is not meaningful). */
  async nodeViews(kind: GraphNodeKind): Promise<GraphNodeView[]> {
    const views = await this.nodes(kind).evaluateAll((els) =>
      els.map((el) => ({
        label: el.getAttribute('data-label') ?? '',
        sublabel: el.querySelector('.gnode-sub')?.textContent?.trim() ?? '',
      })),
    );
    return views.sort((a, b) => a.label.localeCompare(b.label) || a.sublabel.localeCompare(b.sublabel));
  }

  /** Labels of a kind, sorted. */
  async labels(kind: GraphNodeKind): Promise<string[]> {
    return (await this.nodeViews(kind)).map((n) => n.label);
  }

  /** Clicks the node of a kind with this label (and sublabel, when labels repeat). */
  async clickNode(kind: GraphNodeKind, label: string, sublabel?: string): Promise<void> {
    let node = this.graph.locator(`[data-testid="graph-node-${kind}"][data-label="${label}"]`);
    if (sublabel !== undefined) node = node.filter({ has: this.page.locator('.gnode-sub', { hasText: sublabel }) });
    await node.click();
  }
}
