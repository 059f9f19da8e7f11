/**
 * JSON text exactly as Python's `json.dumps` writes it with its defaults, which is what
 * oslo.messaging puts on the wire: separators `", "` and `": "`, and every character
 * outside printable ASCII escaped as `\uXXXX` (ensure_ascii).
 *
 * NaN and ±Infinity, as JS numbers or as tagged floats (python-floats.ts), are written bare
 * (`NaN`, `Infinity`, `-Infinity`), as Python does.
 *
 * Limits: JS numbers cannot tell `1.0` from `1`, so floats with a zero fraction are written
 * as integers.
 * Objects are written in JS property order, which puts integer-like keys (`"2"`) first even
 * when Python had them later.
 */

import { isPythonFloat, PYTHON_FLOAT_KEY, pythonFloatToken } from './python-floats.js';

const NON_ASCII = /[\u007f-\uffff]/g;

function escapeNonAscii(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

/** A JSON string literal as Python writes it. */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(NON_ASCII, escapeNonAscii);
}

/**
 * A number as Python's `repr(float)` writes it where that differs from JS: below 1e-4 Python
 * switches to exponent form with at least two exponent digits (`1e-05`, JS `0.00001`), and
 * writes `1e-07` where JS writes `1e-7`. Both use the shortest round-trip digits.
 */
function pythonNumber(n: number): string {
  if (!Number.isFinite(n)) return pythonFloatToken(n);
  if (Number.isInteger(n) || Math.abs(n) >= 1e-4) return String(n);
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '');
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}

/** `json.dumps(value)` with Python's default separators and ensure_ascii. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'number':
      return pythonNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (isPythonFloat(value)) return value[PYTHON_FLOAT_KEY];
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
