/**
 * A small strict RFC 8259 parser for the signed metadata, the esek plaintext and the key file
 * (message-signing.md §7). Unlike `JSON.parse` it rejects duplicate member names and keeps number
 * literals as text, so a 64-bit nonce converts to BigInt exactly and `7.0` is told from `7`.
 * It returns a result instead of throwing.
 */

/** A parsed JSON value with number literals kept as text. */
export type StrictJson =
  | { kind: 'object'; members: Map<string, StrictJson> }
  | { kind: 'array'; items: StrictJson[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string; integer: boolean }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

/** Parse outcome; `error` names the problem and an offset, never the text itself. */
export type StrictJsonResult = { ok: true; value: StrictJson } | { ok: false; error: string };

/** Nesting limit, so hostile input cannot exhaust the stack. */
const DEFAULT_MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9A-Fa-f]{4}$/;
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class SyntaxFault {
  constructor(readonly message: string) {}
}

/** Parses `text` as one strict JSON value. Never throws. */
export function parseStrictJson(text: string, maxDepth = DEFAULT_MAX_DEPTH): StrictJsonResult {
  const parser = new Parser(text, maxDepth);
  try {
    parser.skipWhitespace();
    const value = parser.value(0);
    parser.skipWhitespace();
    if (parser.pos !== text.length) parser.fail('unexpected content after the value');
    return { ok: true, value };
  } catch (err) {
    if (err instanceof SyntaxFault) return { ok: false, error: err.message };
    return { ok: false, error: 'unparseable JSON' };
  }
}

class Parser {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  fail(what: string): never {
    throw new SyntaxFault(`${what} at offset ${this.pos}`);
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  value(depth: number): StrictJson {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return { kind: 'string', value: this.string() };
      case 't':
        return this.literal('true', { kind: 'boolean', value: true });
      case 'f':
        return this.literal('false', { kind: 'boolean', value: false });
      case 'n':
        return this.literal('null', { kind: 'null' });
      default:
        return this.number();
    }
  }

  private literal(word: string, value: StrictJson): StrictJson {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return value;
  }

  private number(): StrictJson {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) this.fail(this.pos >= this.text.length ? 'unexpected end of input' : 'unexpected character');
    this.pos += m[0].length;
    return { kind: 'number', text: m[0], integer: m[1] === undefined && m[2] === undefined };
  }

  private object(depth: number): StrictJson {
    if (depth > this.maxDepth) this.fail('nesting too deep');
    this.pos++; // '{'
    const members = new Map<string, StrictJson>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', members };
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a member name');
      const name = this.string();
      if (members.has(name)) this.fail('duplicate member name');
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      members.set(name, this.value(depth));
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return { kind: 'object', members };
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
      this.skipWhitespace();
    }
  }

  private array(depth: number): StrictJson {
    if (depth > this.maxDepth) this.fail('nesting too deep');
    this.pos++; // '['
    const items: StrictJson[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth));
      this.skipWhitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return { kind: 'array', items };
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
      this.skipWhitespace();
    }
  }

  /** A string literal starting at the opening quote; returns its value. */
  private string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(runStart, this.pos);
      const e = t[this.pos + 1];
      if (e === 'u') {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!HEX4.test(hex)) this.fail('invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
        if (simple === undefined) this.fail('invalid escape');
        out += simple;
        this.pos += 2;
      }
      runStart = this.pos;
    }
    this.fail('unterminated string');
  }
}
