import { describe, expect, it } from 'vitest';
import { createRng } from '../demo/rng.js';
import { decodeBase64Strict, exportTrailer, exportTrailerLine, importLines, rawEventsOfLine } from './ndjson.js';

/** What imports accepted before decodeBase64Strict: the rule it must keep. */
const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

describe('decodeBase64Strict', () => {
  it('decodes standard base64, padded or not', () => {
    expect(decodeBase64Strict('aGVsbG8=')?.toString()).toBe('hello');
    expect(decodeBase64Strict('aGVsbG8')?.toString()).toBe('hello');
    expect(decodeBase64Strict('')?.byteLength).toBe(0);
  });

  it.each([
    ['a character outside the alphabet', 'aGVs!G8='],
    ['whitespace', 'aGVs bG8='],
    ['a trailing newline', 'aGVsbG8=\n'],
    ['padding in the middle', 'aG=sbG8='],
    ['two texts run together', 'aGVsbG8=aGVs'],
    ['three padding characters', 'a==='],
    ['URL-safe characters', 'aGVs-G8_'],
  ])('refuses %s', (_what, text) => {
    expect(decodeBase64Strict(text)).toBeNull();
  });

  it('accepts exactly what the strict pattern accepts, over 20,000 random texts', () => {
    const alphabet = 'AbZz09+/=-_ !\n\u00e9';
    const rng = createRng(7);
    const rand = (n: number) => rng.int(0, n - 1);
    for (let i = 0; i < 20_000; i++) {
      const len = rand(14);
      let text = '';
      // Mostly valid characters, so that valid texts are common too.
      for (let k = 0; k < len; k++) text += rand(4) > 0 ? 'QUJD+/09'[rand(8)] : alphabet[rand(alphabet.length)];
      const ours = decodeBase64Strict(text);
      expect(ours !== null, JSON.stringify(text)).toBe(STRICT_BASE64.test(text));
      if (ours !== null) expect(ours.equals(Buffer.from(text, 'base64'))).toBe(true);
    }
  });
});

describe('rawEventsOfLine', () => {
  const line = (bodyBase64: string) =>
    JSON.stringify({
      v: 1,
      record: { capturedAt: 5 },
      raw: { bodyBase64, exchange: 'nova', routingKey: 'compute', headers: {}, properties: {}, deliveries: [] },
      masked: [],
    });

  it('gives the body bytes of a line back, as an array of their own', () => {
    const parsed = rawEventsOfLine(line(Buffer.from('{"a": 1}').toString('base64')), 'import', 0);
    const body = parsed?.events[0]?.body;
    expect(Buffer.from(body ?? []).toString()).toBe('{"a": 1}');
    expect(body?.byteOffset).toBe(0);
    expect(body?.buffer.byteLength).toBe(body?.byteLength);
  });

  it('refuses a line whose body is not base64', () => {
    expect(rawEventsOfLine(line('not base64!'), 'import', 0)).toBeNull();
  });
});

describe('the export trailer', () => {
  it('counts the lines written and the records left out, with each reason', () => {
    const leftOut = new Map([
      ['raw/00000002.seg is truncated', 3],
      ['raw/00000005.seg is missing', 1],
    ]);
    expect(exportTrailerLine(exportTrailer(14, leftOut))).toBe(
      '{"trailer":{"lines":14,"missing":4,"reasons":["raw/00000002.seg is truncated: 3 records left out","raw/00000005.seg is missing: 1 record left out"]}}',
    );
    expect(exportTrailer(2, new Map())).toEqual({ lines: 2, missing: 0, reasons: [] });
  });

  it('is skipped by an import, not counted as an error, however it is spaced', async () => {
    const record = JSON.stringify({ v: 1, record: {}, raw: { bodyBase64: '', exchange: 'nova', routingKey: 'compute', headers: {}, deliveries: [] } });
    const trailer = exportTrailerLine(exportTrailer(1, new Map([['raw/00000002.seg is truncated', 3]])));
    const ingested: unknown[] = [];
    const result = await importLines(
      [record, trailer, '{ "trailer" : {} }'],
      'import',
      () => 0,
      (raw) => ingested.push(raw),
      () => undefined,
    );
    expect(result).toEqual({ imported: 1, errors: 0 });
    expect(ingested).toHaveLength(1);
  });
});
