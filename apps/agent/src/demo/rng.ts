/**
 * A seeded pseudo-random generator (mulberry32), so the demo produces the same traffic
 * for the same seed: tests can assert on it and bug reports can name a seed.
 */
import { seededRandom } from '@osloscope/shared';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `n` random bytes. */
  bytes(n: number): Buffer;
  /** uuid4 as 32 hex digits (oslo's `_msg_id`, `_unique_id`, reply queue suffix). */
  uuidHex(): string;
  /** uuid4 with dashes (notification `message_id`, instance uuids, request ids). */
  uuid(): string;
}

export function createRng(seed: number): Rng {
  const next = seededRandom(seed);
  const bytes = (n: number): Buffer => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
    return out;
  };
  const uuidHex = (): string => {
    const b = bytes(16);
    // Version 4, RFC 4122 variant, like Python's uuid4().hex.
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    return b.toString('hex');
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    bytes,
    uuidHex,
    uuid: () => {
      const h = uuidHex();
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}
