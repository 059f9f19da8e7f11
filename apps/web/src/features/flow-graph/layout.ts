/** Left-to-right automatic layout (dagre): clients, then targets, then servers. */
import { Graph, layout } from '@dagrejs/dagre';
import type { GraphModel } from './graph-model';

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 44;

export interface Positioned {
  x: number;
  y: number;
}

/** Top-left positions per node id. */
export function layoutGraph(model: GraphModel): Map<string, Positioned> {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 110, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of model.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of model.edges) g.setEdge(e.source, e.target, {}, e.id);
  layout(g);
  const out = new Map<string, Positioned>();
  for (const n of model.nodes) {
    const p = g.node(n.id) as { x: number; y: number } | undefined;
    out.set(n.id, p ? { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 } : { x: 0, y: 0 });
  }
  return out;
}
