/**
 * Block padding of message-signing.md §3: n = 16 − (len mod 16) bytes, n−1 zeros then the byte n.
 * (Not PKCS#7, whose filler bytes are all n; not the 2013 oslo-incubator variant, see §10.)
 */

/** AES block size in bytes. */
export const BLOCK_SIZE = 16;

/** `data` followed by its padding (1..16 bytes). */
export function pad(data: Uint8Array): Buffer {
  const n = BLOCK_SIZE - (data.length % BLOCK_SIZE);
  const out = Buffer.alloc(data.length + n); // zero-filled, so only the last byte needs writing
  out.set(data, 0);
  out[out.length - 1] = n;
  return out;
}

/** `data` without its padding, or null when the padding is malformed. Never throws. */
export function unpad(data: Buffer): Buffer | null {
  const n = data[data.length - 1];
  if (n === undefined || n < 1 || n > BLOCK_SIZE || n > data.length) return null;
  for (let i = data.length - n; i < data.length - 1; i++) {
    if (data[i] !== 0) return null;
  }
  return data.subarray(0, data.length - n);
}
