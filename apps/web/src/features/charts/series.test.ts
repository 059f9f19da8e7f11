import { describe, expect, it } from 'vitest';
import { makeRecord } from '../../test/make-record';
import { bucketPerSecond, percentile } from './series';

const T0 = 1_800_000_000_000;
const call = (id: number, at: number, status: 'ok' | 'error' | 'timeout' | 'pending', latencyMs: number | null) =>
  makeRecord(id, { capturedAt: at, outcome: { status, latencyMs, replyId: null, failure: null, heartbeats: 0 } });

describe('bucketPerSecond', () => {
  it('counts calls, errors and timeouts per second and computes latency percentiles', () => {
    const recs = [
      call(1, T0 + 100, 'ok', 10),
      call(2, T0 + 900, 'ok', 30),
      call(3, T0 + 999, 'error', 20),
      call(4, T0 + 1000, 'timeout', null),
      makeRecord(5, { kind: 'cast', capturedAt: T0 + 1500, outcome: null }),
      call(6, T0 + 2500, 'pending', null),
    ];
    const buckets = bucketPerSecond(recs, T0 + 2999, 3);
    expect(buckets.map((b) => b.t)).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(buckets.map((b) => [b.calls, b.errors, b.timeouts])).toEqual([
      [3, 1, 0],
      [1, 0, 1],
      [1, 0, 0],
    ]);
    expect(buckets[0]).toMatchObject({ p50: 20, p95: 30 });
    expect(buckets[1]).toMatchObject({ p50: null, p95: null });
  });

  it('ignores records outside the window and always returns the window length', () => {
    const buckets = bucketPerSecond([call(1, T0 - 5000, 'ok', 1), call(2, T0 + 60_000, 'ok', 1)], T0 + 10_000, 5);
    expect(buckets).toHaveLength(5);
    expect(buckets.reduce((n, b) => n + b.calls, 0)).toBe(0);
  });
});

describe('percentile', () => {
  it('uses nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([], 50)).toBeNull();
  });
});
