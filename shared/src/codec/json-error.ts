/**
 * Finds where and why a JSON text is invalid. Only runs after `JSON.parse` failed, to turn
 * the engine's message (whose wording and position reporting differ across V8 versions and
 * browsers) into a stable "position N: reason". Iterative, so deep nesting cannot overflow.
 */

export interface JsonSyntaxProblem {
  /** UTF-16 index into the text. */
  position: number;
  reason: string;
}

const ARRAY = 0;
const OBJECT = 1;

const EXPECT_VALUE = 0;
const EXPECT_KEY = 1;
const EXPECT_COLON = 2;
const AFTER_VALUE = 3;

/** The first syntax problem of `text` per RFC 8259, or `null` when it is valid JSON. */
export function locateJsonError(text: string): JsonSyntaxProblem | null {
  const n = text.length;
  const stack: number[] = [];
  let state = EXPECT_VALUE;
  // True right after `[` / `{`, where the closing bracket is allowed instead of a value/key.
  let justOpened = false;
  let i = 0;
  for (;;) {
    while (i < n) {
      const w = text.charCodeAt(i);
      if (w === 32 || w === 10 || w === 13 || w === 9) i++;
      else break;
    }
    if (i >= n) {
      if (state === AFTER_VALUE && stack.length === 0) return null;
      return { position: n, reason: n === 0 ? 'empty input' : 'unexpected end of input' };
    }
    const c = text.charCodeAt(i);
    if (state === EXPECT_VALUE) {
      if (c === 123) {
        stack.push(OBJECT);
        state = EXPECT_KEY;
        justOpened = true;
        i++;
        continue;
      }
      if (c === 91) {
        stack.push(ARRAY);
        justOpened = true;
        i++;
        continue;
      }
      if (c === 93 && justOpened && stack[stack.length - 1] === ARRAY) {
        stack.pop();
        justOpened = false;
        state = AFTER_VALUE;
        i++;
        continue;
      }
      justOpened = false;
      const end = scanScalar(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      state = AFTER_VALUE;
    } else if (state === EXPECT_KEY) {
      if (c === 125 && justOpened) {
        stack.pop();
        justOpened = false;
        state = AFTER_VALUE;
        i++;
        continue;
      }
      justOpened = false;
      if (c !== 34) return { position: i, reason: `expected a property name in double quotes, found ${describe(text, i)}` };
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      state = EXPECT_COLON;
    } else if (state === EXPECT_COLON) {
      if (c !== 58) return { position: i, reason: `expected ':' after property name, found ${describe(text, i)}` };
      state = EXPECT_VALUE;
      i++;
    } else {
      if (stack.length === 0) return { position: i, reason: `unexpected ${describe(text, i)} after the JSON value` };
      const top = stack[stack.length - 1];
      if (c === 44) {
        state = top === OBJECT ? EXPECT_KEY : EXPECT_VALUE;
        i++;
      } else if ((top === ARRAY && c === 93) || (top === OBJECT && c === 125)) {
        stack.pop();
        i++;
      } else {
        const close = top === OBJECT ? '}' : ']';
        return { position: i, reason: `expected ',' or '${close}', found ${describe(text, i)}` };
      }
    }
  }
}

function describe(text: string, i: number): string {
  return JSON.stringify(text.charAt(i));
}

/** Scans a string starting at the opening quote; returns the index after the closing quote. */
function scanString(text: string, start: number): number | JsonSyntaxProblem {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 0x20) return { position: i, reason: `unescaped control character U+${c.toString(16).padStart(4, '0')} in string` };
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      if (e === 117) {
        for (let k = 2; k < 6; k++) {
          if (!isHex(text.charCodeAt(i + k))) return { position: i, reason: 'bad \\u escape in string' };
        }
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
        continue;
      }
      if (i + 1 >= n) break;
      return { position: i, reason: 'bad escape in string' };
    }
    i++;
  }
  return { position: n, reason: 'unterminated string' };
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Scans a string, number or literal; returns the index after it. */
function scanScalar(text: string, i: number): number | JsonSyntaxProblem {
  const c = text.charCodeAt(i);
  if (c === 34) return scanString(text, i);
  if (c === 116 || c === 102 || c === 110) {
    const word = c === 116 ? 'true' : c === 102 ? 'false' : 'null';
    for (let k = 0; k < word.length; k++) {
      if (text.charCodeAt(i + k) !== word.charCodeAt(k)) {
        return i + k >= text.length
          ? { position: text.length, reason: 'unexpected end of input' }
          : { position: i + k, reason: `unexpected ${describe(text, i + k)} in literal ${word}` };
      }
    }
    return i + word.length;
  }
  if (c === 45 || isDigit(c)) return scanNumber(text, i);
  return { position: i, reason: `unexpected ${describe(text, i)} where a value was expected` };
}

function scanNumber(text: string, start: number): number | JsonSyntaxProblem {
  let i = start;
  if (text.charCodeAt(i) === 45) i++;
  const bad = (at: number): JsonSyntaxProblem =>
    at >= text.length ? { position: at, reason: 'unexpected end of input in number' } : { position: at, reason: `unexpected ${describe(text, at)} in number` };
  if (text.charCodeAt(i) === 48) {
    i++;
  } else if (isDigit(text.charCodeAt(i))) {
    while (isDigit(text.charCodeAt(i))) i++;
  } else {
    return bad(i);
  }
  if (text.charCodeAt(i) === 46) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return bad(i);
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const s = text.charCodeAt(i);
    if (s === 43 || s === 45) i++;
    if (!isDigit(text.charCodeAt(i))) return bad(i);
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}
