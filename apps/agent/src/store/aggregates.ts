/**
 * Flow and version aggregates: the unfiltered views read the summaries the store maintains at
 * write time (a few hundred rows whatever the store size); a filtered view runs one GROUP BY
 * over the matching messages. Either way the pure domain builders turn the groups into reports.
 */
import { isEmptyFilter, type EnvelopeFilter, type FlowAggregate, type OutcomeStatus, type VersionReport } from '@osloscope/shared';
import { buildFlows, type FlowFacet } from '../domain/flows.js';
import { buildVersionReports, type VersionFacet } from '../domain/versions.js';
import { boundParams, filterToSql } from './filter-sql.js';
import type { CaptureStore } from './capture-store.js';

const RPC_REQUESTS = { sql: "kind IN ('call', 'cast') AND flow_key IS NOT NULL", params: [] };

interface FlowGroupRow {
  flow_key: string;
  kind: 'call' | 'cast';
  outcome: OutcomeStatus | null;
  failure_class: string | null;
  client_key: string | null;
  server: string | null;
  sig_failed: number;
  n: number;
  first_at: number;
  last_at: number;
  sample_id: number;
}

type FlowSummaryRow = Omit<FlowGroupRow, 'first_at' | 'last_at' | 'sample_id'>;

/** One group of a flow (same kind, outcome, failure, client, server) as a facet for buildFlows. */
function facetOf(g: FlowSummaryRow, target: FlowFacet['target'], firstAt: number, lastAt: number): FlowFacet {
  return {
    flowKey: g.flow_key,
    target,
    kind: g.kind,
    outcome: g.outcome,
    failureClass: g.failure_class,
    client: g.client_key,
    server: g.server,
    signatureFailed: g.sig_failed === 1,
    count: g.n,
    firstAt,
    lastAt,
  };
}

/** Flow aggregates of the whole store from the write-time summaries. */
function flowsFromSummaries(store: CaptureStore): FlowAggregate[] {
  const spans = new Map<string, { firstAt: number; lastAt: number; target: FlowFacet['target'] } | null>();
  const spanOf = (flowKey: string) => {
    if (!spans.has(flowKey)) {
      const span = store.flowSpan(flowKey);
      const target = span ? store.getLeanRecord(span.sampleId)?.target : null;
      spans.set(flowKey, span && target ? { firstAt: span.firstAt, lastAt: span.lastAt, target } : null);
    }
    return spans.get(flowKey) ?? null;
  };
  const facets: FlowFacet[] = [];
  for (const g of store.summary<FlowSummaryRow>('flow_groups')) {
    const span = spanOf(g.flow_key);
    if (!span) continue;
    // Every facet carries its flow's first/last time: buildFlows takes the min/max over facets.
    facets.push(facetOf(g, span.target, span.firstAt, span.lastAt));
  }
  const latencies = new Map<string, number[]>();
  for (const row of store.summary<{ flow_key: string; latency_ms: number; n: number }>('flow_latencies')) {
    let list = latencies.get(row.flow_key);
    if (!list) latencies.set(row.flow_key, (list = []));
    for (let i = 0; i < row.n; i++) list.push(row.latency_ms);
  }
  const reached = new Map<string, string[]>();
  for (const row of store.summary<{ flow_key: string; server: string }>('flow_reached')) {
    let list = reached.get(row.flow_key);
    if (!list) reached.set(row.flow_key, (list = []));
    list.push(row.server);
  }
  return buildFlows(facets, latencies, reached);
}

/** Flow aggregates of the messages matching `filter`: the write-time summaries when it is empty. */
export function flowsOf(store: CaptureStore, filter: EnvelopeFilter): FlowAggregate[] {
  return isEmptyFilter(filter) ? flowsFromSummaries(store) : flowsByScan(store, filter);
}

