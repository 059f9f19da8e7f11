/**
 * JSON.parse with a nesting limit checked BEFORE parsing: a 100k-deep body would make any
 * later recursive walk (display, export, socket.io) blow the stack, and a cheap scan is
 * far cheaper than parsing.
 */
import { closingQuote } from './json-scan.js';
import { locateJsonError } from './json-error.js';
import { mayOverflowDouble, strictJsonOfPython, tagNonFiniteNumbers } from './python-floats.js';

export type BoundedJsonResult =
  { ok: true; value: unknown } | { ok: false; problem: 'too-deep'; position: number } | { ok: false; problem: 'not-json'; position: number; reason: string };

/**
 * Parse `text`, refusing nesting deeper than `maxDepth` arrays/objects. Never throws. Reads
 * Python's json as oslo writes it: bare `NaN`, `Infinity`, `-Infinity` become tagged floats
 * (python-floats.ts), tried only once strict parsing failed. With `tagOverflow`, numbers
 * beyond double range (which JSON.parse reads as Infinity, Python as inf) are tagged too: a
 * scan of the text, so only where values are shown (args, results), not for the envelope.
 */
export function parseBoundedJson(text: string, maxDepth: number, opts?: { tagOverflow?: boolean }): BoundedJsonResult {
  const tooDeepAt = findDepthOverflow(text, maxDepth);
  if (tooDeepAt >= 0) return { ok: false, problem: 'too-deep', position: tooDeepAt };
  // Nothing to parse: say why without an engine exception (a thrown SyntaxError costs ~15 µs).
  if (text.length === 0) {
    const where = locateJsonError(text);
    if (where !== null) return { ok: false, problem: 'not-json', position: where.position, reason: where.reason };
  }
  try {
    const value = JSON.parse(text) as unknown;
    return { ok: true, value: opts?.tagOverflow === true && mayOverflowDouble(text) ? tagNonFiniteNumbers(value) : value };
  } catch (e) {
    const python = strictJsonOfPython(text);
    if (python !== null) {
      try {
        const value = JSON.parse(python) as unknown;
        return { ok: true, value: opts?.tagOverflow === true && mayOverflowDouble(text) ? tagNonFiniteNumbers(value) : value };
      } catch {
        // not Python's json either: report the original text's problem
      }
    }
    const where = locateJsonError(text);
    if (where !== null) return { ok: false, problem: 'not-json', position: where.position, reason: where.reason };
    // The engine refused something our scanner accepts (should not happen): keep its words.
    return { ok: false, problem: 'not-json', position: 0, reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Index of the bracket that first exceeds `maxDepth`, or -1. Brackets inside strings do
 * not count. Fast path: the number of `{` and `[` anywhere is an upper bound on the depth,
 * and counting them uses the native `indexOf`, so typical oslo bodies (a handful of
 * brackets) never reach the character loop.
 */
export function findDepthOverflow(text: string, maxDepth: number): number {
  let opens = 0;
  for (let i = text.indexOf('{'); i >= 0 && opens <= maxDepth; i = text.indexOf('{', i + 1)) opens++;
  for (let i = text.indexOf('['); i >= 0 && opens <= maxDepth; i = text.indexOf('[', i + 1)) opens++;
  if (opens <= maxDepth) return -1;

  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const j = closingQuote(text, i);
      if (j < 0) return -1; // unterminated string: the parser reports it
      i = j;
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth) return i;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return -1;
}
