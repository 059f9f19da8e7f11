/**
 * The signing key file (message-signing.md §2):
 * `{"keys": {"<topic or topic.host>": "<base64 of 16 bytes>", ...}, "requireSigned": ["name", ...]}`.
 * Loading is all-or-nothing: one bad entry rejects the file. Errors and any printed form of the
 * key ring name entries and counts, never key bytes.
 */

import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { decodeStrictBase64, isStrictBase64 } from './strict-base64.js';
import { parseStrictJson, type StrictJson } from './strict-json.js';

/** Long-term key length in bytes. */
export const LONG_TERM_KEY_BYTES = 16;

/** Long-term keys by exact destination name, plus the routing targets that must be signed. */
export interface KeyRing {
  /** True when a key is loaded for exactly this name (no fallback from `topic.host` to `topic`). */
  has(destination: string): boolean;
  /** A copy of the 16-byte key for exactly this name. */
  get(destination: string): Buffer | undefined;
  /** Number of keys loaded. */
  readonly destinations: number;
  /** Routing targets where an unsigned (non-reply) message is flagged `MissingSignature`. */
  readonly requireSigned: Set<string>;
}

/** A key file that cannot be used. The message never contains key material. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

class SecretKeyRing implements KeyRing {
  // A private field: not enumerable, not serialised, not shown by util.inspect.
  readonly #keys: Map<string, Buffer>;
  readonly requireSigned: Set<string>;

  constructor(keys: Map<string, Buffer>, requireSigned: Iterable<string>) {
    this.#keys = keys;
    this.requireSigned = new Set(requireSigned);
  }

  has(destination: string): boolean {
    return this.#keys.has(destination);
  }

  get(destination: string): Buffer | undefined {
    const key = this.#keys.get(destination);
    return key === undefined ? undefined : Buffer.from(key);
  }

  get destinations(): number {
    return this.#keys.size;
  }

  /** Counts only, so a logged or serialised key ring reveals nothing. */
  toJSON(): { destinations: number; requireSigned: number } {
    return { destinations: this.#keys.size, requireSigned: this.requireSigned.size };
  }

  [inspect.custom](): string {
    return `KeyRing { destinations: ${this.#keys.size}, requireSigned: ${this.requireSigned.size} }`;
  }

  toString(): string {
    return this[inspect.custom]();
  }
}

/**
 * A key ring from keys already in memory (demo, tests). Keys must be 16 bytes; they are copied.
 * @throws KeyFileError when a key has the wrong length
 */
export function createKeyRing(keys: Iterable<[string, Uint8Array]> | Record<string, Uint8Array>, requireSigned: Iterable<string> = []): KeyRing {
  const entries = Symbol.iterator in keys ? [...(keys as Iterable<[string, Uint8Array]>)] : Object.entries(keys);
  const map = new Map<string, Buffer>();
  entries.forEach(([name, key], i) => {
    if (key.length !== LONG_TERM_KEY_BYTES) {
      throw new KeyFileError(`key ${entryLabel(name, i)} must be ${LONG_TERM_KEY_BYTES} bytes, got ${key.length}`);
    }
    map.set(name, Buffer.from(key));
  });
  return new SecretKeyRing(map, requireSigned);
}

/**
 * Parses key file text (strict JSON: duplicate names are an error). Unknown top-level members are
 * ignored, so the signing vector file itself loads.
 * @throws KeyFileError describing the first problem
 */
export function parseKeyFile(text: string): KeyRing {
  const parsed = parseStrictJson(text);
  if (!parsed.ok) throw new KeyFileError(`key file is not valid JSON (${parsed.error})`);
  if (parsed.value.kind !== 'object') throw new KeyFileError('key file must be a JSON object');
  const root = parsed.value.members;

  const keysNode = root.get('keys');
  if (keysNode === undefined) throw new KeyFileError('key file has no "keys" object');
  if (keysNode.kind !== 'object') throw new KeyFileError('"keys" must be an object of name → base64 key');
  const keys = new Map<string, Buffer>();
  let i = 0;
  for (const [name, node] of keysNode.members) {
    keys.set(name, decodeKeyEntry(name, i++, node));
  }

  return new SecretKeyRing(keys, parseRequireSigned(root.get('requireSigned')));
}

/**
 * Reads and parses a key file.
 * @throws KeyFileError when it cannot be read or is invalid
 */
export function loadKeyFile(path: string): KeyRing {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new KeyFileError(`cannot read key file ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  try {
    return parseKeyFile(text);
  } catch (err) {
    if (err instanceof KeyFileError) throw new KeyFileError(`${path}: ${err.message}`);
    throw err;
  }
}

function decodeKeyEntry(name: string, index: number, node: StrictJson): Buffer {
  if (node.kind !== 'string') throw new KeyFileError(`key ${entryLabel(name, index)} must be a base64 string`);
  const bytes = decodeStrictBase64(node.value);
  if (bytes === null) {
    throw new KeyFileError(`key ${entryLabel(name, index)} is not strict base64 (standard alphabet, '=' padding, no whitespace)`);
  }
  if (bytes.length !== LONG_TERM_KEY_BYTES) {
    throw new KeyFileError(`key ${entryLabel(name, index)} must decode to ${LONG_TERM_KEY_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function parseRequireSigned(node: StrictJson | undefined): string[] {
  if (node === undefined) return [];
  if (node.kind !== 'array') throw new KeyFileError('"requireSigned" must be an array of names');
  return node.items.map((item, i) => {
    if (item.kind !== 'string') throw new KeyFileError(`"requireSigned" entry #${i + 1} must be a string`);
    return item.value;
  });
}

/**
 * How an entry is named in an error. A name that is itself valid base64 might be a key pasted
 * in the wrong place, so it is shown by position only.
 */
function entryLabel(name: string, index: number): string {
  return isStrictBase64(name) ? `#${index + 1}` : `#${index + 1} ${JSON.stringify(name.slice(0, 120))}`;
}
