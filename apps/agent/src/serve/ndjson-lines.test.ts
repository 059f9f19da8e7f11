import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, LineTooLongError, ndjsonLines } from './ndjson-lines.js';

async function collect(chunks: Iterable<Uint8Array | string>, limit = 1e9, maxLine?: number): Promise<string[]> {
  const out: string[] = [];
  async function* body() {
    yield* chunks;
  }
  for await (const line of ndjsonLines(body(), limit, maxLine)) out.push(line);
  return out;
}

describe('NDJSON upload lines', () => {
  it('splits lines across chunk boundaries, CRLF and multi-byte characters included, skipping blank lines', async () => {
    const text = '{"a": 1}\r\n\n{"b": "é€"}\n  \n{"c": 3}';
    const bytes = Buffer.from(text, 'utf8');
    // Every split point, so a chunk boundary falls inside each line, newline and character.
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(['{"a": 1}', '{"b": "é€"}', '{"c": 3}']);
    }
  });

  it('stops a line without end at the line limit, having read only that much of it', async () => {
    let offered = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x78);
    function* endless() {
      for (let i = 0; i < 1000; i++) {
        offered += chunk.byteLength;
        yield chunk;
      }
    }
    await expect(collect(endless(), 1e12, 1024 * 1024)).rejects.toThrow(LineTooLongError);
    expect(offered).toBeLessThanOrEqual(1024 * 1024 + chunk.byteLength);
    await expect(collect(['{"ok": 1}\n', 'x'.repeat(2048)], 1e9, 1024)).rejects.toThrow(/line 2 is longer than 1024 bytes/);
  });

  it('stops past the body limit', async () => {
    await expect(collect(['{"a": 1}\n', '{"b": 2}\n'], 12)).rejects.toThrow(BodyTooLargeError);
  });
});
