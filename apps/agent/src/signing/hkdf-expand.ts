/**
 * HKDF-Expand-SHA256 (RFC 5869 §2.3) and the ticket key split of message-signing.md §4.
 * Deliberately not `crypto.hkdf`: that always runs HKDF-Extract first and gives other keys.
 */

import { createHmac } from 'node:crypto';

const HASH_LEN = 32;

/** HKDF-Expand with HMAC-SHA256: `length` bytes of OKM from `prk` and `info` (length ≤ 8160). */
export function hkdfExpandSha256(prk: Uint8Array, info: Uint8Array, length = HASH_LEN): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH_LEN) {
    throw new RangeError(`HKDF-Expand length must be 0..${255 * HASH_LEN}`);
  }
  const blocks: Buffer[] = [];
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 1; i <= Math.ceil(length / HASH_LEN); i++) {
    previous = createHmac('sha256', prk).update(previous).update(info).update(Buffer.of(i)).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** The two 16-byte halves of the OKM: skey signs, ekey encrypts. */
export interface TicketKeys {
  skey: Buffer;
  ekey: Buffer;
}

/** The HKDF `info` string: `source,destination,esekTimestamp` (the timestamp verbatim). */
export function ticketInfo(source: string, destination: string, esekTimestamp: string): string {
  return `${source},${destination},${esekTimestamp}`;
}

/** Derives skey = OKM[0:16] and ekey = OKM[16:32] from the ticket's rndkey (§4). */
export function deriveTicketKeys(rndkey: Uint8Array, source: string, destination: string, esekTimestamp: string): TicketKeys {
  const okm = hkdfExpandSha256(rndkey, Buffer.from(ticketInfo(source, destination, esekTimestamp), 'utf8'));
  return { skey: okm.subarray(0, 16), ekey: okm.subarray(16, 32) };
}
