import { describe, expect, it } from 'vitest';
import { decodeBase64Text, prettyOsloBody, previewText } from './raw-body';

/** UTF-8 bytes of `s` as base64, the way the agent sends a raw body (browser APIs only: this is web code). */
const b64 = (s: string) => btoa(Array.from(new TextEncoder().encode(s), (byte) => String.fromCharCode(byte)).join(''));

describe('raw body', () => {
  it('decodes base64 UTF-8 and expands the inner oslo.message when pretty-printing', () => {
    const inner = JSON.stringify({ method: 'echo', args: { value: 'é' }, version: '1.2' });
    const body = JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': inner });
    const text = decodeBase64Text(b64(body));
    expect(text).toBe(body);
    const pretty = prettyOsloBody(text) ?? '';
    expect(pretty).toContain('"method": "echo"');
    expect(pretty).toContain('"value": "é"');
  });

  it('accepts Python NaN/Infinity and returns null for non-JSON', () => {
    // Bare, as Python wrote them (not as the strings "NaN"), and a token inside a string stays text.
    const pretty = prettyOsloBody('{"a": NaN, "b": [-Infinity], "c": "NaN"}');
    expect(pretty).toContain('"a": NaN,');
    expect(pretty).toContain('"b": [\n    -Infinity\n  ]');
    expect(pretty).toContain('"c": "NaN"');
    expect(prettyOsloBody('not json')).toBeNull();
    expect(decodeBase64Text('%%%')).toBe('(body is not valid base64)');
  });

  it('shows only the first 100 KB of large bodies until asked', () => {
    const big = 'x'.repeat(3_000_000);
    const p = previewText(big);
    expect(p.truncated).toBe(true);
    expect(p.text).toHaveLength(100_000);
    expect(p.totalChars).toBe(3_000_000);
    expect(previewText('{}')).toEqual({ text: '{}', truncated: false, totalChars: 2 });
  });
});
