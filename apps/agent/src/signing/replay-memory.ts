/**
 * Replay memory of one verifier (message-signing.md §6 step 8): the (source, nonce) pairs of
 * authentic messages, bounded as an LRU so a long capture cannot grow it without limit. A replay
 * of an evicted pair is then reported `valid`, which the spec accepts.
 */

import { OldestFirstMap } from '../oldest-first-map.js';

/** Default number of remembered pairs. */
export const DEFAULT_REPLAY_MEMORY = 100_000;

/** Bounded LRU set of (source, nonce) pairs. */
export class ReplayMemory {
  // Insertion order: the oldest key is the least recently used. (A plain Map's keys().next()
  // walks every deleted slot, which grows with the memory's size.)
  private readonly seen = new OldestFirstMap<string, true>();

  constructor(readonly capacity: number = DEFAULT_REPLAY_MEMORY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('replay memory capacity must be an integer ≥ 1');
  }

  /**
   * True when the pair was already remembered (a replay; it becomes most recently used).
   * Otherwise remembers it, evicting the least recently used pair when full, and returns false.
   */
  checkAndRemember(source: string, nonce: bigint): boolean {
    // Length prefix keeps the key unambiguous whatever characters the source holds.
    const key = `${source.length}:${source}:${nonce.toString()}`;
    if (this.seen.has(key)) {
      this.seen.delete(key);
      this.seen.set(key, true);
      return true;
    }
    if (this.seen.size >= this.capacity) this.seen.shift();
    this.seen.set(key, true);
    return false;
  }

  /** Number of remembered pairs. */
  get size(): number {
    return this.seen.size;
  }
}
