import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { createHostRotation } from './host-rotation.js';

describe('backoffDelay', () => {
  it('doubles from the floor up to the ceiling', () => {
    const o = { initialMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((a) => backoffDelay(a, o))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
  it('never returns a zero delay for bad options', () => {
    expect(backoffDelay(0, { initialMs: 0, maxMs: -1 })).toBe(500);
    expect(backoffDelay(0, { initialMs: Number.NaN, maxMs: 1000 })).toBe(500);
  });
});

describe('createHostRotation', () => {
  it('shuffles once, then goes round-robin on every failure', () => {
    // random() = 0 always: Fisher–Yates swaps each i with 0 → [b, c, a] for [a, b, c]
    const r = createHostRotation(['a', 'b', 'c'], () => 0);
    const seen = [r.current(), r.advance(), r.advance(), r.advance(), r.advance()];
    expect(seen).toEqual(['b', 'c', 'a', 'b', 'c']);
    expect(new Set(seen.slice(0, 3))).toEqual(new Set(['a', 'b', 'c']));
  });
  it('reports the index in the original list', () => {
    const r = createHostRotation(['a', 'b'], () => 0.99);
    expect(['a', 'b'][r.currentIndex()]).toBe(r.current());
    r.advance();
    expect(['a', 'b'][r.currentIndex()]).toBe(r.current());
  });
  it('stays on the only host', () => {
    const r = createHostRotation(['h']);
    expect([r.current(), r.advance(), r.advance()]).toEqual(['h', 'h', 'h']);
  });
});
