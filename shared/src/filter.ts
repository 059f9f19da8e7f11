/**
 * The envelope filter's one meaning, used by the web (stream, URL) and as the reference
 * the agent's SQL must agree with. Set fields are ANDed; an unset (`undefined`) field
 * does not restrict.
 *
 * Field semantics on an EnvelopeRecord:
 * - `exchange`: `rec.exchange` (where it was published) OR `rec.target.exchange`
 *   (`""` is the default exchange, where replies go).
 * - `topic`: `rec.target.topic`.
 * - `server`: `rec.target.server` (direct call/cast) OR `rec.server` (who handled it)
 *   OR one of `rec.reached` (fanout) OR the server of any delivery.
 * - `namespace`: `rec.target.namespace`; `''` and `'default'` match the default (null) namespace.
 * - `method`: `rec.method`. `version`: `rec.target.version`, exact string (no `"1.0"` default).
 * - `kind`: `rec.kind`. `outcome`: `rec.outcome.status` (only calls have an outcome).
 *   `signature`: `rec.signature.status`.
 * - `text`: trimmed, case-insensitive substring of method, routing key, exchange, topic,
 *   server(s), msg id, unique id, reply queue, failure class and message, notification
 *   event type and publisher id, and the JSON of args (first ARGS_TEXT_LIMIT characters).
 *
 * Replies carry no target on the wire. Target-based fields (topic, server, namespace,
 * version) match a reply only through the target and server the agent copies from the
 * request onto the reply record; a reply the agent could not correlate has none and is
 * not matched by them.
 */
import { redactString, redactValue } from './redact.js';
import { ENVELOPE_KINDS, type EnvelopeKind } from './envelope.js';
import { FILTER_FIELDS, type EnvelopeFilter, type FilterField } from './filter-types.js';
import { OUTCOME_STATUSES, type EnvelopeRecord, type OutcomeStatus } from './record.js';
import { SIGNATURE_STATUSES, type SignatureStatus } from './signature.js';

/** How much of the args JSON the text search scans, for speed on large messages. */
export const ARGS_TEXT_LIMIT = 4096;

function matchesServer(rec: EnvelopeRecord, server: string): boolean {
  return rec.target?.server === server || rec.server === server || (rec.reached?.includes(server) ?? false) || rec.deliveries.some((d) => d.server === server);
}

function matchesNamespace(rec: EnvelopeRecord, namespace: string): boolean {
  if (!rec.target) return false;
  if (namespace === '' || namespace === 'default') return rec.target.namespace === null;
  return rec.target.namespace === namespace;
}

/**
 * The searchable text of a record's args (empty without args): the one body field the `text`
 * filter searches. Always their masked form (redact.ts), whatever the agent shows: a search
 * that matched a masked value would let anyone read it back one character at a time.
 */
export function argsText(args: Record<string, unknown> | null): string {
  if (args === null) return '';
  try {
    return JSON.stringify(redactValue(args).value).slice(0, ARGS_TEXT_LIMIT);
  } catch {
    return ''; // e.g. a BigInt smuggled in: not searchable, but never an error
  }
}

/**
 * The strings the `text` field searches (non-empty, original case), so a store that indexes
 * search text (the agent's SQL) uses exactly the matcher's field list.
 */
export function filterSearchFields(rec: EnvelopeRecord): string[] {
  const args = argsText(rec.args);
  return args === '' ? recordSearchFields(rec) : [...recordSearchFields(rec), args];
}

/**
 * `filterSearchFields` but the args: the fields that can change after a record is made (a
 * store keeps them apart from its args text, which never changes).
 */
export function recordSearchFields(rec: EnvelopeRecord): string[] {
  const failure = rec.outcome?.failure ?? rec.reply?.failure ?? null;
  const fields: (string | null | undefined)[] = [
    rec.method,
    rec.routingKey,
    rec.exchange,
    rec.target?.exchange,
    rec.target?.topic,
    rec.target?.server,
    rec.server,
    ...(rec.reached ?? []),
    ...rec.deliveries.map((d) => d.server),
    rec.msgId,
    rec.uniqueId,
    rec.replyQueue,
    failure?.class,
    // Remote exception text can quote a password or a token: searchable only masked.
    failure?.message === undefined ? undefined : redactString(failure.message),
    rec.notification?.eventType,
    rec.notification?.publisherId,
  ];
  return fields.filter((s): s is string => typeof s === 'string' && s !== '');
}

