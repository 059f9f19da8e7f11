/**
 * Who calls whom, from the buffered records: client groups → target tuples → servers.
 * Pure data (no React Flow types) so grouping, rates and error shares are unit-tested.
 */
import type { ClientIdentity, EnvelopeFilter, EnvelopeRecord, TargetTuple } from '@osloscope/shared';

/** Above this many servers behind one target, they collapse into a pool node. */
export const POOL_THRESHOLD = 8;

export type FlowClass = 'call' | 'cast' | 'fanout' | 'notification';
export type EdgeTone = 'ok' | 'timeout' | 'error';

export interface GraphNode {
  id: string;
  kind: 'client' | 'target' | 'server' | 'pool';
  label: string;
  /** Second line: counts, namespace/version, ... */
  sublabel: string;
  /** What clicking the node filters to (null: not filterable, e.g. client groups). */
  filter: EnvelopeFilter | null;
  /** Pool / target key for expand/collapse. */
  poolKey: string | null;
  expanded: boolean;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  flow: FlowClass;
  messages: number;
  calls: number;
  errors: number;
  timeouts: number;
  signatureFailures: number;
  /** Messages per second over the buffer's time span. */
  rate: number;
  /** (errors + timeouts) / calls, 0 without calls. */
  errorShare: number;
  tone: EdgeTone;
  /** 1..6 px, relative to the busiest edge. */
  width: number;
  filter: EnvelopeFilter;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  spanSeconds: number;
}

export interface GraphOptions {
  expandedPools?: readonly string[];
  poolThreshold?: number;
}

/** Program part of oslo's `connection_name` (`program:pid:uuid`). */
export function programOf(process: string): string {
  const parts = process.split(':');
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : process;
}

/** Clients are grouped by program; without a process name, by host, else reply queue. */
export function clientGroupOf(client: ClientIdentity | null): string {
  if (client?.process) return programOf(client.process);
  if (client?.connection) return `host ${client.connection.split(' ->')[0]?.split(':')[0] ?? client.connection}`;
  if (client?.replyQueue) return client.replyQueue;
  return 'unknown client';
}

/** Target tuple key without the server (direct calls land on their topic's target). */
export function targetKeyOf(t: TargetTuple): string {
  return [t.exchange, t.topic ?? '', t.namespace ?? '', t.version ?? ''].join('|');
}

function flowClassOf(rec: EnvelopeRecord): FlowClass | null {
  if (rec.kind === 'call') return 'call';
  if (rec.kind === 'cast') return rec.target?.fanout ? 'fanout' : 'cast';
  if (rec.kind === 'notification') return 'notification';
  return null;
}

function serversOf(rec: EnvelopeRecord): string[] {
  if (rec.reached && rec.reached.length > 0) return rec.reached;
  const s = rec.server ?? rec.target?.server ?? null;
  return s ? [s] : [];
}

export function targetFilter(t: TargetTuple): EnvelopeFilter {
  // namespace '' is the filter's spelling of the default namespace.
  const f: EnvelopeFilter = { exchange: t.exchange, namespace: t.namespace ?? '' };
  if (t.topic !== null) f.topic = t.topic;
  if (t.version !== null) f.version = t.version;
  return f;
}

/** An edge while its messages are counted. */
export interface EdgeAcc {
  source: string;
  target: string;
  flow: FlowClass;
  messages: number;
  calls: number;
  errors: number;
  timeouts: number;
  signatureFailures: number;
  filter: EnvelopeFilter;
}

export function toneOf(calls: number, errors: number, timeouts: number): EdgeTone {
  if (calls === 0) return 'ok';
  if (errors / calls >= 0.05) return 'error';
  if (timeouts / calls >= 0.05) return 'timeout';
  return 'ok';
}

/** The node of a client group (one program, or one host when the process is not known). */
export function clientNode(group: string, processes: number): GraphNode {
  return {
    id: `client:${group}`,
    kind: 'client',
    label: group,
    sublabel: processes === 1 ? '1 process' : `${processes} processes`,
    filter: null,
    poolKey: null,
    expanded: false,
  };
}

/**
 * A target's node, plus its pool node when more than `threshold` servers listen on it and the
 * user has not expanded it (`pooled`: its server edges then end at the pool).
 */
export function targetNodes(
  tk: string,
  t: TargetTuple,
  servers: number,
  threshold: number,
  expanded: ReadonlySet<string>,
): { nodes: GraphNode[]; pooled: boolean } {
  const pooled = servers > threshold && !expanded.has(tk);
  const bits = [t.namespace ? `ns ${t.namespace}` : 'default ns', t.version ? `v${t.version}` : 'no version'];
  const nodes: GraphNode[] = [
    {
      id: `target:${tk}`,
      kind: 'target',
      label: `${t.exchange} / ${t.topic ?? '—'}`,
      sublabel: bits.join(' · '),
      filter: targetFilter(t),
      poolKey: servers > threshold ? tk : null,
      expanded: servers > threshold && !pooled,
    },
  ];
  if (pooled) {
    nodes.push({
      id: `pool:${tk}`,
      kind: 'pool',
      label: `${servers} servers`,
      sublabel: `${t.topic ?? t.exchange} · click to expand`,
      filter: targetFilter(t),
      poolKey: tk,
      expanded: false,
    });
  }
  return { nodes, pooled };
}

export function serverNode(server: string): GraphNode {
  return { id: `server:${server}`, kind: 'server', label: server, sublabel: 'server', filter: { server }, poolKey: null, expanded: false };
}

