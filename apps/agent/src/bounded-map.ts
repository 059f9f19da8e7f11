/**
 * A Map bounded by entry count that forgets the least recently set entry. Correlation
 * indexes use it so memory stays flat however long the agent runs.
 */
import { OldestFirstMap } from './oldest-first-map.js';

export class BoundedMap<K, V> {
  private readonly map = new OldestFirstMap<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    // Delete first: a re-set key becomes the newest.
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.shift();
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
