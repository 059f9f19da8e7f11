/**
 * Capture export/import as NDJSON, one line per published message:
 *
 * ```json
 * {"v": 1, "record": <EnvelopeRecord>, "raw": {"bodyBase64", "headers", "properties", "origin",
 *  "exchange", "routingKey", "deliveries"}, "masked": ["oslo.message._context_auth_token", ...]}
 * ```
 *
 * and last a trailer saying what the export holds and what it left out (records whose raw event
 * is lost: an import re-decodes each line's raw event, so a line without one is of no use):
 *
 * ```json
 * {"trailer": {"lines": 14, "missing": 3, "reasons": ["raw/00000002.seg is truncated: 3 records left out"]}}
 * ```
 *
 * A file without its trailer was cut short. Import skips the trailer.
 *
 * `raw` is the event the record was built from (a firehose trace event or a tap copy) plus its
 * deliveries, so an import re-runs the current decoder over it. Unless the agent shows
 * secrets, `bodyBase64` is the masked body (`masked` lists the JSON paths replaced) and the
 * record's context/args/results are masked too.
 */
import type { DeliveryWire, EnvelopeRecord } from '@osloscope/shared';
import type { ExportTrailer } from '../ports/capture-service.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { presentBody } from './present.js';
import type { StoredRaw } from '../store/raw-segments.js';

export const EXPORT_FORMAT_VERSION = 1;

export interface ExportedRaw {
  bodyBase64: string;
  headers: Record<string, unknown>;
  properties: StoredRaw['properties'];
  origin: RawCapture['origin'];
  exchange: string;
  routingKey: string;
  deliveries: DeliveryWire[];
}

export interface ExportLine {
  v: 1;
  record: EnvelopeRecord;
  raw: ExportedRaw;
  masked: string[];
}

export interface ImportResult {
  imported: number;
  errors: number;
}

/**
 * One export line for a stored record (the record already presented for output).
 * @param row.maskedAtExport paths an earlier export masked (a re-exported import): still masked
 */
export function exportLine(row: { record: EnvelopeRecord; raw: StoredRaw; maskedAtExport?: string[] }, showSecrets: boolean): string {
  const body = presentBody(row.raw.body, showSecrets);
  const earlier = row.maskedAtExport ?? [];
  const line: ExportLine = {
    v: EXPORT_FORMAT_VERSION,
    record: row.record,
    raw: {
      bodyBase64: body.base64,
      headers: row.raw.headers,
      properties: row.raw.properties,
      origin: row.raw.origin,
      exchange: row.raw.exchange,
      routingKey: row.raw.routingKey,
      deliveries: row.record.deliveries,
    },
    masked: earlier.length === 0 ? body.masked : [...new Set([...earlier, ...body.masked])],
  };
  return JSON.stringify(line);
}

/** The trailer of an export that wrote `lines` record lines and left out records for the reasons counted in `leftOut`. */
export function exportTrailer(lines: number, leftOut: ReadonlyMap<string, number>): ExportTrailer {
  let missing = 0;
  const reasons: string[] = [];
  for (const [reason, n] of leftOut) {
    missing += n;
    reasons.push(`${reason}: ${n === 1 ? '1 record' : `${n} records`} left out`);
  }
  return { lines, missing, reasons };
}

export function exportTrailerLine(trailer: ExportTrailer): string {
  return JSON.stringify({ trailer });
}

