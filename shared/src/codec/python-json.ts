/**
 * JSON text exactly as Python's `json.dumps` writes it with its defaults, which is what
 * oslo.messaging puts on the wire: separators `", "` and `": "`, and every character
 * outside printable ASCII escaped as `\uXXXX` (ensure_ascii).
 *
 * Limits: JS numbers cannot tell `1.0` from `1`, so floats with a zero fraction are written
 * as integers; NaN/Infinity (which Python writes bare) become null, as JSON.stringify does.
 */

const NON_ASCII = /[\u007f-\uffff]/g;

function escapeNonAscii(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

/** A JSON string literal as Python writes it. */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(NON_ASCII, escapeNonAscii);
}

/** `json.dumps(value)` with Python's default separators and ensure_ascii. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map(pythonJsonDumps).join(', ') + ']';
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        parts.push(pythonJsonString(k) + ': ' + pythonJsonDumps(v));
      }
      return '{' + parts.join(', ') + '}';
    }
    default:
      return 'null';
  }
}
