import { gunzipSync } from 'node:zlib';
import { decodeMessage, decodeTraceEvent, type DecodedEnvelope, type DecodeOptions } from '@osloscope/shared';
import type { RawCapture } from '../ports/raw-capture.js';

/**
 * Decompress a kombu-compressed body. gzip only: bz2 has no zlib support in Node, so such
 * bodies stay compressed and the codec flags them (`compressed`).
 */
export function decompressBody(body: Uint8Array, compression: string): Uint8Array | null {
  if (compression !== 'application/x-gzip' && compression !== 'gzip') return null;
  try {
    return gunzipSync(body);
  } catch {
    return null;
  }
}

/** Decode options the agent always passes (plus any overrides from the caller). */
export function agentDecodeOptions(overrides: DecodeOptions = {}): DecodeOptions {
  return { decompress: decompressBody, ...overrides };
}

/** Whether a raw event is a firehose trace event (rather than a copy of the message itself). */
export function isTraceEvent(raw: Pick<RawCapture, 'origin' | 'headers' | 'routingKey'>): boolean {
  if (raw.origin === 'firehose' || raw.origin === 'demo') return true;
  if (raw.origin === 'tap' || raw.origin === 'replay') return false;
  // Imported events keep whichever shape they were captured in.
  return typeof raw.headers['exchange_name'] === 'string' && /^(publish|deliver)\./.test(raw.routingKey);
}

/** One decode path for every source. */
export function decodeRaw(
  raw: Pick<RawCapture, 'origin' | 'exchange' | 'routingKey' | 'headers' | 'properties' | 'body'>,
  opts: DecodeOptions,
): DecodedEnvelope {
  if (isTraceEvent(raw)) return decodeTraceEvent({ routingKey: raw.routingKey, headers: raw.headers, body: raw.body }, opts);
  return decodeMessage({ exchange: raw.exchange, routingKey: raw.routingKey, properties: raw.properties, body: raw.body }, opts);
}
