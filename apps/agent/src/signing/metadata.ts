/**
 * The `oslo.secure.metadata` JSON text (message-signing.md §1, §5, §7): parsing with the strict
 * rules of the verifier, and the exact text the signer writes.
 */

import { pythonJsonString } from '@osloscope/shared';
import { decodeBlob } from './blob.js';
import { parseStrictJson, type StrictJson } from './strict-json.js';
import { isWellFormedText } from './text.js';

/** Nonces are integers in [0, 2^64). */
export const NONCE_LIMIT = 1n << 64n;

/** Parsed metadata. Members other than the six fields are ignored. */
export interface SecureMetadata {
  source: string;
  destination: string;
  /** Message time, epoch seconds (the verifier's "now"). */
  timestamp: number;
  nonce: bigint;
  /** The esek blob bytes (shape already checked: ≥ 32 bytes, whole blocks). */
  esekRaw: Buffer;
  encryption: boolean;
}

/** Outcome of parsing; `detail` says which field was wrong. */
export type MetadataResult = { ok: true; metadata: SecureMetadata } | { ok: false; detail: string };

/** Parses metadata text with the strict JSON and field rules of §6 step 2. Never throws. */
export function parseSecureMetadata(text: string): MetadataResult {
  const parsed = parseStrictJson(text);
  if (!parsed.ok) return { ok: false, detail: `metadata is not strict JSON (${parsed.error})` };
  if (parsed.value.kind !== 'object') return { ok: false, detail: 'metadata is not a JSON object' };
  const m = parsed.value.members;

  const source = wellFormedString(m.get('source'));
  if (source === null) return invalid('source', 'a well-formed string');
  const destination = wellFormedString(m.get('destination'));
  if (destination === null) return invalid('destination', 'a well-formed string');

  const timestamp = m.get('timestamp');
  if (timestamp?.kind !== 'number') return invalid('timestamp', 'a number');

  const nonceNode = m.get('nonce');
  if (nonceNode?.kind !== 'number' || !nonceNode.integer) return invalid('nonce', 'an integer literal');
  const nonce = BigInt(nonceNode.text); // safe: the text is an integer literal
  if (nonce < 0n || nonce >= NONCE_LIMIT) return invalid('nonce', 'in [0, 2^64)');

  const esek = m.get('esek');
  if (esek?.kind !== 'string') return invalid('esek', 'a string');
  const esekRaw = decodeBlob(esek.value);
  if (esekRaw === null) return invalid('esek', 'strict base64 of ≥ 32 bytes in whole 16-byte blocks');

  const encryption = m.get('encryption');
  if (encryption?.kind !== 'boolean') return invalid('encryption', 'a boolean');

  return {
    ok: true,
    metadata: { source, destination, timestamp: Number(timestamp.text), nonce, esekRaw, encryption: encryption.value },
  };
}

/** Fields the signer writes, in order. */
export interface MetadataFields {
  source: string;
  destination: string;
  timestamp: number;
  nonce: bigint;
  esek: string;
  encryption: boolean;
}

/** The metadata text exactly as §5 writes it (member order and separators fixed). */
export function formatSecureMetadata(f: MetadataFields): string {
  return (
    `{"source": ${pythonJsonString(f.source)}, "destination": ${pythonJsonString(f.destination)}, ` +
    `"timestamp": ${pythonFloatRepr(f.timestamp)}, "nonce": ${f.nonce.toString()}, ` +
    `"esek": ${pythonJsonString(f.esek)}, "encryption": ${f.encryption ? 'true' : 'false'}}`
  );
}

/**
 * Python's `repr(float)` for 1 ≤ t < 1e16, where it matches JS shortest round-trip formatting
 * except that integral values keep a `.0`.
 * @throws RangeError outside that range (a signer bug, not wire input)
 */
export function pythonFloatRepr(t: number): string {
  if (!(t >= 1 && t < 1e16)) throw new RangeError('timestamp must be in [1, 1e16) epoch seconds');
  return Number.isInteger(t) ? t.toFixed(1) : String(t);
}

function wellFormedString(node: StrictJson | undefined): string | null {
  // \udXXX escapes can produce unpaired surrogates, which have no UTF-8 form for the HKDF info.
  return node?.kind === 'string' && isWellFormedText(node.value) ? node.value : null;
}

function invalid(field: string, expected: string): MetadataResult {
  return { ok: false, detail: `metadata field ${field} is missing or not ${expected}` };
}
