import type { FlowAggregate, LatencyStats, OutcomeStatus, TargetTuple } from '@osloscope/shared';

/**
 * One group of call/cast messages that share every fact the flow view counts by.
 * The store produces these with one GROUP BY, so building aggregates never walks
 * every message in JavaScript.
 */
export interface FlowFacet {
  flowKey: string;
  target: TargetTuple;
  kind: 'call' | 'cast';
  outcome: OutcomeStatus | null;
  failureClass: string | null;
  client: string | null;
  server: string | null;
  signatureFailed: boolean;
  count: number;
  firstAt: number;
  lastAt: number;
}

/** The key of a target tuple: one flow per (exchange, topic, namespace, version, server, fanout). */
export function flowKeyOf(t: TargetTuple): string {
  return [t.exchange, t.topic ?? '', t.namespace ?? '', t.version ?? '', t.server ?? '', t.fanout ? 'fanout' : ''].join('|');
}

/** Nearest-rank percentile over ascending values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? null;
}

export function latencyStats(sorted: readonly number[]): LatencyStats {
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.length ? (sorted[sorted.length - 1] ?? null) : null };
}

/**
 * Flow aggregates from grouped facts.
 * @param latencies ascending latencies (ms) of answered calls per flow key
 * @param reached servers reached by fanout casts per flow key
 */
export function buildFlows(
  facets: Iterable<FlowFacet>,
  latencies: ReadonlyMap<string, readonly number[]>,
  reached: ReadonlyMap<string, readonly string[]> = new Map(),
): FlowAggregate[] {
  const flows = new Map<string, FlowAggregate & { clientSet: Set<string>; serverSet: Set<string> }>();
  for (const f of facets) {
    let flow = flows.get(f.flowKey);
    if (!flow) {
      flow = {
        key: f.flowKey,
        target: f.target,
        calls: 0,
        casts: 0,
        fanouts: 0,
        errors: 0,
        errorsByClass: {},
        timeouts: 0,
        pending: 0,
        latencyMs: { p50: null, p95: null, max: null },
        clients: [],
        servers: [],
        signatureFailures: 0,
        firstAt: f.firstAt,
        lastAt: f.lastAt,
        clientSet: new Set(),
        serverSet: new Set(),
      };
      flows.set(f.flowKey, flow);
    }
    if (f.kind === 'call') flow.calls += f.count;
    else if (f.target.fanout) flow.fanouts += f.count;
    else flow.casts += f.count;
    if (f.kind === 'call') {
      if (f.outcome === 'error') {
        flow.errors += f.count;
        const cls = f.failureClass ?? 'unknown';
        flow.errorsByClass[cls] = (flow.errorsByClass[cls] ?? 0) + f.count;
      } else if (f.outcome === 'timeout') flow.timeouts += f.count;
      else if (f.outcome === 'pending') flow.pending += f.count;
    }
    if (f.signatureFailed) flow.signatureFailures += f.count;
    if (f.client !== null) flow.clientSet.add(f.client);
    if (f.server !== null) flow.serverSet.add(f.server);
    flow.firstAt = Math.min(flow.firstAt, f.firstAt);
    flow.lastAt = Math.max(flow.lastAt, f.lastAt);
  }
  return [...flows.values()]
    .map(({ clientSet, serverSet, ...flow }) => {
      for (const s of reached.get(flow.key) ?? []) serverSet.add(s);
      return {
        ...flow,
        latencyMs: latencyStats(latencies.get(flow.key) ?? []),
        clients: [...clientSet].sort(),
        servers: [...serverSet].sort(),
      };
    })
    .sort((a, b) => b.lastAt - a.lastAt || a.key.localeCompare(b.key));
}
