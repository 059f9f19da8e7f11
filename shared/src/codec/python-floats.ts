/**
 * Python's json is not strict JSON: oslo.messaging serializes with it, and it writes the
 * floats nan, inf and -inf as the bare tokens `NaN`, `Infinity` and `-Infinity` (and reads
 * them back, and reads numbers beyond double range as inf). A real `client.call(ctxt, 'm',
 * x=float('nan'))` succeeds in oslo, so a debugger must read it too.
 *
 * JSON has no such values and JSON.stringify turns them into `null`, so wherever a decoded
 * value travels as JSON (the API, the stream, the store, an export) they are a tagged object,
 * `{"$float": "NaN" | "Infinity" | "-Infinity"}`. Displays show the bare token again, and the
 * encoder writes it as Python does, so a replay sends the same bytes.
 */

import { closingQuote } from './json-scan.js';

export const PYTHON_FLOAT_KEY = '$float';
export const PYTHON_FLOAT_TOKENS = ['NaN', 'Infinity', '-Infinity'] as const;
export type PythonFloatToken = (typeof PYTHON_FLOAT_TOKENS)[number];

/** A float JSON cannot hold, as a JSON-safe value. */
export interface PythonFloat {
  [PYTHON_FLOAT_KEY]: PythonFloatToken;
}

export function pythonFloat(token: PythonFloatToken): PythonFloat {
  return { [PYTHON_FLOAT_KEY]: token };
}

export function isPythonFloat(value: unknown): value is PythonFloat {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === PYTHON_FLOAT_KEY && (PYTHON_FLOAT_TOKENS as readonly unknown[]).includes((value as PythonFloat)[PYTHON_FLOAT_KEY]);
}

/** The token Python writes for a non-finite number. */
export function pythonFloatToken(n: number): PythonFloatToken {
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

/** The number a tagged float stands for. */
export function pythonFloatValue(f: PythonFloat): number {
  const t = f[PYTHON_FLOAT_KEY];
  return t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : -Infinity;
}

/**
 * Python's JSON text as strict JSON: each bare `NaN`, `Infinity`, `-Infinity` outside a string
 * becomes the tagged object. `null` when the text has none (its problem is elsewhere).
 */
export function strictJsonOfPython(text: string): string | null {
  if (!text.includes('NaN') && !text.includes('Infinity')) return null;
  let out = '';
  let from = 0;
  let found = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const j = closingQuote(text, i);
      if (j < 0) return null;
      i = j;
      continue;
    }
    let token: PythonFloatToken | null = null;
    if (c === 78 && text.startsWith('NaN', i)) token = 'NaN';
    else if (c === 73 && text.startsWith('Infinity', i)) token = 'Infinity';
    else if (c === 45 && text.startsWith('-Infinity', i)) token = '-Infinity';
    if (token === null) continue;
    out += text.slice(from, i) + `{"${PYTHON_FLOAT_KEY}": "${token}"}`;
    i += token.length - 1;
    from = i + 1;
    found = true;
  }
  return found ? out + text.slice(from) : null;
}

/**
 * Whether parsed JSON text may hold a float beyond double range (JSON.parse reads `1e400` as
 * Infinity, which Python reads as inf): only a three-digit exponent can make one (Python's
 * repr writes floats of 1e16 and up with an exponent; a long digit run is an int to Python).
 */
export function mayOverflowDouble(text: string): boolean {
  return hasLongExponent(text, 'e') || hasLongExponent(text, 'E');
}

/** A number's exponent marker (after a digit or `.`) followed by three digits. indexOf-driven: a regex cost a quarter of the parse. */
function hasLongExponent(text: string, marker: string): boolean {
  for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
    const before = text.charCodeAt(i - 1);
    if (!((before >= 48 && before <= 57) || before === 46)) continue;
    let j = i + 1;
    if (text.charCodeAt(j) === 43) j++;
    let digits = 0;
    while (digits < 3) {
      const c = text.charCodeAt(j + digits);
      if (c < 48 || c > 57) break;
      digits++;
    }
    if (digits === 3) return true;
  }
  return false;
}

/** `value` with every non-finite number replaced by its tagged float (a copy where anything changed). */
export function tagNonFiniteNumbers(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : pythonFloat(pythonFloatToken(value));
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((v, i) => {
      const t = tagNonFiniteNumbers(v);
      if (t !== v) (copy ??= [...value])[i] = t;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const t = tagNonFiniteNumbers(v);
    if (t !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = t;
  }
  return copy ?? value;
}

const PLACEHOLDER = '\u0000osloscope-python-float:';

/**
 * Indented JSON for people to read, with tagged floats shown as Python writes them (`NaN`,
 * `Infinity`, `-Infinity`): what the detail panel shows.
 */
export function displayJson(value: unknown, indent = 2): string {
  let tagged = false;
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) v = pythonFloat(pythonFloatToken(v));
      if (isPythonFloat(v)) {
        tagged = true;
        return PLACEHOLDER + v[PYTHON_FLOAT_KEY];
      }
      return v;
    },
    indent,
  );
  if (text === undefined) return 'undefined';
  return tagged ? text.replace(/"\\u0000osloscope-python-float:(NaN|Infinity|-Infinity)"/g, '$1') : text;
}
