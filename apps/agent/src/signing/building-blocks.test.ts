import { describe, expect, it } from 'vitest';
import { decodeBlob, openBlobText, sealBlob } from './blob.js';
import { pythonFloatRepr } from './metadata.js';
import { pad, unpad } from './padding.js';
import { routingTargetOf } from './routing-target.js';
import { decodeStrictBase64, isStrictBase64 } from './strict-base64.js';
import { parseStrictJson, type StrictJson } from './strict-json.js';

describe('strict base64', () => {
  it.each(['', 'QQ==', 'QUI=', 'QUJD', 'aB55pJNOPCsfg6sxRqjYSA=='])('accepts %j', (s) => expect(isStrictBase64(s)).toBe(true));
  it.each(['Q', 'QQ', 'QQ=', 'QQ==QQ==', 'QU JD', 'QUJD\n', 'QU-D', 'QU_D', '=QUJ'])('rejects %j', (s) => expect(decodeStrictBase64(s)).toBeNull());
  it('ignores unused trailing bits', () => expect(decodeStrictBase64('QR==')).toEqual(Buffer.from('A')));
});

describe('padding', () => {
  it('pads 95 bytes with n = 1 and 16 bytes with a full block', () => {
    expect(pad(Buffer.alloc(95, 0x41)).subarray(95)).toEqual(Buffer.of(1));
    expect(pad(Buffer.alloc(16, 0x41)).subarray(16)).toEqual(Buffer.from([...Array(15).fill(0), 16]));
  });
  it('round-trips and rejects malformed padding', () => {
    expect(unpad(pad(Buffer.from('hi')))).toEqual(Buffer.from('hi'));
    expect(unpad(Buffer.from([0x41, 0, 0, 3]))).toEqual(Buffer.from('A'));
    expect(unpad(Buffer.from([0x41, 1, 0, 3]))).toBeNull(); // non-zero filler
    expect(unpad(Buffer.from([0x41, 0]))).toBeNull(); // n = 0
    expect(unpad(Buffer.concat([Buffer.alloc(31), Buffer.of(17)]))).toBeNull(); // n > 16
    expect(unpad(Buffer.alloc(0))).toBeNull();
  });
});

describe('blob', () => {
  const key = Buffer.alloc(16, 3);
  const iv = Buffer.alloc(16, 9);
  it('seals and opens UTF-8 text, and fails under another key', () => {
    const blob = sealBlob(key, iv, Buffer.from('Zoë 🚀', 'utf8'));
    const raw = decodeBlob(blob)!;
    expect(raw.subarray(0, 16)).toEqual(iv);
    expect(openBlobText(key, raw)).toBe('Zoë 🚀');
    expect(openBlobText(Buffer.alloc(16, 4), raw)).toBeNull();
  });
  it('rejects blobs that are too short or not whole blocks', () => {
    expect(decodeBlob(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(decodeBlob(Buffer.alloc(40).toString('base64'))).toBeNull();
    expect(decodeBlob(Buffer.alloc(32).toString('base64'))).not.toBeNull();
  });
  it('rejects plaintext that is not strict UTF-8', () => {
    expect(openBlobText(key, decodeBlob(sealBlob(key, iv, Buffer.from([0xc3, 0x28])))!)).toBeNull();
  });
});

describe('strict JSON', () => {
  const ok = (text: string): StrictJson => {
    const r = parseStrictJson(text);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it('keeps number literals as text and tells integers apart', () => {
    expect(ok('18446744073709551615')).toEqual({ kind: 'number', text: '18446744073709551615', integer: true });
    expect(ok('7.0')).toMatchObject({ integer: false });
    expect(ok('1e18')).toMatchObject({ integer: false });
    expect(ok('-0')).toMatchObject({ integer: true });
  });

  it('parses nested values and escapes', () => {
    const v = ok(' {"a": [true, false, null, "x\\u00e9\\n\\/"], "b": {}} ');
    expect(v.kind).toBe('object');
    const a = v.kind === 'object' ? v.members.get('a') : undefined;
    expect(a).toEqual({
      kind: 'array',
      items: [{ kind: 'boolean', value: true }, { kind: 'boolean', value: false }, { kind: 'null' }, { kind: 'string', value: 'xé\n/' }],
    });
  });

  it.each([
    ['duplicate member', '{"a": 1, "a": 1}'],
    ['duplicate nested member', '{"x": {"a": 1, "a": 2}}'],
    ['NaN', 'NaN'],
    ['Infinity', '{"t": Infinity}'],
    ['leading zero', '01'],
    ['bare fraction', '.5'],
    ['trailing comma', '[1,]'],
    ['single quotes', "{'a': 1}"],
    ['raw control char', '"a\tb"'],
    ['bad escape', '"\\x"'],
    ['short unicode escape', '"\\u12"'],
    ['trailing NUL', '{}\u0000'],
    ['BOM', '\ufeff{}'],
    ['empty', ''],
    ['deep nesting', '['.repeat(100) + ']'.repeat(100)],
  ])('rejects %s', (_what, text) => {
    expect(parseStrictJson(text).ok).toBe(false);
  });

  it('never includes the input text in its error', () => {
    const r = parseStrictJson('{"key": "aB55pJNOPCsfg6sxRqjYSA==" x}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).not.toContain('aB55');
  });
});

describe('pythonFloatRepr', () => {
  it.each([
    [1764400002, '1764400002.0'],
    [1764400001.102417, '1764400001.102417'],
    [1764400003.874, '1764400003.874'],
    [1, '1.0'],
  ])('%d → %s', (t, s) => expect(pythonFloatRepr(t)).toBe(s));
  it('refuses values where JS and Python formats differ', () => {
    expect(() => pythonFloatRepr(1e16)).toThrow(RangeError);
    expect(() => pythonFloatRepr(0.5)).toThrow(RangeError);
  });
});

describe('routingTargetOf', () => {
  it.each([
    ['nova', 'scheduler', 'scheduler'],
    ['nova', 'compute.host-1', 'compute.host-1'],
    ['openstack', 'notifications.info', 'notifications.info'],
    ['scheduler_fanout', '', 'scheduler'],
    ['', 'reply_e9c71cd8e58c4e6f99011c14e63a777f', 'reply_e9c71cd8e58c4e6f99011c14e63a777f'],
  ])('exchange %j, routing key %j → %j', (exchange, key, target) => {
    expect(routingTargetOf(exchange, key)).toBe(target);
  });
});
