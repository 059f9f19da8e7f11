/**
 * Reading AMQP header/property values defensively: amqplib normally gives strings and
 * numbers, but longstr values can arrive as bytes and a fuzzed or foreign event can hold
 * anything.
 */
import type { AmqpProperties } from '../envelope.js';
import { isPlainObject } from './decode-error.js';
import { decodeUtf8 } from './utf8.js';

/** A string header value (bytes are decoded as UTF-8, invalid bytes as Latin-1), else null. */
export function headerString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) {
    const r = decodeUtf8(v);
    if (r.ok) return r.text;
    let s = '';
    for (let i = 0; i < v.length; i++) s += String.fromCharCode(v[i]!);
    return s;
  }
  return null;
}

/** An integer-ish header value (number, bigint or decimal string), else null. */
export function headerNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.length > 0 && v.length < 16 && /^-?\d+$/.test(v)) return Number(v);
  return null;
}

const STRING_PROPERTIES = new Set([
  'content_type',
  'content_encoding',
  'correlation_id',
  'reply_to',
  'expiration',
  'message_id',
  'type',
  'user_id',
  'app_id',
  'cluster_id',
]);
const NUMBER_PROPERTIES = new Set(['delivery_mode', 'priority', 'timestamp']);

/**
 * The original message's properties from a trace event's `properties` table (AMQP field
 * names). Known fields of the right type are kept, in the order given; others are dropped.
 */
export function readAmqpProperties(raw: unknown): AmqpProperties {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(raw)) return out;
  for (const k in raw) {
    const v = raw[k];
    if (STRING_PROPERTIES.has(k)) {
      const s = headerString(v);
      if (s !== null) out[k] = s;
    } else if (NUMBER_PROPERTIES.has(k)) {
      const n = headerNumber(v);
      if (n !== null) out[k] = n;
    } else if (k === 'headers' && isPlainObject(v)) {
      const h: Record<string, unknown> = {};
      for (const hk in v) {
        const hv = v[hk];
        h[hk] = hv instanceof Uint8Array ? headerString(hv) : hv;
      }
      out[k] = h;
    }
  }
  return out as AmqpProperties;
}

/** `headers.compression` of a message's properties, when set. */
export function compressionOf(properties: AmqpProperties): string | null {
  const headers = properties.headers;
  if (!isPlainObject(headers)) return null;
  return headerString(headers['compression']);
}