/** Flow aggregates by one GROUP BY over the matching messages (exported for the summary tests). */
export function flowsByScan(store: CaptureStore, filter: EnvelopeFilter): FlowAggregate[] {
  const where = filterToSql(filter, [RPC_REQUESTS], { asSet: true });
  const groups = store.grouped<FlowGroupRow>(
    `flow_key, kind, outcome, failure_class, client_key, server, signature_status = 'failed' AS sig_failed,
     COUNT(*) AS n, MIN(captured_at) AS first_at, MAX(captured_at) AS last_at, MIN(id) AS sample_id`,
    where,
    'flow_key, kind, outcome, failure_class, client_key, server, sig_failed',
  );
  // The target tuple of each flow, read from one of its records.
  const targets = new Map<string, FlowFacet['target']>();
  for (const g of groups) {
    if (targets.has(g.flow_key)) continue;
    const target = store.getLeanRecord(g.sample_id)?.target;
    if (target) targets.set(g.flow_key, target);
  }
  const facets: FlowFacet[] = [];
  for (const g of groups) {
    const target = targets.get(g.flow_key);
    if (!target) continue;
    facets.push(facetOf(g, target, g.first_at, g.last_at));
  }
  const latencies = new Map<string, number[]>();
  for (const row of store.select<{ flow_key: string; latency_ms: number }>(
    `SELECT flow_key, latency_ms FROM ${where.from ?? 'messages'} WHERE ${where.sql} AND kind = 'call' AND latency_ms IS NOT NULL ORDER BY flow_key, latency_ms`,
    boundParams(where),
  )) {
    let list = latencies.get(row.flow_key);
    if (!list) latencies.set(row.flow_key, (list = []));
    list.push(row.latency_ms);
  }
  const reached = new Map<string, string[]>();
  for (const row of store.select<{ flow_key: string; value: string }>(
    `SELECT DISTINCT f.flow_key, j.value FROM (SELECT flow_key, reached FROM ${where.from ?? 'messages'} WHERE ${where.sql} AND reached IS NOT NULL) f, json_each(f.reached) j`,
    boundParams(where),
  )) {
    let list = reached.get(row.flow_key);
    if (!list) reached.set(row.flow_key, (list = []));
    list.push(row.value);
  }
  return buildFlows(facets, latencies, reached);
}

/** The version facets of the messages matching `filter`, by one GROUP BY. */
function versionGroups(store: CaptureStore, filter: EnvelopeFilter): VersionGroupRow[] {
  const where = filterToSql(filter, [{ sql: "kind IN ('call', 'cast') AND topic IS NOT NULL", params: [] }], { asSet: true });
  return store.grouped<VersionGroupRow>(
    'COALESCE(target_exchange, exchange) AS exchange, topic, namespace, version, method, kind, outcome, failure_class, server, client_key, COUNT(*) AS n',
    where,
    '1, topic, namespace, version, method, kind, outcome, failure_class, server, client_key',
  );
}

interface VersionGroupRow {
  exchange: string;
  topic: string;
  namespace: string;
  version: string | null;
  method: string | null;
  kind: 'call' | 'cast';
  outcome: OutcomeStatus | null;
  failure_class: string | null;
  server: string | null;
  client_key: string | null;
  n: number;
}

/** Version reports of the messages matching `filter`: the write-time summaries when it is empty. */
export function versionsOf(store: CaptureStore, filter: EnvelopeFilter, scan = !isEmptyFilter(filter)): VersionReport[] {
  const groups = scan ? versionGroups(store, filter) : store.summary<VersionGroupRow>('version_groups');
  return buildVersionReports(
    groups.map((g): VersionFacet => ({
      exchange: g.exchange,
      topic: g.topic,
      namespace: g.namespace === '' ? null : g.namespace,
      version: g.version,
      method: g.method,
      kind: g.kind,
      outcome: g.outcome,
      failureClass: g.failure_class,
      server: g.server,
      client: g.client_key,
      count: g.n,
    })),
  );
}