function matchesText(rec: EnvelopeRecord, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  return filterSearchFields(rec).some((s) => s.toLowerCase().includes(needle));
}

/** Whether `rec` passes every set field of `f` (semantics in the module comment). */
export function matchesFilter(rec: EnvelopeRecord, f: EnvelopeFilter): boolean {
  if (f.exchange !== undefined && rec.exchange !== f.exchange && rec.target?.exchange !== f.exchange) return false;
  if (f.topic !== undefined && rec.target?.topic !== f.topic) return false;
  if (f.server !== undefined && !matchesServer(rec, f.server)) return false;
  if (f.namespace !== undefined && !matchesNamespace(rec, f.namespace)) return false;
  if (f.method !== undefined && rec.method !== f.method) return false;
  if (f.version !== undefined && rec.target?.version !== f.version) return false;
  if (f.kind !== undefined && rec.kind !== f.kind) return false;
  if (f.outcome !== undefined && rec.outcome?.status !== f.outcome) return false;
  if (f.signature !== undefined && rec.signature.status !== f.signature) return false;
  if (f.text !== undefined && !matchesText(rec, f.text)) return false;
  return true;
}

/** True when the filter restricts nothing (every field unset; a blank `text` counts as unset). */
export function isEmptyFilter(f: EnvelopeFilter): boolean {
  return FILTER_FIELDS.every((k) => {
    const v = f[k];
    return v === undefined || (k === 'text' && v.trim() === '');
  });
}

/** Set fields in FILTER_FIELDS order, blank text left out. */
function setEntries(f: EnvelopeFilter): [FilterField, string][] {
  const out: [FilterField, string][] = [];
  for (const k of FILTER_FIELDS) {
    const v = f[k];
    if (v === undefined || (k === 'text' && v.trim() === '')) continue;
    out.push([k, v]);
  }
  return out;
}

/**
 * Query string for a filter (`exchange=nova&topic=compute`, no leading `?`), fields in a
 * stable order, values percent-encoded. `new URLSearchParams(s)` reads it back.
 */
export function filterToSearchParams(f: EnvelopeFilter): string {
  return setEntries(f)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
}

/** Fields where `""` means something (default exchange, default namespace). */
const EMPTY_MEANINGFUL = new Set<FilterField>(['exchange', 'namespace']);

function oneOf<T extends string>(values: readonly T[], v: string): T | undefined {
  return (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

/**
 * Reads a filter from decoded query parameters (a URLSearchParams, `Object.entries` or a
 * record). Unknown keys and invalid enum values (kind, outcome, signature) are ignored;
 * empty values are ignored except for `exchange` and `namespace`, where `""` means the
 * default exchange / namespace. A repeated key keeps its last value.
 */
export function filterFromSearchParams(params: Iterable<readonly [string, string]> | Record<string, string | undefined>): EnvelopeFilter {
  const pairs: Iterable<readonly [string, string | undefined]> =
    Symbol.iterator in params ? (params as Iterable<readonly [string, string]>) : Object.entries(params as Record<string, string | undefined>);
  const f: EnvelopeFilter = {};
  for (const [key, value] of pairs) {
    if (value === undefined) continue;
    const field = oneOf(FILTER_FIELDS, key);
    if (field === undefined) continue;
    if (value === '' && !EMPTY_MEANINGFUL.has(field)) continue;
    switch (field) {
      case 'kind': {
        const kind = oneOf<EnvelopeKind>(ENVELOPE_KINDS, value);
        if (kind !== undefined) f.kind = kind;
        break;
      }
      case 'outcome': {
        const outcome = oneOf<OutcomeStatus>(OUTCOME_STATUSES, value);
        if (outcome !== undefined) f.outcome = outcome;
        break;
      }
      case 'signature': {
        const signature = oneOf<SignatureStatus>(SIGNATURE_STATUSES, value);
        if (signature !== undefined) f.signature = signature;
        break;
      }
      default:
        f[field] = value;
    }
  }
  return f;
}

function displayValue(v: string): string {
  return v === '' || /[\s"]/.test(v) ? JSON.stringify(v) : v;
}

/** Short human form, e.g. `exchange=nova topic=compute text="boot failed"`; `''` when empty. */
export function describeFilter(f: EnvelopeFilter): string {
  return setEntries(f)
    .map(([k, v]) => `${k}=${displayValue(v)}`)
    .join(' ');
}
