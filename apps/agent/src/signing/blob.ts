/**
 * Blob = base64(IV(16) ‖ AES-128-CBC(key, IV, pad(plaintext))) (message-signing.md §3).
 * Used for the esek ticket and for encrypted messages.
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { BLOCK_SIZE, pad, unpad } from './padding.js';
import { decodeStrictBase64 } from './strict-base64.js';
import { decodeStrictUtf8 } from './text.js';

/** Smallest well-formed blob: the IV plus one block. */
const MIN_BLOB_BYTES = 2 * BLOCK_SIZE;

/** Encrypts `plaintext` under the 16-byte `key` with the 16-byte `iv`; returns the base64 blob. */
export function sealBlob(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): string {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  cipher.setAutoPadding(false); // our own padding scheme, not PKCS#7
  return Buffer.concat([iv, cipher.update(pad(plaintext)), cipher.final()]).toString('base64');
}

/**
 * The raw bytes of a blob when its outer shape is right (strict base64, at least 32 bytes, whole
 * blocks), else null. Needs no key, so the verifier can check it before the key lookup.
 */
export function decodeBlob(text: string): Buffer | null {
  const raw = decodeStrictBase64(text);
  if (raw === null || raw.length < MIN_BLOB_BYTES || raw.length % BLOCK_SIZE !== 0) return null;
  return raw;
}

/** Decrypts raw blob bytes (from {@link decodeBlob}) to bytes, or null when unpadding fails. */
export function openBlobBytes(key: Uint8Array, raw: Buffer): Buffer | null {
  if (raw.length < MIN_BLOB_BYTES || raw.length % BLOCK_SIZE !== 0) return null;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, raw.subarray(0, BLOCK_SIZE));
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(raw.subarray(BLOCK_SIZE)), decipher.final()]);
    return unpad(padded);
  } catch {
    return null; // e.g. a key of the wrong size: treat as undecryptable, never throw
  }
}

/** Decrypts raw blob bytes to strict UTF-8 text, or null on any failure. */
export function openBlobText(key: Uint8Array, raw: Buffer): string | null {
  const bytes = openBlobBytes(key, raw);
  return bytes === null ? null : decodeStrictUtf8(bytes);
}
