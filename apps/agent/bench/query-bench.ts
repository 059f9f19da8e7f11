/**
 * B4 query at scale: over the store B2 filled, the time to the first page for each kind of
 * filter change, and the time for the flow and version aggregates.
 */
import type { EnvelopeFilter } from '@osloscope/shared';
import { openBenchCore } from './pipeline-bench.js';
import { EXCHANGE, SERVERS, TOPIC } from './workload.js';

export interface QueryTiming {
  name: string;
  ms: number;
  /** Items on the first page (sanity: a filter that finds nothing is not a measurement). */
  items: number;
  total: number;
  /** `total` is a lower bound (the count stopped at the cap). */
  totalCapped: boolean;
}

export interface QueryResult {
  stored: number;
  pages: QueryTiming[];
  flowsMs: number;
  versionsMs: number;
  flows: number;
}

/** The filter changes a user makes in the web app, with values the workload really contains. */
export const QUERY_FILTERS: [string, EnvelopeFilter][] = [
  ['none', {}],
  ['exchange', { exchange: EXCHANGE }],
  ['topic', { topic: TOPIC }],
  ['server', { server: SERVERS[1]! }],
  ['method', { method: 'reboot_instance' }],
  ['outcome error', { outcome: 'error' }],
  ['text (common)', { text: 'build_and_run' }],
  ['text (rare)', { text: 'could not be found' }],
];

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = f();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Median of `runs` timings of `f` (the first, cold, run included). */
function median<T>(runs: number, f: () => T): { value: T; ms: number } {
  const results = Array.from({ length: runs }, () => timed(f));
  const sorted = [...results].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function runQueryBench(dataDir: string): QueryResult {
  const core = openBenchCore(dataDir, Number.MAX_SAFE_INTEGER);
  try {
    const stored = core.counts().stored;
    const pages = QUERY_FILTERS.map(([name, filter]): QueryTiming => {
      const { value, ms } = median(3, () => core.query(filter, { limit: 100 }));
      return { name, ms, items: value.items.length, total: value.total, totalCapped: value.totalCapped === true };
    });
    const flows = median(3, () => core.flows({}));
    const versions = median(3, () => core.versions({}));
    return { stored, pages, flowsMs: flows.ms, versionsMs: versions.ms, flows: flows.value.length };
  } finally {
    core.close();
  }
}
