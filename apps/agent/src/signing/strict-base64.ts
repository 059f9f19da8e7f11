/**
 * Strict base64 (message-signing.md §3): standard alphabet, `=` padding, no whitespace.
 * Node's own decoder is lenient (skips junk, accepts missing padding), so the syntax is
 * checked first; unused trailing bits are ignored, as the spec allows.
 */

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `text` is strict base64 (the empty string is, and decodes to no bytes). */
export function isStrictBase64(text: string): boolean {
  return text.length % 4 === 0 && STRICT_BASE64.test(text);
}

/** The bytes of strict base64 `text`, or null when it is not strict base64. Never throws. */
export function decodeStrictBase64(text: string): Buffer | null {
  return isStrictBase64(text) ? Buffer.from(text, 'base64') : null;
}

/** Canonical base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
