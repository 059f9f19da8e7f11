/**
 * Per-second series for the charts, bucketed from records so recharts only ever sees
 * a fixed, small number of points (window length), never raw messages.
 */
import type { EnvelopeRecord } from '@osloscope/shared';

export interface SecondBucket {
  /** Bucket start, epoch ms (whole second). */
  t: number;
  calls: number;
  errors: number;
  timeouts: number;
  /** Latency percentiles (ms) of calls sent in that second that have completed; null if none. */
  p50: number | null;
  p95: number | null;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? null;
}

/**
 * Buckets calls by the second they were captured, for the `windowSeconds` seconds
 * ending at `now` (inclusive). Errors and timeouts are counted at their call's second.
 */
export function bucketPerSecond(records: readonly EnvelopeRecord[], now: number, windowSeconds = 120): SecondBucket[] {
  const end = Math.floor(now / 1000) * 1000;
  const start = end - (windowSeconds - 1) * 1000;
  const latencies: number[][] = Array.from({ length: windowSeconds }, () => []);
  const buckets: SecondBucket[] = Array.from({ length: windowSeconds }, (_, i) => ({
    t: start + i * 1000,
    calls: 0,
    errors: 0,
    timeouts: 0,
    p50: null,
    p95: null,
  }));
  for (const rec of records) {
    if (rec.kind !== 'call') continue;
    const i = Math.floor((rec.capturedAt - start) / 1000);
    const b = buckets[i];
    if (!b) continue; // outside the window
    b.calls++;
    const status = rec.outcome?.status;
    if (status === 'error') b.errors++;
    if (status === 'timeout') b.timeouts++;
    if (rec.outcome?.latencyMs != null) latencies[i]?.push(rec.outcome.latencyMs);
  }
  buckets.forEach((b, i) => {
    const l = (latencies[i] ?? []).sort((x, y) => x - y);
    b.p50 = percentile(l, 50);
    b.p95 = percentile(l, 95);
  });
  return buckets;
}
