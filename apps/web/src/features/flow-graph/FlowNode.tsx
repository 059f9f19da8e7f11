import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import { memo } from 'react';
import type { GraphNode } from './graph-model';

export type FlowNodeData = { node: GraphNode; active: boolean } & Record<string, unknown>;
export type FlowNodeType = Node<FlowNodeData, 'flow'>;

const ICON: Record<GraphNode['kind'], string> = { client: '▸', target: '◆', server: '■', pool: '▦' };

/** A graph node: label plus one line of detail; kind drives the colour. */
export const FlowNode = memo(function FlowNode(props: NodeProps<FlowNodeType>) {
  const n = props.data.node;
  return (
    <div
      className={`gnode gnode-${n.kind} ${props.data.active ? 'gnode-active' : ''}`}
      data-testid={`graph-node-${n.kind}`}
      data-label={n.label}
      title={`${n.label}\n${n.sublabel}`}
    >
      {n.kind !== 'client' && <Handle type="target" position={Position.Left} isConnectable={false} />}
      <div className="gnode-label">
        <span className="gnode-icon">{ICON[n.kind]}</span> {n.label}
      </div>
      <div className="gnode-sub">
        {n.sublabel}
        {n.poolKey && n.kind === 'target' && n.expanded ? ' · collapse' : ''}
      </div>
      {(n.kind === 'client' || n.kind === 'target') && <Handle type="source" position={Position.Right} isConnectable={false} />}
    </div>
  );
});
