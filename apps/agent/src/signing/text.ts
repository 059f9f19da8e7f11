/** Text checks shared by the signing modules. */

import { TextDecoder } from 'node:util';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/**
 * True when `s` has no unpaired UTF-16 surrogate, i.e. it has a UTF-8 form
 * (`String.prototype.isWellFormed`, which the ES2022 lib typings do not declare yet).
 */
export function isWellFormedText(s: string): boolean {
  return nativeIsWellFormed ? nativeIsWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

// ignoreBOM keeps a leading U+FEFF in the text: the bytes are decoded as they are, not cleaned up.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 decoding: null on any invalid sequence. Never throws. */
export function decodeStrictUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
