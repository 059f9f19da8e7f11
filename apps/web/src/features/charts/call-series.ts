/**
 * The charts' per-second call counts and latencies, kept incrementally from the live
 * buffer's changes (see stores/live-changes.ts) instead of re-bucketing every buffered record
 * each second. `snapshot` gives exactly what `bucketPerSecond` computes over the buffered
 * records that match the filter.
 */
import type { EnvelopeFilter, EnvelopeRecord } from '@osloscope/shared';
import type { RecordSink } from '../../stores/live-changes';
import { matchesCached } from '../../stores/selectors';
import type { SecondBucket } from './series';

interface SecondAcc {
  calls: number;
  errors: number;
  timeouts: number;
  /** Latency (ms) → how many calls of this second had it: removable, unlike a sorted array. */
  latencies: Map<number, number>;
  /** Percentiles of `latencies`, computed on demand; null = stale. */
  percentiles: { p50: number | null; p95: number | null } | null;
}

function emptyAcc(): SecondAcc {
  return { calls: 0, errors: 0, timeouts: 0, latencies: new Map(), percentiles: null };
}

/** Nearest-rank p50/p95 (as `percentile` over the expanded, sorted values), walking the distinct latencies. */
function percentilesOf(latencies: Map<number, number>): { p50: number | null; p95: number | null } {
  const values = [...latencies.keys()].sort((x, y) => x - y);
  let total = 0;
  for (const n of latencies.values()) total += n;
  const at = (p: number): number | null => {
    if (total === 0) return null;
    const rank = Math.min(total - 1, Math.max(0, Math.ceil((p / 100) * total) - 1));
    let seen = 0;
    for (const v of values) {
      seen += latencies.get(v) ?? 0;
      if (seen > rank) return v;
    }
    return null;
  };
  return { p50: at(50), p95: at(95) };
}

export class CallSeries implements RecordSink {
  private readonly seconds = new Map<number, SecondAcc>();
  /**
   * Seconds before this have left the chart window for good (time only moves on), so they
   * are dropped and records captured in them are ignored.
   */
  private horizon = -Infinity;
  /** Bumped whenever the counted records change. */
  revision = 0;

  constructor(private readonly filter: EnvelopeFilter) {}

  clear(): void {
    this.seconds.clear();
    this.revision++;
  }

  add(rec: EnvelopeRecord): void {
    this.count(rec, 1);
  }

  remove(rec: EnvelopeRecord): void {
    this.count(rec, -1);
  }

  private count(rec: EnvelopeRecord, sign: 1 | -1): void {
    if (rec.kind !== 'call') return;
    const second = Math.floor(rec.capturedAt / 1000) * 1000;
    if (second < this.horizon || !matchesCached(rec, this.filter)) return;
    let acc = this.seconds.get(second);
    if (!acc) this.seconds.set(second, (acc = emptyAcc()));
    acc.calls += sign;
    const status = rec.outcome?.status;
    if (status === 'error') acc.errors += sign;
    if (status === 'timeout') acc.timeouts += sign;
    const latency = rec.outcome?.latencyMs;
    if (latency != null) {
      const n = (acc.latencies.get(latency) ?? 0) + sign;
      if (n === 0) acc.latencies.delete(latency);
      else acc.latencies.set(latency, n);
      acc.percentiles = null;
    }
    if (acc.calls === 0) this.seconds.delete(second);
    this.revision++;
  }

  /** The `windowSeconds` seconds ending at `now` (inclusive), as `bucketPerSecond` returns them. */
  snapshot(now: number, windowSeconds: number): SecondBucket[] {
    const end = Math.floor(now / 1000) * 1000;
    const start = end - (windowSeconds - 1) * 1000;
    if (start > this.horizon) {
      this.horizon = start;
      for (const second of this.seconds.keys()) if (second < start) this.seconds.delete(second);
    }
    const out: SecondBucket[] = [];
    for (let t = start; t <= end; t += 1000) {
      const acc = this.seconds.get(t);
      if (!acc) {
        out.push({ t, calls: 0, errors: 0, timeouts: 0, p50: null, p95: null });
        continue;
      }
      acc.percentiles ??= percentilesOf(acc.latencies);
      out.push({ t, calls: acc.calls, errors: acc.errors, timeouts: acc.timeouts, ...acc.percentiles });
    }
    return out;
  }
}

/** Whether two snapshots would draw the same chart (so the chart need not re-render). */
export function sameBuckets(a: readonly SecondBucket[], b: readonly SecondBucket[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as SecondBucket;
    const y = b[i] as SecondBucket;
    if (x.t !== y.t || x.calls !== y.calls || x.errors !== y.errors || x.timeouts !== y.timeouts || x.p50 !== y.p50 || x.p95 !== y.p95) return false;
  }
  return true;
}
