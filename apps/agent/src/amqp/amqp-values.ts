/**
 * Turning amqplib's decoded AMQP values into plain data for RawCapture.
 *
 * amqplib already decodes `longstr` as a UTF-8 string, but gives byte arrays (`x`) as
 * Buffers, timestamps as `{ '!': 'timestamp', value }` and decimals as
 * `{ '!': 'decimal', value: { places, digits } }`. Downstream code (shared codec, JSON
 * export, socket.io) wants strings and numbers.
 */
import type { AmqpProperties } from '@osloscope/shared';

const utf8 = new TextDecoder('utf-8');

function isTagged(v: object): v is { '!': string; value: unknown } {
  return '!' in v && 'value' in v && typeof (v as { '!': unknown })['!'] === 'string';
}

/** One field value: returns the normalised value (same reference when nothing changed). */
export function normaliseFieldValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = normaliseFieldValue(v[i]);
    return v;
  }
  if (isTagged(v)) {
    if (v['!'] === 'timestamp' && typeof v.value === 'number') return v.value;
    if (v['!'] === 'decimal' && v.value && typeof v.value === 'object') {
      const { places, digits } = v.value as { places?: unknown; digits?: unknown };
      if (typeof places === 'number' && typeof digits === 'number') return digits / 10 ** places;
    }
    return v.value;
  }
  normaliseTable(v as Record<string, unknown>);
  return v;
}

/**
 * Normalise an AMQP field table IN PLACE (the table is freshly decoded by amqplib and
 * owned by us, so mutating avoids an allocation per message on the firehose hot path).
 * `undefined`/non-object input gives `{}`.
 */
export function normaliseTable(table: unknown): Record<string, unknown> {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) return {};
  const t = table as Record<string, unknown>;
  for (const k in t) {
    const v = t[k];
    if (v !== null && typeof v === 'object') t[k] = normaliseFieldValue(v);
  }
  return t;
}

/** amqplib's camelCase message properties → AMQP names. */
const PROPERTY_NAMES = [
  ['contentType', 'content_type'],
  ['contentEncoding', 'content_encoding'],
  ['deliveryMode', 'delivery_mode'],
  ['priority', 'priority'],
  ['correlationId', 'correlation_id'],
  ['replyTo', 'reply_to'],
  ['expiration', 'expiration'],
  ['messageId', 'message_id'],
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['userId', 'user_id'],
  ['appId', 'app_id'],
  ['clusterId', 'cluster_id'],
] as const;

/**
 * amqplib `message.properties` (camelCase, unset ones `undefined`) → AmqpProperties
 * with AMQP field names, only those set. Strings stay strings, numbers stay numbers;
 * a value of the wrong type is dropped rather than passed on mistyped.
 */
export function toAmqpProperties(props: unknown): AmqpProperties {
  const out: AmqpProperties = {};
  if (props === null || typeof props !== 'object') return out;
  const p = props as Record<string, unknown>;
  const o = out as Record<string, unknown>;
  for (const [from, to] of PROPERTY_NAMES) {
    const v = p[from];
    if (v === undefined || v === null) continue;
    if (to === 'delivery_mode' || to === 'priority' || to === 'timestamp') {
      if (typeof v === 'number') o[to] = v;
    } else if (typeof v === 'string') {
      o[to] = v;
    } else if (v instanceof Uint8Array) {
      o[to] = utf8.decode(v);
    }
  }
  const headers = p['headers'];
  if (headers !== undefined && headers !== null && typeof headers === 'object') out.headers = normaliseTable(headers);
  return out;
}