/** Counted edges with their rate over the span, error share, tone and width (relative to the busiest edge). */
export function finishEdges(counted: readonly (readonly [string, EdgeAcc])[], spanSeconds: number): GraphEdge[] {
  const maxRate = Math.max(1e-9, ...counted.map(([, e]) => e.messages / spanSeconds));
  return counted.map(([id, e]) => {
    const rate = e.messages / spanSeconds;
    return {
      id,
      ...e,
      rate,
      errorShare: e.calls === 0 ? 0 : (e.errors + e.timeouts) / e.calls,
      tone: toneOf(e.calls, e.errors, e.timeouts),
      width: 1 + 5 * Math.sqrt(rate / maxRate),
    };
  });
}

/** What the graph needs from one record, derived once per record object (records are replaced, never mutated). */
export interface RecordKeys {
  flow: FlowClass;
  tk: string;
  group: string;
  process: string;
  servers: string[];
  clientEdgeId: string;
}

/** The graph's keys for one record (null: not drawn, e.g. a reply or an unknown message). */
export function recordKeys(rec: EnvelopeRecord): RecordKeys | null {
  const flow = flowClassOf(rec);
  if (!flow || !rec.target) return null;
  const tk = targetKeyOf(rec.target);
  const group = clientGroupOf(rec.client);
  return {
    flow,
    tk,
    group,
    process: rec.client?.process ?? rec.client?.connection ?? rec.client?.replyQueue ?? '?',
    servers: serversOf(rec),
    clientEdgeId: `client:${group}→target:${tk}#${flow}`,
  };
}

// Why: the full model below is computed over up to 20k buffered records at a time; deriving
// the keys (string joins and splits) once per record keeps that short.
const keysCache = new WeakMap<EnvelopeRecord, RecordKeys | null>();

function keysOf(rec: EnvelopeRecord): RecordKeys | null {
  let k = keysCache.get(rec);
  if (k === undefined) keysCache.set(rec, (k = recordKeys(rec)));
  return k;
}

/**
 * Builds the graph for the given (already filtered) records, oldest first. The page keeps the
 * same model incrementally (graph-index.ts); this full computation is its reference.
 */
export function buildGraphModel(records: readonly EnvelopeRecord[], opts: GraphOptions = {}): GraphModel {
  const threshold = opts.poolThreshold ?? POOL_THRESHOLD;
  const expanded = new Set(opts.expandedPools ?? []);
  const clients = new Map<string, Set<string>>();
  const targets = new Map<string, TargetTuple>();
  const serversByTarget = new Map<string, Set<string>>();
  const clientEdges = new Map<string, EdgeAcc>();
  const serverEdges: { tk: string; server: string; rec: EnvelopeRecord; flow: FlowClass }[] = [];
  let first = Infinity;
  let last = -Infinity;

  // The edge id is built first; the accumulator (and its filter object) only for a new edge.
  const bump = (
    map: Map<string, EdgeAcc>,
    id: string,
    make: () => Omit<EdgeAcc, 'messages' | 'calls' | 'errors' | 'timeouts' | 'signatureFailures'>,
    rec: EnvelopeRecord,
  ): void => {
    let e = map.get(id);
    if (!e) {
      e = { ...make(), messages: 0, calls: 0, errors: 0, timeouts: 0, signatureFailures: 0 };
      map.set(id, e);
    }
    e.messages++;
    if (rec.kind === 'call') e.calls++;
    if (rec.outcome?.status === 'error') e.errors++;
    if (rec.outcome?.status === 'timeout') e.timeouts++;
    if (rec.signature.status === 'failed') e.signatureFailures++;
  };

  for (const rec of records) {
    const k = keysOf(rec);
    if (!k || !rec.target) continue;
    const { flow, tk, group } = k;
    first = Math.min(first, rec.capturedAt);
    last = Math.max(last, rec.capturedAt);
    if (!targets.has(tk)) targets.set(tk, { ...rec.target, server: null });
    let processes = clients.get(group);
    if (!processes) clients.set(group, (processes = new Set<string>()));
    processes.add(k.process);
    const target = rec.target;
    bump(
      clientEdges,
      k.clientEdgeId,
      () => ({ source: `client:${group}`, target: `target:${tk}`, flow, filter: { ...targetFilter(target), kind: rec.kind } }),
      rec,
    );
    for (const server of k.servers) {
      let set = serversByTarget.get(tk);
      if (!set) serversByTarget.set(tk, (set = new Set<string>()));
      set.add(server);
      serverEdges.push({ tk, server, rec, flow });
    }
  }

  const nodes: GraphNode[] = [];
  for (const [group, processes] of clients) nodes.push(clientNode(group, processes.size));
  const pooled = new Set<string>();
  for (const [tk, t] of targets) {
    const target = targetNodes(tk, t, serversByTarget.get(tk)?.size ?? 0, threshold, expanded);
    nodes.push(...target.nodes);
    if (target.pooled) pooled.add(tk);
  }

  const serverAcc = new Map<string, EdgeAcc>();
  const serverNodes = new Set<string>();
  for (const { tk, server, rec, flow } of serverEdges) {
    const t = targets.get(tk) as TargetTuple;
    const to = pooled.has(tk) ? `pool:${tk}` : `server:${server}`;
    if (!pooled.has(tk)) serverNodes.add(server);
    const filter = (): EnvelopeFilter => (pooled.has(tk) ? targetFilter(t) : { ...targetFilter(t), server });
    bump(serverAcc, `target:${tk}→${to}#${flow}`, () => ({ source: `target:${tk}`, target: to, flow, filter: filter() }), rec);
  }
  for (const server of serverNodes) nodes.push(serverNode(server));

  const spanSeconds = Number.isFinite(first) ? Math.max(1, (last - first) / 1000) : 1;
  return { nodes, edges: finishEdges([...clientEdges.entries(), ...serverAcc.entries()], spanSeconds), spanSeconds };
}
