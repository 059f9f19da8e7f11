import { describe, expect, it } from 'vitest';
import { reuseUnchanged } from './reuse';

describe('reuseUnchanged', () => {
  it('hands back the previous object for unchanged items and forgets vanished ones', () => {
    const previous = new Map<string, { id: string; v: number }>();
    const a1 = { id: 'a', v: 1 };
    const b1 = { id: 'b', v: 1 };
    reuseUnchanged(previous, [a1, b1], (x, y) => x.v === y.v);
    const [a, b] = reuseUnchanged(
      previous,
      [
        { id: 'a', v: 1 },
        { id: 'b', v: 2 },
      ],
      (x, y) => x.v === y.v,
    );
    expect(a).toBe(a1);
    expect(b).not.toBe(b1);
    expect(b).toEqual({ id: 'b', v: 2 });
    reuseUnchanged(previous, [{ id: 'c', v: 1 }], (x, y) => x.v === y.v);
    expect([...previous.keys()]).toEqual(['c']);
  });
});
