/**
 * Streaming NDJSON line splitter for uploads: yields lines as the body arrives (nothing
 * is buffered beyond one line), and stops with `BodyTooLargeError` past a byte limit.
 */

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`body larger than ${limitBytes} bytes`);
  }
}

/** Lines of a byte stream (UTF-8, `\n` or `\r\n`), blank lines skipped. */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array | string>, limitBytes: number): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let received = 0;
  let carry = '';
  for await (const chunk of body) {
    received += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (received > limitBytes) throw new BodyTooLargeError(limitBytes);
    carry += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines = carry.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed !== '') yield trimmed;
    }
  }
  const last = (carry + decoder.decode()).trim();
  if (last !== '') yield last;
}
