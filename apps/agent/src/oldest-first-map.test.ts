import { describe, expect, it } from 'vitest';
import { createRng } from './demo/rng.js';
import { OldestFirstMap } from './oldest-first-map.js';

/** The specification, slowly: entries in insertion order; set keeps an existing key's place. */
class Reference<K, V> {
  entries: [K, V][] = [];
  set(key: K, value: V): void {
    const at = this.entries.findIndex(([k]) => k === key);
    if (at >= 0) this.entries[at] = [key, value];
    else this.entries.push([key, value]);
  }
  delete(key: K): void {
    this.entries = this.entries.filter(([k]) => k !== key);
  }
  shift(): [K, V] | undefined {
    return this.entries.shift();
  }
}

describe('OldestFirstMap', () => {
  it('hands out entries oldest first; a value set again keeps its age, a key deleted and set again is the newest', () => {
    const m = new OldestFirstMap<string, number>();
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    m.set('a', 10);
    m.delete('b');
    m.set('b', 20);
    expect([m.shift(), m.shift(), m.shift(), m.shift()]).toEqual([['a', 10], ['c', 3], ['b', 20], undefined]);
    // Emptied by shift, it still sees what comes next.
    m.set('d', 4);
    expect(m.shift()).toEqual(['d', 4]);
  });

  it('agrees with a reference over a long random mix of set, delete, shift and clear', () => {
    const rng = createRng(99);
    const rand = (n: number) => rng.int(0, n - 1);
    const m = new OldestFirstMap<number, number>();
    let ref = new Reference<number, number>();
    for (let step = 0; step < 10_000; step++) {
      const op = rand(100);
      const key = rand(40);
      if (op < 50) {
        m.set(key, step);
        ref.set(key, step);
      } else if (op < 70) {
        m.delete(key);
        ref.delete(key);
      } else if (op < 99) {
        expect(m.shift()).toEqual(ref.shift());
      } else {
        m.clear();
        ref = new Reference();
      }
      expect(m.size).toBe(ref.entries.length);
      expect([...m.values()]).toEqual(ref.entries.map(([, v]) => v));
    }
  });
});
