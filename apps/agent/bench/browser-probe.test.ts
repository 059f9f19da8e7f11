import { describe, expect, it } from 'vitest';
import { percentile, slope } from './browser-probe.js';

describe('browser bench statistics', () => {
  it('percentile is nearest rank over unsorted samples', () => {
    const v = [50, 10, 40, 20, 30, 100, 90, 80, 70, 60];
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(100);
    expect(percentile(v, 10)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });
  it('slope is the least-squares growth per unit', () => {
    expect(
      slope([
        { x: 0, y: 100 },
        { x: 1, y: 102 },
        { x: 2, y: 104 },
      ]),
    ).toBeCloseTo(2);
    expect(
      slope([
        { x: 0, y: 5 },
        { x: 1, y: 5 },
      ]),
    ).toBe(0);
    expect(slope([{ x: 0, y: 5 }])).toBeNaN();
  });
});
