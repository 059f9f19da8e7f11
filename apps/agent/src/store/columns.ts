import type { EnvelopeRecord } from '@osloscope/shared';
import { flowKeyOf } from '../domain/flows.js';
import { searchTextOf } from './search-text.js';

/**
 * Every server name a record can be found by (filter `server`): the target's, the handler's,
 * fanout reach and each delivery's. Stored in a side table so the filter stays indexed.
 */
export function serverNamesOf(record: EnvelopeRecord): string[] {
  const names = new Set<string>();
  if (record.target?.server) names.add(record.target.server);
  if (record.server !== null) names.add(record.server);
  for (const s of record.reached ?? []) names.add(s);
  for (const d of record.deliveries) if (d.server !== null) names.add(d.server);
  return [...names];
}

/**
 * The indexed columns of one stored record. Each filterable column holds exactly the value
 * shared's `matchesFilter` compares, so SQL gives the same answer as the matcher:
 * `exchange` OR `target_exchange`; `namespace` is `''` for the default namespace and NULL
 * without a target; `search_text` is searchTextOf; servers live in `message_servers`.
 */
export interface RecordColumns {
  captured_at: number;
  source: string;
  kind: string;
  exchange: string;
  target_exchange: string | null;
  topic: string | null;
  /** `''` for the default namespace (the filter's `namespace: ''`), NULL when the record has no target. */
  namespace: string | null;
  version: string | null;
  method: string | null;
  server: string | null;
  fanout: number;
  outcome: string | null;
  failure_class: string | null;
  latency_ms: number | null;
  signature_status: string;
  msg_id: string | null;
  unique_id: string | null;
  request_id: number | null;
  flow_key: string | null;
  client_key: string | null;
  reached: string | null;
  body_size: number;
  search_text: string;
}

/** Identity of a client for aggregates: process name when known, else connection, else reply queue. */
export function clientKeyOf(record: EnvelopeRecord): string | null {
  const c = record.client;
  return c ? (c.process ?? c.connection ?? c.replyQueue) : null;
}

export function columnsOf(record: EnvelopeRecord): RecordColumns {
  const t = record.target;
  const rpc = record.kind === 'call' || record.kind === 'cast';
  return {
    captured_at: record.capturedAt,
    source: record.source,
    kind: record.kind,
    exchange: record.exchange,
    target_exchange: t?.exchange ?? null,
    topic: t?.topic ?? null,
    namespace: t ? (t.namespace ?? '') : null,
    version: t?.version ?? null,
    method: record.method,
    server: record.server,
    fanout: t?.fanout ? 1 : 0,
    outcome: record.outcome?.status ?? null,
    failure_class: record.outcome?.failure?.class ?? null,
    latency_ms: record.outcome?.latencyMs ?? null,
    signature_status: record.signature.status,
    msg_id: record.msgId,
    unique_id: record.uniqueId,
    request_id: record.requestId,
    flow_key: rpc && t ? flowKeyOf(t) : null,
    client_key: clientKeyOf(record),
    reached: record.reached ? JSON.stringify(record.reached) : null,
    body_size: record.bodySize,
    search_text: searchTextOf(record),
  };
}

export const COLUMN_NAMES = [
  'captured_at',
  'source',
  'kind',
  'exchange',
  'target_exchange',
  'topic',
  'namespace',
  'version',
  'method',
  'server',
  'fanout',
  'outcome',
  'failure_class',
  'latency_ms',
  'signature_status',
  'msg_id',
  'unique_id',
  'request_id',
  'flow_key',
  'client_key',
  'reached',
  'body_size',
  'search_text',
] as const satisfies readonly (keyof RecordColumns)[];

/**
 * The columns as a statement's positional parameters, in COLUMN_NAMES order, and back. The store
 * runs these once per write on each thread, and a loop of keyed reads or writes by varying names
 * is V8's slow path (and left dictionary-mode objects for the writer's GC): both are compiled
 * once from COLUMN_NAMES into the literal they would be written as, so the names have one source.
 * The names are fixed identifiers of this module, never input.
 */
const compiledRowOf = new Function('c', `return [${COLUMN_NAMES.map((n) => `c.${n}`).join(', ')}];`) as (c: RecordColumns) => unknown[];
const compiledColumnsOf = new Function('r', `return { ${COLUMN_NAMES.map((n, i) => `${n}: r[${i}]`).join(', ')} };`) as (
  r: readonly unknown[],
) => RecordColumns;

export function rowOfColumns(c: RecordColumns): unknown[] {
  return compiledRowOf(c);
}

/** The columns back from a row that starts with rowOfColumns' values (the writer needs them for summaries). */
export function columnsOfRow(r: readonly unknown[]): RecordColumns {
  return compiledColumnsOf(r);
}
