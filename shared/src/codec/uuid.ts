/** Random uuid4 values as oslo writes them (`uuid.uuid4().hex` / `str(uuid.uuid4())`). */

interface CryptoLike {
  getRandomValues(array: Uint8Array): Uint8Array;
}

function randomBytes16(): Uint8Array {
  const bytes = new Uint8Array(16);
  const crypto = (globalThis as unknown as { crypto?: CryptoLike }).crypto;
  if (crypto === undefined || typeof crypto.getRandomValues !== 'function') {
    throw new Error('globalThis.crypto.getRandomValues is not available');
  }
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return bytes;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** 32 lower-case hex digits, no dashes: `_msg_id`, `_unique_id`, `reply_<uuid>`. */
export function uuid4Hex(): string {
  return hex(randomBytes16());
}

/** Dashed form, as in a notification's `message_id`. */
export function uuid4(): string {
  const h = uuid4Hex();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
