/**
 * Streaming NDJSON line splitter for uploads: yields lines as the body arrives, in time
 * linear in the body (each byte is scanned once; a long line is kept as its chunks and joined
 * once), holding at most one line. Stops with `BodyTooLargeError` past the body's byte limit
 * and with `LineTooLongError` past the line limit.
 */

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`body larger than ${limitBytes} bytes`);
  }
}

export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
  constructor(
    readonly lineNumber: number,
    readonly limitBytes: number,
  ) {
    super(`line ${lineNumber} is longer than ${limitBytes} bytes (an export line holds one message; is this NDJSON?)`);
  }
}

/**
 * Longest line accepted: an exported 100 MB message is ~135 MB of base64 and JSON, and a
 * line is held whole while it is parsed.
 */
export const MAX_LINE_BYTES = 192 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Lines of a byte stream (UTF-8, `\n` or `\r\n`), blank lines skipped. */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array | string>, limitBytes: number, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let received = 0;
  let lineNumber = 1;
  /** The current line's bytes so far, as the chunks they came in. */
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  const finish = (tail: Uint8Array): string => {
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    parts = [];
    partBytes = 0;
    return decoder.decode(bytes).trim();
  };
  for await (const raw of body) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    received += chunk.byteLength;
    if (received > limitBytes) throw new BodyTooLargeError(limitBytes);
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE, from); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
      if (partBytes + (nl - from) > maxLineBytes) throw new LineTooLongError(lineNumber, maxLineBytes);
      const line = finish(chunk.subarray(from, nl));
      if (line !== '') yield line;
      lineNumber++;
      from = nl + 1;
    }
    if (from < chunk.byteLength) {
      partBytes += chunk.byteLength - from;
      if (partBytes > maxLineBytes) throw new LineTooLongError(lineNumber, maxLineBytes);
      // A copy: the stream may reuse the chunk's memory once we return.
      parts.push(Uint8Array.prototype.slice.call(chunk, from));
    }
  }
  const last = finish(new Uint8Array(0));
  if (last !== '') yield last;
}
