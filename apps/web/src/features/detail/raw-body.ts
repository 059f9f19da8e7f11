/**
 * Raw message bodies for the detail panel. Bodies can be megabytes: only the first
 * PREVIEW_BYTES are rendered until the operator asks for all, and pretty-printing
 * above that size happens in a worker (pretty.worker.ts), never on the main thread.
 */
import { displayJson, strictJsonOfPython } from '@osloscope/shared';

/** Characters rendered before "show all". */
export const PREVIEW_CHARS = 100_000;

/** Base64 → text (UTF-8, invalid bytes replaced); never throws. */
export function decodeBase64Text(b64: string): string {
  try {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return '(body is not valid base64)';
  }
}

export interface BodyPreview {
  text: string;
  truncated: boolean;
  totalChars: number;
}

export function previewText(text: string, limit = PREVIEW_CHARS): BodyPreview {
  return text.length <= limit ? { text, truncated: false, totalChars: text.length } : { text: text.slice(0, limit), truncated: true, totalChars: text.length };
}

/** Python's json emits bare NaN/Infinity: read them as tagged floats (shown bare again by displayJson). */
function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const strict = strictJsonOfPython(text);
    if (strict === null) throw e;
    return JSON.parse(strict);
  }
}

/**
 * Pretty-prints an oslo body: the 2.x envelope with its `oslo.message` string expanded
 * into JSON too. Returns null when the text is not JSON (shown verbatim then).
 */
export function prettyOsloBody(text: string): string | null {
  try {
    const outer = parseLenient(text);
    if (outer && typeof outer === 'object' && typeof (outer as Record<string, unknown>)['oslo.message'] === 'string') {
      const o = outer as Record<string, unknown>;
      try {
        return displayJson({ ...o, 'oslo.message': parseLenient(o['oslo.message'] as string) });
      } catch {
        return displayJson(o);
      }
    }
    return displayJson(outer);
  } catch {
    return null;
  }
}
