import '@xyflow/react/dist/style.css';
import { Background, Controls, MarkerType, ReactFlow, ReactFlowProvider, useReactFlow, type Edge } from '@xyflow/react';
import type { EnvelopeFilter } from '@osloscope/shared';
import { startTransition, useEffect, useMemo, useRef, useState } from 'react';
import { followLive, rebuildFrom } from '../../stores/live-changes';
import { liveRecords, liveStore } from '../../stores/live-store';
import { mergeFilter, togglePool, useUi } from '../../stores/ui-store';
import { FlowNode, type FlowNodeType } from './FlowNode';
import { FlowGraphIndex } from './graph-index';
import type { GraphEdge, GraphModel, GraphNode } from './graph-model';
import { layoutGraph, type Positioned } from './layout';
import { reuseUnchanged } from './reuse';

const nodeTypes = { flow: FlowNode };

const TONE_COLOR: Record<GraphEdge['tone'], string> = {
  ok: 'var(--edge)',
  timeout: 'var(--warn)',
  error: 'var(--error)',
};

function isActive(n: GraphNode, filter: EnvelopeFilter): boolean {
  return (
    (n.kind === 'server' && filter.server === n.label) ||
    (n.kind === 'target' && n.filter !== null && n.filter.topic === filter.topic && n.filter.exchange === filter.exchange)
  );
}

function toFlowNode(n: GraphNode, positions: Map<string, Positioned>, filter: EnvelopeFilter): FlowNodeType {
  return {
    id: n.id,
    type: 'flow' as const,
    position: positions.get(n.id) ?? { x: 0, y: 0 },
    data: { node: n, active: isActive(n, filter) },
    draggable: false,
    connectable: false,
  };
}

function edgeLabel(e: GraphEdge): string {
  const parts = [`${e.rate >= 10 ? e.rate.toFixed(0) : e.rate.toFixed(1)}/s`];
  if (e.flow !== 'call') parts.unshift(e.flow);
  if (e.errorShare > 0) parts.push(`${Math.round(e.errorShare * 100)}% err`);
  if (e.signatureFailures > 0) parts.push(`✗ ${e.signatureFailures} sig`);
  return parts.join(' · ');
}

/** Past this many edges only problem edges (errors, timeouts, failed signatures) keep a label. */
const LABEL_ALL_MAX_EDGES = 16;

function toFlowEdge(e: GraphEdge, labelAll: boolean): Edge {
  // Colour is the error/timeout share; failed signatures get their own label and glow.
  const color = TONE_COLOR[e.tone];
  // Calls solid with a closed arrow; casts dashed; fanouts dotted with an open arrow.
  const dash = e.flow === 'cast' ? '6 4' : e.flow === 'fanout' ? '2 3' : e.flow === 'notification' ? '8 3 2 3' : undefined;
  return {
    id: e.id,
    source: e.source,
    target: e.target,
    label: labelAll || e.tone !== 'ok' || e.signatureFailures > 0 ? edgeLabel(e) : undefined,
    labelStyle: { fontSize: 10, fill: e.signatureFailures > 0 ? 'var(--error)' : e.tone === 'ok' ? 'var(--muted)' : color },
    labelBgStyle: { fill: 'var(--bg)' },
    // Rounded: a width that moved by a hair is not worth a new edge object (and re-render).
    style: { stroke: color, strokeWidth: Math.round(e.width * 10) / 10, strokeDasharray: dash },
    markerEnd: {
      type: e.flow === 'call' ? MarkerType.ArrowClosed : MarkerType.Arrow,
      color,
      width: 14,
      height: 14,
    },
    data: { graphEdge: e },
    className: `gedge gedge-${e.flow} gedge-${e.tone}${e.signatureFailures > 0 ? ' gedge-sigfail' : ''}`,
    ariaLabel: `${e.source} to ${e.target}: ${edgeLabel(e)}`,
  };
}

function sameNode(a: FlowNodeType, b: FlowNodeType): boolean {
  const x = a.data.node;
  const y = b.data.node;
  return (
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    a.data.active === b.data.active &&
    x.label === y.label &&
    x.sublabel === y.sublabel &&
    x.poolKey === y.poolKey &&
    x.expanded === y.expanded &&
    JSON.stringify(x.filter) === JSON.stringify(y.filter)
  );
}

function sameEdge(a: Edge, b: Edge): boolean {
  return a.label === b.label && a.className === b.className && a.style?.strokeWidth === b.style?.strokeWidth && a.ariaLabel === b.ariaLabel;
}

const PRO_OPTIONS = { hideAttribution: true };

function onNodeClick(_: unknown, node: FlowNodeType): void {
  const n = node.data.node;
  if (n.kind === 'pool' || (n.kind === 'target' && n.poolKey && n.expanded)) {
    if (n.poolKey) togglePool(n.poolKey);
    return;
  }
  if (n.filter) mergeFilter(n.filter);
}

