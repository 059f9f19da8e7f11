import { describe, expect, it } from 'vitest';
import { seededRandom } from '@osloscope/shared';
import { TimeSpan } from './time-span';

describe('TimeSpan', () => {
  it('tracks min and max of a multiset under random adds and removes', () => {
    const rnd = seededRandom(3);
    const span = new TimeSpan();
    const bag: number[] = [];
    for (let i = 0; i < 3000; i++) {
      if (bag.length > 0 && rnd() < 0.45) {
        const [t] = bag.splice(Math.floor(rnd() * bag.length), 1);
        span.remove(t as number);
      } else {
        const t = Math.floor(rnd() * 200);
        bag.push(t);
        span.add(t);
      }
      expect([span.first, span.last]).toEqual(bag.length ? [Math.min(...bag), Math.max(...bag)] : [undefined, undefined]);
    }
  });

  it('follows a sliding window (adds at the end, removals at the front) past its compaction', () => {
    const span = new TimeSpan();
    for (let t = 0; t < 5000; t++) {
      span.add(t);
      span.add(t);
      if (t >= 100) {
        span.remove(t - 100);
        span.remove(t - 100);
      }
      expect([span.first, span.last]).toEqual([Math.max(0, t - 99), t]);
    }
    span.add(42); // late, out of order
    expect(span.first).toBe(42);
  });
});
