/**
 * The esek ticket (message-signing.md §4): a blob under the destination's long-term key of
 * `{"key": "<base64 rndkey>", "timestamp": "<decimal seconds>", "ttl": <integer>}`.
 */

import { pythonJsonString } from '@osloscope/shared';
import { openBlobText, sealBlob } from './blob.js';
import { decodeStrictBase64, encodeBase64 } from './strict-base64.js';
import { parseStrictJson } from './strict-json.js';

/** rndkey length in bytes (the HKDF PRK). */
export const RNDKEY_BYTES = 32;

const ESEK_TIMESTAMP = /^[0-9]+(\.[0-9]+)?$/;

/** The decrypted ticket. */
export interface Ticket {
  rndkey: Buffer;
  /** Decimal epoch seconds, verbatim (it goes into the HKDF info as written). */
  timestamp: string;
  ttl: number;
}

/** Outcome of opening a ticket; `detail` is for the UI and holds no key material. */
export type TicketResult = { ok: true; ticket: Ticket } | { ok: false; detail: string };

/** The esek plaintext with the exact text shape of §4 (one space after each `:` and `,`). */
export function formatEsekPlaintext(rndkey: Uint8Array, timestamp: string, ttl: number): string {
  return `{"key": ${pythonJsonString(encodeBase64(rndkey))}, "timestamp": ${pythonJsonString(timestamp)}, "ttl": ${ttl}}`;
}

/** Builds the esek blob under the destination's long-term key. */
export function sealTicket(destinationKey: Uint8Array, iv: Uint8Array, rndkey: Uint8Array, timestamp: string, ttl: number): string {
  return sealBlob(destinationKey, iv, Buffer.from(formatEsekPlaintext(rndkey, timestamp, ttl), 'utf8'));
}

/**
 * Decrypts and validates raw esek bytes (already shape-checked by `decodeBlob`) under the
 * destination's long-term key. Never throws.
 */
export function openTicket(destinationKey: Uint8Array, esekRaw: Buffer): TicketResult {
  const text = openBlobText(destinationKey, esekRaw);
  if (text === null) return { ok: false, detail: 'esek does not decrypt to padded UTF-8 under the destination key' };
  return parseEsekPlaintext(text);
}

/** Validates esek plaintext: strict JSON object with key (32 bytes), timestamp string, ttl integer ≥ 0. */
export function parseEsekPlaintext(text: string): TicketResult {
  const parsed = parseStrictJson(text);
  if (!parsed.ok) return { ok: false, detail: `esek plaintext is not strict JSON (${parsed.error})` };
  if (parsed.value.kind !== 'object') return { ok: false, detail: 'esek plaintext is not a JSON object' };
  const m = parsed.value.members;

  const key = m.get('key');
  const rndkey = key?.kind === 'string' ? decodeStrictBase64(key.value) : null;
  if (rndkey === null || rndkey.length !== RNDKEY_BYTES) {
    return { ok: false, detail: `esek key is not strict base64 of ${RNDKEY_BYTES} bytes` };
  }
  const timestamp = m.get('timestamp');
  if (timestamp?.kind !== 'string' || !ESEK_TIMESTAMP.test(timestamp.value)) {
    return { ok: false, detail: 'esek timestamp is not a decimal-seconds string' };
  }
  const ttl = m.get('ttl');
  if (ttl?.kind !== 'number' || !ttl.integer || (ttl.text.startsWith('-') && ttl.text !== '-0')) {
    return { ok: false, detail: 'esek ttl is not an integer ≥ 0' };
  }
  return { ok: true, ticket: { rndkey, timestamp: timestamp.value, ttl: Number(ttl.text) } };
}