function onEdgeClick(_: unknown, edge: Edge): void {
  const e = (edge.data as { graphEdge: GraphEdge } | undefined)?.graphEdge;
  if (e) mergeFilter(e.filter);
}

function GraphCanvas(props: { model: GraphModel }) {
  const filter = useUi((s) => s.filter);
  const { fitView } = useReactFlow();
  // Layout depends only on structure: recompute when nodes/edges appear or vanish, not on counts.
  const structure = `${props.model.nodes.map((n) => n.id).join(',')}|${props.model.edges.map((e) => e.id).join(',')}`;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const positions = useMemo(() => layoutGraph(props.model), [structure]);
  // React Flow re-measures (DOM reads) every node whose object is new, and re-renders every
  // new edge: hand it back the previous object for whatever did not change.
  const previousNodes = useRef(new Map<string, FlowNodeType>());
  const previousEdges = useRef(new Map<string, Edge>());
  const nodes: FlowNodeType[] = useMemo(() => {
    const next = props.model.nodes.map((n) => toFlowNode(n, positions, filter));
    return reuseUnchanged(previousNodes.current, next, sameNode);
  }, [props.model, positions, filter]);
  const edges = useMemo(() => {
    const labelAll = props.model.edges.length <= LABEL_ALL_MAX_EDGES;
    return reuseUnchanged(
      previousEdges.current,
      props.model.edges.map((e) => toFlowEdge(e, labelAll)),
      sameEdge,
    );
  }, [props.model]);
  useEffect(() => {
    // Refit when the structure changes, not on every count update.
    const t = setTimeout(() => void fitView({ padding: 0.08, maxZoom: 1.2, duration: 0 }), 0);
    return () => clearTimeout(t);
  }, [structure, fitView]);

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable
      minZoom={0.1}
      proOptions={PRO_OPTIONS}
      onNodeClick={onNodeClick}
      onEdgeClick={onEdgeClick}
    >
      <Background gap={24} size={1} color="var(--grid)" />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

// Publishing the graph (React Flow re-render, edge labels) is the page's heaviest periodic
// work; every 2 s is current enough for an operator and keeps the main thread free for the stream.
const GRAPH_REFRESH_MS = 2000;

/**
 * The graph model for the filter, kept incrementally by a `FlowGraphIndex` that follows the
 * live buffer change by change; published every `GRAPH_REFRESH_MS` when its records changed
 * (at once when the filter or the expanded pools change).
 */
function useGraphModel(filter: EnvelopeFilter, expandedPools: readonly string[]): GraphModel {
  // Built from the buffer as it is now, so a remount (switching back to this tab) draws at once.
  const built = useMemo(() => {
    const index = new FlowGraphIndex(filter);
    rebuildFrom(index, liveRecords);
    return { index, at: liveRecords.version };
  }, [filter]);
  const index = built.index;
  const [model, setModel] = useState<GraphModel>(() => index.model({ expandedPools }));
  // Declared first so the index is current before the publishing effect reads it.
  useEffect(() => followLive(liveStore, liveRecords, index, undefined, built.at), [index, built]);
  useEffect(() => {
    let seen = -1;
    const publish = (urgent: boolean) => {
      if (index.revision === seen) return;
      seen = index.revision;
      const next = index.model({ expandedPools });
      if (urgent) setModel(next);
      // A transition: React renders the graph in slices between the stream's frame updates.
      else startTransition(() => setModel(next));
    };
    publish(true);
    const timer = setInterval(() => publish(false), GRAPH_REFRESH_MS);
    return () => clearInterval(timer);
  }, [index, expandedPools]);
  return model;
}

/** Who calls whom for the current filter; click a node or an edge to filter to it. */
export default function FlowGraph() {
  const filter = useUi((s) => s.filter);
  const expandedPools = useUi((s) => s.expandedPools);
  const model = useGraphModel(filter, expandedPools);
  return (
    <div className="graph" data-testid="flow-graph" data-nodes={model.nodes.length} data-edges={model.edges.length}>
      {model.nodes.length === 0 ? (
        <div className="empty">No calls, casts or notifications{Object.keys(filter).length ? ' match the filter' : ' captured yet'}.</div>
      ) : (
        <ReactFlowProvider>
          <GraphCanvas model={model} />
        </ReactFlowProvider>
      )}
      <div className="graph-legend">
        <span>
          <i className="lg lg-call" /> call
        </span>
        <span>
          <i className="lg lg-cast" /> cast
        </span>
        <span>
          <i className="lg lg-fanout" /> fanout
        </span>
        <span>
          <i className="lg lg-error" /> errors
        </span>
        <span>
          <i className="lg lg-timeout" /> timeouts
        </span>
      </div>
    </div>
  );
}
