import '@xyflow/react/dist/style.css';
import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
} from '@xyflow/react';
import { useEffect, useMemo } from 'react';
import { matchingRecords } from '../../stores/selectors';
import { mergeFilter, togglePool, useUi } from '../../stores/ui-store';
import { useThrottledLive } from '../../stores/use-throttled';
import { FlowNode, type FlowNodeType } from './FlowNode';
import { buildGraphModel, type GraphEdge, type GraphModel } from './graph-model';
import { layoutGraph } from './layout';

const nodeTypes = { flow: FlowNode };

const TONE_COLOR: Record<GraphEdge['tone'], string> = {
  ok: 'var(--edge)',
  timeout: 'var(--warn)',
  error: 'var(--error)',
};

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
    style: { stroke: color, strokeWidth: e.width, strokeDasharray: dash },
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

function GraphCanvas(props: { model: GraphModel }) {
  const filter = useUi((s) => s.filter);
  const { fitView } = useReactFlow();
  // Layout depends only on structure: recompute when nodes/edges appear or vanish, not on counts.
  const structure = `${props.model.nodes.map((n) => n.id).join(',')}|${props.model.edges.map((e) => e.id).join(',')}`;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const positions = useMemo(() => layoutGraph(props.model), [structure]);
  const nodes: FlowNodeType[] = useMemo(
    () =>
      props.model.nodes.map((n) => ({
        id: n.id,
        type: 'flow' as const,
        position: positions.get(n.id) ?? { x: 0, y: 0 },
        data: {
          node: n,
          active:
            (n.kind === 'server' && filter.server === n.label) ||
            (n.kind === 'target' && n.filter !== null && n.filter.topic === filter.topic && n.filter.exchange === filter.exchange),
        },
        draggable: false,
        connectable: false,
      })),
    [props.model, positions, filter],
  );
  const edges = useMemo(() => {
    const labelAll = props.model.edges.length <= LABEL_ALL_MAX_EDGES;
    return props.model.edges.map((e) => toFlowEdge(e, labelAll));
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
      proOptions={{ hideAttribution: true }}
      onNodeClick={(_, node) => {
        const n = (node as FlowNodeType).data.node;
        if (n.kind === 'pool' || (n.kind === 'target' && n.poolKey && n.expanded)) {
          if (n.poolKey) togglePool(n.poolKey);
          return;
        }
        if (n.filter) mergeFilter(n.filter);
      }}
      onEdgeClick={(_, edge) => {
        const e = (edge.data as { graphEdge: GraphEdge } | undefined)?.graphEdge;
        if (e) mergeFilter(e.filter);
      }}
    >
      <Background gap={24} size={1} color="var(--grid)" />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

// Rebuilding and re-laying out the graph is the page's heaviest periodic work; every 2 s is
// current enough for an operator and keeps the main thread free for the stream.
const GRAPH_REFRESH_MS = 2000;

/** Who calls whom for the current filter; click a node or an edge to filter to it. */
export default function FlowGraph() {
  const filter = useUi((s) => s.filter);
  const expandedPools = useUi((s) => s.expandedPools);
  const model = useThrottledLive(
    (live) => buildGraphModel(matchingRecords(live, filter), { expandedPools }),
    GRAPH_REFRESH_MS,
    [filter, expandedPools],
  );
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
        <span><i className="lg lg-call" /> call</span>
        <span><i className="lg lg-cast" /> cast</span>
        <span><i className="lg lg-fanout" /> fanout</span>
        <span><i className="lg lg-error" /> errors</span>
        <span><i className="lg lg-timeout" /> timeouts</span>
      </div>
    </div>
  );
}
