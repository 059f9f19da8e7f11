/**
 * A firehose deliver event carries the same body as its publish. Parsing that body again
 * (two JSON levels) only to learn its `_unique_id` is the most expensive part of handling a
 * delivery, so the capture core first reads the id straight from the bytes and only decodes
 * when the hint is missing or does not lead to a known record with the same body size.
 */

const KEY = Buffer.from('_unique_id');
const HEX_LEN = 32;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/**
 * The `_unique_id` of an oslo body read from its bytes: the last `_unique_id` key (oslo puts it
 * after args/result/payload, so a key of that name inside them comes earlier) followed by
 * `": "` (bare 1.0 body) or `\": \"` (inside the 2.0 envelope's `oslo.message` string) and
 * 32 lowercase hex digits. `null` when the bytes do not have that shape.
 */
export function uniqueIdHint(body: Uint8Array): string | null {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const at = buf.lastIndexOf(KEY);
  if (at < 0) return null;
  let i = at + KEY.length;
  if (buf[i] === 0x5c) i++; // backslash of \" in the envelope
  if (buf[i] !== 0x22 || buf[i + 1] !== 0x3a || buf[i + 2] !== 0x20) return null; // `": `
  i += 3;
  if (buf[i] === 0x5c) i++;
  if (buf[i] !== 0x22) return null;
  i++;
  if (i + HEX_LEN > buf.length) return null;
  for (let k = i; k < i + HEX_LEN; k++) if (!isHex(buf[k] ?? 0)) return null;
  const end = i + HEX_LEN;
  if (buf[end] !== 0x22 && !(buf[end] === 0x5c && buf[end + 1] === 0x22)) return null;
  return buf.toString('latin1', i, end);
}
