/** UTF-8, JSON error location and Python-style JSON text, checked against the reference implementations. */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../seeded-random.js';
import { findDepthOverflow } from './bounded-json.js';
import { locateJsonError } from './json-error.js';
import { pythonJsonDumps } from './python-json.js';
import { decodeUtf8, decodeUtf8Js, encodeUtf8 } from './utf8.js';

describe('utf8', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  it('the JS decoder agrees with TextDecoder (fatal) on 5000 random byte strings', () => {
    const rnd = seededRandom(7);
    for (let n = 0; n < 5000; n++) {
      const len = Math.floor(rnd() * 24);
      const bytes = new Uint8Array(len);
      // Bias towards UTF-8-looking bytes so valid multi-byte sequences occur.
      for (let i = 0; i < len; i++) bytes[i] = rnd() < 0.5 ? Math.floor(rnd() * 0x80) : 0x80 + Math.floor(rnd() * 0x80);
      let expected: string | null;
      try {
        expected = fatal.decode(bytes);
      } catch {
        expected = null;
      }
      const got = decodeUtf8Js(bytes);
      expect(got.ok ? got.text : null).toBe(expected);
      const viaApi = decodeUtf8(bytes);
      expect(viaApi.ok ? viaApi.text : null).toBe(expected);
    }
  });

  it('encodeUtf8 matches TextEncoder and round-trips, including astral characters', () => {
    const s = 'a é ☃ 😀 \u0000 \uffff';
    expect(Array.from(encodeUtf8(s))).toEqual(Array.from(new TextEncoder().encode(s)));
    const r = decodeUtf8(encodeUtf8(s));
    expect(r.ok && r.text).toBe(s);
    // Large ASCII and mixed bodies (chunked conversion).
    const big = 'x'.repeat(10_000) + 'é'.repeat(5000) + 'y'.repeat(9000);
    const rb = decodeUtf8Js(encodeUtf8(big));
    expect(rb.ok && rb.text).toBe(big);
  });
});

describe('locateJsonError', () => {
  it('says "valid" exactly when JSON.parse accepts, on 5000 mutated JSON texts', () => {
    const rnd = seededRandom(11);
    const seeds = ['{"a": [1, 2.5e-3, -0, true, false, null], "b": {"c": "d\\n\\u00e9"}}', '[]', '{}', '"x"', '-12.5E+3', '[{"": []}]'];
    const alphabet = '{}[]",:.-+eE0123456789tfnrulas\\ /\n\t\u0001';
    for (let n = 0; n < 5000; n++) {
      let s = seeds[Math.floor(rnd() * seeds.length)]!;
      const edits = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rnd() * (s.length + 1));
        const op = rnd();
        const ch = alphabet[Math.floor(rnd() * alphabet.length)]!;
        s = op < 0.33 ? s.slice(0, at) + ch + s.slice(at) : op < 0.66 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + ch + s.slice(at + 1);
      }
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      const problem = locateJsonError(s);
      expect(problem === null, `text ${JSON.stringify(s)}`).toBe(valid);
      if (problem !== null) expect(problem.position).toBeLessThanOrEqual(s.length);
    }
  });

  it('reports the position of the problem', () => {
    expect(locateJsonError('{"a": 1,}')).toEqual({ position: 8, reason: 'expected a property name in double quotes, found "}"' });
    expect(locateJsonError('[1 2]')).toEqual({ position: 3, reason: `expected ',' or ']', found "2"` });
    expect(locateJsonError('"ab')).toEqual({ position: 3, reason: 'unterminated string' });
    expect(locateJsonError('01')).toEqual({ position: 1, reason: 'unexpected "1" after the JSON value' });
  });
});

describe('findDepthOverflow', () => {
  it('counts only real nesting (not brackets in strings, escaped quotes handled)', () => {
    expect(findDepthOverflow('[[[]]]', 3)).toBe(-1);
    expect(findDepthOverflow('[[[[]]]]', 3)).toBe(3);
    expect(findDepthOverflow('["[[[[", "\\"[[[["]', 1)).toBe(-1);
    expect(findDepthOverflow('["\\\\", [[]]]', 2)).toBe(8);
    expect(findDepthOverflow('[[], [], [], []]', 2)).toBe(-1);
  });
});

describe('pythonJsonDumps', () => {
  it('writes what Python 3.11 json.dumps writes (outputs taken from python3)', () => {
    // python3 -c 'import json; print(json.dumps({"a": "café ☃ 😀\x7f\n\x01", "b": [1.5e-05, 1e-07, 0.0001, 2.5, -3], "c": None, "d": True}))'
    expect(pythonJsonDumps({ a: 'café ☃ 😀\u007f\n\u0001', b: [1.5e-5, 1e-7, 0.0001, 2.5, -3], c: null, d: true })).toBe(
      '{"a": "caf\\u00e9 \\u2603 \\ud83d\\ude00\\u007f\\n\\u0001", "b": [1.5e-05, 1e-07, 0.0001, 2.5, -3], "c": null, "d": true}',
    );
    expect(pythonJsonDumps([[], {}, 'x'])).toBe('[[], {}, "x"]');
  });
});
