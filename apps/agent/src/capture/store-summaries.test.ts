import { describe, expect, it } from 'vitest';
import { createCaptureCore } from './capture-core.js';
import { flowsByScan, flowsOf, versionsOf } from './aggregates.js';
import { filterToSql } from './filter-sql.js';
import { CaptureStore } from './store.js';
import { fixtureRaws, seededDirectory, tempDataDir } from './test-fixtures.js';

const T0 = 1_795_973_550_000;

/** A store filled with the captured fixture traffic (calls answered, one timed out), then closed. */
function filledStore(maxMessages: number): string {
  const dataDir = tempDataDir();
  const core = createCaptureCore({
    dataDir,
    retention: { maxMessages, maxBytes: 1e9 },
    showSecrets: false,
    directory: seededDirectory(),
    now: () => T0 + 10_000,
    timers: false,
  });
  for (const raw of fixtureRaws(T0)) core.ingest(raw);
  core.flush();
  core.close();
  return dataDir;
}

function expectSummariesMatchScan(store: CaptureStore): void {
  const flows = flowsOf(store, {});
  expect(flows).toEqual(flowsByScan(store, {}));
  expect(versionsOf(store, {})).toEqual(versionsOf(store, {}, true));
}

describe('write-time summaries', () => {
  it('give the same flow and version views as a scan, after calls were answered and timed out', () => {
    const store = new CaptureStore(filledStore(1000));
    try {
      const flows = flowsOf(store, {});
      expect(flows.length).toBeGreaterThan(2);
      expect(flows.some((f) => f.latencyMs.p50 !== null)).toBe(true);
      expect(flows.reduce((n, f) => n + f.calls, 0)).toBeGreaterThan(3);
      expect(flows.some((f) => f.timeouts > 0 || f.errors > 0)).toBe(true);
      expect(versionsOf(store, {}).length).toBeGreaterThan(0);
      expectSummariesMatchScan(store);
    } finally {
      store.close();
    }
  });

  it('forget evicted messages', () => {
    const full = new CaptureStore(filledStore(1000));
    const callsBefore = flowsOf(full, {}).reduce((n, f) => n + f.calls + f.casts + f.fanouts, 0);
    full.close();
    const store = new CaptureStore(filledStore(12));
    try {
      expect(store.totals().stored).toBeLessThan(26);
      const callsAfter = flowsOf(store, {}).reduce((n, f) => n + f.calls + f.casts + f.fanouts, 0);
      expect(callsAfter).toBeLessThan(callsBefore);
      expectSummariesMatchScan(store);
    } finally {
      store.close();
    }
  });

  it('are rebuilt when a store written before them is opened', () => {
    const dir = filledStore(1000);
    const first = new CaptureStore(dir);
    const expected = flowsOf(first, {});
    first.select('DELETE FROM flow_groups RETURNING 1', []);
    first.select('DELETE FROM version_groups RETURNING 1', []);
    first.setMeta({ summaryVersion: 0 });
    expect(flowsOf(first, {})).toEqual([]);
    first.close();
    const reopened = new CaptureStore(dir);
    try {
      expect(flowsOf(reopened, {})).toEqual(expected);
      expectSummariesMatchScan(reopened);
      expect(reopened.count(filterToSql({ text: 'echo' }))).toBeGreaterThan(0); // the text index too
    } finally {
      reopened.close();
    }
  });
});

describe('countUpTo', () => {
  it('counts exactly up to the cap and says when more match', () => {
    const store = new CaptureStore(filledStore(1000));
    try {
      const calls = filterToSql({ kind: 'call' });
      const exact = store.count(calls);
      expect(exact).toBeGreaterThan(3);
      expect(store.countUpTo(calls, 1000)).toEqual({ count: exact, capped: false });
      expect(store.countUpTo(calls, exact)).toEqual({ count: exact, capped: false });
      expect(store.countUpTo(calls, 3)).toEqual({ count: 3, capped: true });
      // A text search has its own, lower cap.
      const text = { ...filterToSql({ text: 'node' }), countCap: 2 };
      expect(store.count(text)).toBeGreaterThan(2);
      expect(store.countUpTo(text, 1000)).toEqual({ count: 2, capped: true });
    } finally {
      store.close();
    }
  });
});
