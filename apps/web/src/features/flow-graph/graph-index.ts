/**
 * The flow graph's counts kept incrementally from the live buffer's changes (see
 * stores/live-changes.ts): adding or removing a record touches only its own edges, so a
 * refresh no longer rescans the 20k-record buffer. `model` gives what `buildGraphModel`
 * computes over the buffered records matching the filter (same nodes and edges; the order of
 * nodes and edges follows first appearance since the index was built).
 */
import type { EnvelopeFilter, EnvelopeRecord, TargetTuple } from '@osloscope/shared';
import type { RecordSink } from '../../stores/live-changes';
import { matchesCached } from '../../stores/selectors';
import {
  POOL_THRESHOLD,
  clientNode,
  finishEdges,
  recordKeys,
  serverNode,
  targetFilter,
  targetNodes,
  type FlowClass,
  type GraphModel,
  type GraphNode,
  type GraphOptions,
} from './graph-model';
import { TimeSpan } from './time-span';

interface Counts {
  messages: number;
  calls: number;
  errors: number;
  timeouts: number;
  signatureFailures: number;
}

const zero = (): Counts => ({ messages: 0, calls: 0, errors: 0, timeouts: 0, signatureFailures: 0 });

function bump(c: Counts, rec: EnvelopeRecord, sign: 1 | -1): void {
  c.messages += sign;
  if (rec.kind === 'call') c.calls += sign;
  if (rec.outcome?.status === 'error') c.errors += sign;
  if (rec.outcome?.status === 'timeout') c.timeouts += sign;
  if (rec.signature.status === 'failed') c.signatureFailures += sign;
}

function addCounts(into: Counts, c: Counts): void {
  into.messages += c.messages;
  into.calls += c.calls;
  into.errors += c.errors;
  into.timeouts += c.timeouts;
  into.signatureFailures += c.signatureFailures;
}

interface ClientEdge extends Counts {
  source: string;
  target: string;
  flow: FlowClass;
  filter: EnvelopeFilter;
}

/** Increments a reference count; returns the new count. */
function countUp<K>(map: Map<K, number>, key: K, sign: 1 | -1): number {
  const n = (map.get(key) ?? 0) + sign;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
  return n;
}

export class FlowGraphIndex implements RecordSink {
  /** Client group → process → buffered records from it. */
  private readonly clients = new Map<string, Map<string, number>>();
  /** Target key → its tuple (from the first record seen) and how many records address it. */
  private readonly targets = new Map<string, { tuple: TargetTuple; records: number }>();
  private readonly clientEdges = new Map<string, ClientEdge>();
  /** Target key → server → flow → counts: pooled or not is only decided in `model`. */
  private readonly serverLinks = new Map<string, Map<string, Map<FlowClass, Counts>>>();
  private readonly span = new TimeSpan();
  /** Bumped whenever the counted records change. */
  revision = 0;

  constructor(private readonly filter: EnvelopeFilter) {}

  clear(): void {
    this.clients.clear();
    this.targets.clear();
    this.clientEdges.clear();
    this.serverLinks.clear();
    this.span.clear();
    this.revision++;
  }

  add(rec: EnvelopeRecord): void {
    this.count(rec, 1);
  }

  remove(rec: EnvelopeRecord): void {
    this.count(rec, -1);
  }

  private count(rec: EnvelopeRecord, sign: 1 | -1): void {
    // Not cached per record: each record passes here twice (added, removed), and a cache entry
    // living as long as the record would be old-generation garbage at thousands a second.
    const k = recordKeys(rec);
    if (!k || !rec.target || !matchesCached(rec, this.filter)) return;
    this.revision++;
    const { flow, tk, group } = k;
    if (sign > 0) this.span.add(rec.capturedAt);
    else this.span.remove(rec.capturedAt);

    let processes = this.clients.get(group);
    if (!processes) this.clients.set(group, (processes = new Map()));
    if (countUp(processes, k.process, sign) === 0 && processes.size === 0) this.clients.delete(group);

    const target = this.targets.get(tk);
    if (target) {
      target.records += sign;
      if (target.records === 0) this.targets.delete(tk);
    } else if (sign > 0) {
      this.targets.set(tk, { tuple: { ...rec.target, server: null }, records: 1 });
    }

    let edge = this.clientEdges.get(k.clientEdgeId);
    if (!edge) {
      edge = { source: `client:${group}`, target: `target:${tk}`, flow, filter: { ...targetFilter(rec.target), kind: rec.kind }, ...zero() };
      this.clientEdges.set(k.clientEdgeId, edge);
    }
    bump(edge, rec, sign);
    if (edge.messages === 0) this.clientEdges.delete(k.clientEdgeId);

    if (k.servers.length === 0) return;
    let servers = this.serverLinks.get(tk);
    if (!servers) this.serverLinks.set(tk, (servers = new Map()));
    for (const server of k.servers) {
      let flows = servers.get(server);
      if (!flows) servers.set(server, (flows = new Map()));
      let c = flows.get(flow);
      if (!c) flows.set(flow, (c = zero()));
      bump(c, rec, sign);
      if (c.messages === 0) flows.delete(flow);
      if (flows.size === 0) servers.delete(server);
    }
    if (servers.size === 0) this.serverLinks.delete(tk);
  }

  /** The graph for the current records, pools collapsed above the threshold unless expanded. */
  model(opts: GraphOptions = {}): GraphModel {
    const threshold = opts.poolThreshold ?? POOL_THRESHOLD;
    const expanded = new Set(opts.expandedPools ?? []);
    const nodes: GraphNode[] = [];
    for (const [group, processes] of this.clients) nodes.push(clientNode(group, processes.size));
    const pooled = new Set<string>();
    for (const [tk, { tuple: t }] of this.targets) {
      const target = targetNodes(tk, t, this.serverLinks.get(tk)?.size ?? 0, threshold, expanded);
      nodes.push(...target.nodes);
      if (target.pooled) pooled.add(tk);
    }

    type Acc = Counts & { source: string; target: string; flow: FlowClass; filter: EnvelopeFilter };
    const all: [string, Acc][] = [...this.clientEdges].map(([id, e]) => [id, { ...e }]);
    const serverAcc = new Map<string, Acc>();
    const serverNodes = new Set<string>();
    for (const [tk, servers] of this.serverLinks) {
      const t = (this.targets.get(tk) as { tuple: TargetTuple }).tuple;
      const isPooled = pooled.has(tk);
      for (const [server, flows] of servers) {
        const to = isPooled ? `pool:${tk}` : `server:${server}`;
        if (!isPooled) serverNodes.add(server);
        for (const [flow, c] of flows) {
          const id = `target:${tk}→${to}#${flow}`;
          let e = serverAcc.get(id);
          if (!e) {
            const filter = isPooled ? targetFilter(t) : { ...targetFilter(t), server };
            serverAcc.set(id, (e = { source: `target:${tk}`, target: to, flow, filter, ...zero() }));
          }
          addCounts(e, c);
        }
      }
    }
    for (const server of serverNodes) nodes.push(serverNode(server));
    all.push(...serverAcc);

    const first = this.span.first;
    const last = this.span.last;
    const spanSeconds = first !== undefined && last !== undefined ? Math.max(1, (last - first) / 1000) : 1;
    return { nodes, edges: finishEdges(all, spanSeconds), spanSeconds };
  }
}