/** A trailer line (record lines start with their `"v"`); checked before parsing, it costs an import nothing. */
const TRAILER_LINE = /^\{\s*"trailer"\s*:/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of standard base64 text (`[A-Za-z0-9+/]*` then up to two `=`), or null for any
 * other text. Node's decoder skips characters outside the alphabet and stops at `=`, so the
 * text is valid exactly when the decoder produced as many bytes as its length implies; only
 * the URL-safe `-` and `_`, which it also accepts, need a look of their own. A regular
 * expression over every ~4 KB body cost 5 % of an import; it stays for the one length no
 * encoder produces (4n + 1 characters before the padding), where one stray character would
 * not change the count.
 */
export function decodeBase64Strict(text: string): Buffer | null {
  let core = text.length;
  if (text.charCodeAt(core - 1) === 61) core--; // '='
  if (text.charCodeAt(core - 1) === 61) core--;
  if (text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return null;
  if (core % 4 === 1 && !STRICT_BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.byteLength === Math.floor((core * 3) / 4) ? bytes : null;
}

function parseDelivery(v: unknown): DeliveryWire | null {
  if (!isObject(v) || typeof v['queue'] !== 'string') return null;
  return {
    queue: v['queue'],
    connection: typeof v['connection'] === 'string' ? v['connection'] : null,
    server: null, // attribution is redone by the importing agent
    redelivered: v['redelivered'] === true,
    at: typeof v['at'] === 'number' ? v['at'] : 0,
  };
}

/**
 * What the exporting agent knew about connections (from its management API), carried over so
 * an imported capture attributes servers and client processes the same way.
 */
export interface ConnectionFacts {
  /** [connection, client-provided connection name] */
  processes: [string, string][];
  /** [connection, oslo server, topic]: that connection is the RPC listener of the server. */
  servers: [string, string, string][];
}

function connectionFactsOf(record: Record<string, unknown>, deliveries: DeliveryWire[]): ConnectionFacts {
  const facts: ConnectionFacts = { processes: [], servers: [] };
  const client = record['client'];
  if (isObject(client) && typeof client['connection'] === 'string' && typeof client['process'] === 'string') {
    facts.processes.push([client['connection'], client['process']]);
  }
  const target = record['target'];
  const topic = isObject(target) && typeof target['topic'] === 'string' ? target['topic'] : null;
  const exported = Array.isArray(record['deliveries']) ? record['deliveries'] : [];
  deliveries.forEach((d, i) => {
    const server = (exported[i] as { server?: unknown } | undefined)?.server;
    if (topic !== null && d.connection !== null && typeof server === 'string') facts.servers.push([d.connection, server, topic]);
  });
  return facts;
}

/**
 * What an export line says about the message as the exporting agent captured it, which the
 * (masked) body it carries cannot tell: the size on the wire and the fields it masked.
 */
export interface ExportedFacts {
  /** `record.bodySize` of the line; null when absent (then the imported body's size is used). */
  bodySize: number | null;
  /** The line's `masked` list. */
  masked: string[];
}

function exportedFactsOf(line: Record<string, unknown>, record: Record<string, unknown>): ExportedFacts {
  const size = record['bodySize'];
  const masked = Array.isArray(line['masked']) ? line['masked'].filter((m): m is string => typeof m === 'string') : [];
  return { bodySize: typeof size === 'number' && Number.isInteger(size) && size >= 0 ? size : null, masked };
}

/**
 * The raw events one export line stands for: its publish (or first deliver) event, then one
 * firehose deliver event per further delivery. `null` when the line is malformed.
 */
export function rawEventsOfLine(text: string, source: string, now: number): { events: RawCapture[]; facts: ConnectionFacts; exported: ExportedFacts } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(parsed) || parsed['v'] !== EXPORT_FORMAT_VERSION || !isObject(parsed['raw'])) return null;
  const raw = parsed['raw'];
  const record = isObject(parsed['record']) ? parsed['record'] : {};
  const { bodyBase64, exchange, routingKey, headers } = raw;
  if (typeof bodyBase64 !== 'string' || typeof exchange !== 'string' || typeof routingKey !== 'string' || !isObject(headers)) return null;
  const bodyBytes = decodeBase64Strict(bodyBase64);
  if (bodyBytes === null) return null;
  const properties = isObject(raw['properties']) ? (raw['properties'] as RawCapture['properties']) : {};
  const receivedAt = typeof record['capturedAt'] === 'number' ? record['capturedAt'] : now;
  // A copy of its own: a view would keep Buffer's shared 8 KB pool slab alive with the record.
  const body = new Uint8Array(bodyBytes);
  const main: RawCapture = { source, receivedAt, origin: 'import', exchange, routingKey, headers, properties, body };
  const deliveries = Array.isArray(raw['deliveries']) ? raw['deliveries'].map(parseDelivery) : [];
  if (deliveries.some((d) => d === null)) return null;
  const facts = connectionFactsOf(record, deliveries as DeliveryWire[]);
  const exported = exportedFactsOf(parsed, record);
  const isTrace = typeof headers['exchange_name'] === 'string';
  if (!isTrace) return { events: [main], facts, exported };
  // A record made from a deliver event (its publish unseen) exported that event as raw: it is its first delivery.
  const rest = (deliveries as DeliveryWire[]).slice(routingKey.startsWith('deliver.') ? 1 : 0);
  const events = [
    main,
    ...rest.map((d): RawCapture => ({
      source,
      receivedAt: d.at,
      origin: 'import',
      exchange: 'amq.rabbitmq.trace',
      routingKey: `deliver.${d.queue}`,
      headers: {
        exchange_name: headers['exchange_name'],
        routing_keys: headers['routing_keys'],
        properties: headers['properties'],
        node: headers['node'],
        vhost: headers['vhost'],
        connection: d.connection,
        redelivered: d.redelivered ? 1 : 0,
      },
      properties: {},
      body,
    })),
  ];
  return { events, facts, exported };
}

/**
 * Import NDJSON lines through `ingest` (the line's first event comes with its ExportedFacts);
 * blank lines and the trailer are skipped, malformed lines counted, nothing throws.
 */
export async function importLines(
  lines: AsyncIterable<string> | Iterable<string>,
  source: string,
  now: () => number,
  ingest: (raw: RawCapture, exported?: ExportedFacts) => void,
  learn: (facts: ConnectionFacts) => void,
): Promise<ImportResult> {
  let imported = 0;
  let errors = 0;
  for await (const line of lines) {
    if (line.trim() === '' || TRAILER_LINE.test(line)) continue;
    const parsed = rawEventsOfLine(line, source, now());
    if (!parsed) {
      errors++;
      continue;
    }
    learn(parsed.facts);
    parsed.events.forEach((ev, i) => ingest(ev, i === 0 ? parsed.exported : undefined));
    imported++;
  }
  return { imported, errors };
}
