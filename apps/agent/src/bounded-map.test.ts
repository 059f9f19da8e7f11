// The eviction order itself (OldestFirstMap) has its randomized reference test in
// oldest-first-map.test.ts; these cover what BoundedMap adds on top: the capacity and the
// "a re-set key becomes the newest" rule.
import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

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

  it('counts a deleted entry out of the capacity, and evicts in order again after a clear', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.delete('a');
    m.set('c', 3); // room left by the delete: nothing evicted
    expect([m.get('b'), m.get('c'), m.size]).toEqual([2, 3, 2]);
    m.set('d', 4); // evicts b
    expect([m.get('b'), m.get('c'), m.get('d')]).toEqual([undefined, 3, 4]);
    m.clear();
    expect(m.size).toBe(0);
    m.set('e', 5);
    m.set('f', 6);
    m.set('g', 7); // evicts e, the oldest since the clear
    expect([m.get('e'), m.get('f'), m.get('g'), m.size]).toEqual([undefined, 6, 7, 2]);
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
