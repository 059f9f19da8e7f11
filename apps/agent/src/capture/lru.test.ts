import { describe, expect, it } from 'vitest';
import { createRng } from '../demo/rng.js';
import { BoundedMap } from './lru.js';

/** The specification, slowly: keys in set order, the oldest forgotten past the capacity. */
class ReferenceMap<K, V> {
  private entries: [K, V][] = [];
  constructor(private readonly capacity: number) {}
  get(key: K): V | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }
  set(key: K, value: V): void {
    this.entries = this.entries.filter(([k]) => k !== key);
    this.entries.push([key, value]);
    if (this.entries.length > this.capacity) this.entries.shift();
  }
  delete(key: K): void {
    this.entries = this.entries.filter(([k]) => k !== key);
  }
  clear(): void {
    this.entries = [];
  }
  get size(): number {
    return this.entries.length;
  }
}

describe('BoundedMap', () => {
  it('forgets the least recently set entry once over capacity', () => {
    const m = new BoundedMap<string, number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    m.set('a', 10); // set again: now the newest
    m.set('d', 4); // evicts b, the least recently set
    expect(m.get('b')).toBeUndefined();
    expect([m.get('a'), m.get('c'), m.get('d')]).toEqual([10, 3, 4]);
    expect(m.size).toBe(3);
  });

  it('agrees with a reference implementation over a random mix of set, delete and clear', () => {
    const rng = createRng(12345);
    const rand = (n: number) => rng.int(0, n - 1);
    for (const capacity of [1, 2, 7, 50]) {
      const m = new BoundedMap<number, number>(capacity);
      const ref = new ReferenceMap<number, number>(capacity);
      for (let step = 0; step < 5_000; step++) {
        const op = rand(100);
        const key = rand(capacity * 3);
        if (op < 70) {
          m.set(key, step);
          ref.set(key, step);
        } else if (op < 95) {
          m.delete(key);
          ref.delete(key);
        } else if (op === 99) {
          m.clear();
          ref.clear();
        }
        expect(m.size).toBe(ref.size);
        const probe = rand(capacity * 3);
        expect(m.get(probe)).toBe(ref.get(probe));
      }
    }
  });

  it('keeps exactly the newest entries after far more sets than its capacity', () => {
    const m = new BoundedMap<string, number>(1000);
    for (let i = 0; i < 50_000; i++) m.set(`k${i}`, i);
    expect(m.size).toBe(1000);
    expect(m.get('k48999')).toBeUndefined();
    expect(m.get('k49000')).toBe(49000);
    expect(m.get('k49999')).toBe(49999);
  });
});
