import { describe, expect, it } from 'vitest';
import type { EnvelopeFilter } from '@osloscope/shared';
import { applyChange, rebuildFrom } from '../../stores/live-changes';
import { makeRecord } from '../../test/make-record';
import { matchingRecords } from '../../test/matching-records';
import { play, randomFrames } from '../../test/random-traffic';
import { CallSeries, sameBuckets } from './call-series';
import { bucketPerSecond } from './series';

const WINDOW = 20;

describe('CallSeries (incremental chart buckets)', () => {
  it.each([{}, { topic: 'compute' }, { outcome: 'ok' as const }])(
    'equals bucketPerSecond over the matching buffer after every frame of random traffic (filter %o)',
    (filter: EnvelopeFilter) => {
      const series = new CallSeries(filter);
      let checked = 0;
      let withLatency = 0;
      play(randomFrames(11, 500, 120), 80, ({ records }, step) => {
        if (step === 0) rebuildFrom(series, records);
        else applyChange(series, records.changeSince(records.version - 1)!);
        const newest = Math.max(0, ...[...records.records()].map((r) => r.capturedAt));
        // The window trails the newest record by a little, as the clock trails the capture.
        const now = newest + 1500;
        if (step % 3 === 0) {
          const got = series.snapshot(now, WINDOW);
          expect(got, `step ${step}`).toEqual(bucketPerSecond(matchingRecords(records, filter), now, WINDOW));
          checked++;
          if (got.some((b) => b.p95 !== null)) withLatency++;
        }
      });
      expect(checked).toBeGreaterThan(100);
      expect(withLatency).toBeGreaterThan(50); // the traffic did exercise the latency buckets
    },
  );

  it('takes back removed records, latencies included', () => {
    const T = 1_800_000_000_000;
    const a = makeRecord(1, { capturedAt: T + 10 });
    const b = makeRecord(2, { capturedAt: T + 20, outcome: { status: 'error', latencyMs: 40, replyId: null, failure: null, heartbeats: 0 } });
    const series = new CallSeries({});
    series.add(a);
    series.add(b);
    expect(series.snapshot(T + 999, 1)[0]).toMatchObject({ calls: 2, errors: 1, p50: 12, p95: 40 });
    series.remove(b);
    expect(series.snapshot(T + 999, 1)[0]).toMatchObject({ calls: 1, errors: 0, p50: 12, p95: 12 });
  });

  it('compares snapshots by value', () => {
    const s = new CallSeries({});
    s.add(makeRecord(1));
    const now = 1_800_000_000_000 + 500;
    expect(sameBuckets(s.snapshot(now, 5), s.snapshot(now, 5))).toBe(true);
    s.add(makeRecord(2));
    expect(sameBuckets(s.snapshot(now, 5), new CallSeries({}).snapshot(now, 5))).toBe(false);
  });
});
