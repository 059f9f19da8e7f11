import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { matchesFilter, type EnvelopeFilter } from '@osloscope/shared';
import { flowsByScan, flowsOf, versionsOf } from './aggregates.js';
import { filterToSql } from './filter-sql.js';
import { CaptureStore, TOTAL_COUNT_CAP } from './capture-store.js';
import { TEXT_ENTRY } from './summaries.js';
import { fixtureRaws, tempDataDir, openTestCore } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;

/** A capture core over `dataDir` as the tests use it: fixture directory, no timers. */
function openCore(dataDir: string, maxMessages = 1000, nowMs = T0 + 10_000) {
  return openTestCore({ dataDir, maxMessages, now: () => nowMs });
}

/** Runs `check` on the store in `dataDir`, then closes it. */
function withStore(dataDir: string, check: (store: CaptureStore) => void): void {
  const store = new CaptureStore(dataDir);
  try {
    check(store);
  } finally {
    store.close();
  }
}

/**
 * A store filled with the captured fixture traffic (calls answered, one timed out), then closed.
 * @param batchPerEvent write each event in a batch of its own, so rows are changed after they
 *   were written and text-indexed (their deliveries, replies), as live capture does
 */
function filledStore(maxMessages: number, batchPerEvent = false): string {
  const dataDir = tempDataDir();
  const core = openCore(dataDir, maxMessages);
  for (const raw of fixtureRaws(T0)) {
    core.ingest(raw);
    if (batchPerEvent) core.flush();
  }
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
    withStore(filledStore(1000), (store) => {
      const flows = flowsOf(store, {});
      expect(flows.length).toBeGreaterThan(2);
      expect(flows.some((f) => f.latencyMs.p50 !== null)).toBe(true);
      expect(flows.reduce((n, f) => n + f.calls, 0)).toBeGreaterThan(3);
      expect(flows.some((f) => f.timeouts > 0 || f.errors > 0)).toBe(true);
      expect(versionsOf(store, {}).length).toBeGreaterThan(0);
      expectSummariesMatchScan(store);
    });
  });

  it('forget evicted messages', () => {
    const full = new CaptureStore(filledStore(1000));
    const callsBefore = flowsOf(full, {}).reduce((n, f) => n + f.calls + f.casts + f.fanouts, 0);
    full.close();
    withStore(filledStore(12), (store) => {
      expect(store.totals().stored).toBeLessThan(26);
      const callsAfter = flowsOf(store, {}).reduce((n, f) => n + f.calls + f.casts + f.fanouts, 0);
      expect(callsAfter).toBeLessThan(callsBefore);
      expectSummariesMatchScan(store);
    });
  });

  it('are rebuilt when a store written before them is opened', () => {
    const dir = filledStore(1000);
    const first = new CaptureStore(dir);
    const expected = flowsOf(first, {});
    // Make it a store of a version before the summaries, through a connection of its own.
    const db = new Database(path.join(dir, 'capture.sqlite'));
    db.exec("DELETE FROM flow_groups; DELETE FROM version_groups; INSERT OR REPLACE INTO meta (key, value) VALUES ('summaryVersion', 0)");
    db.close();
    expect(flowsOf(first, {})).toEqual([]);
    first.close();
    const reopened = new CaptureStore(dir);
    try {
      expect(flowsOf(reopened, {})).toEqual(expected);
      expectSummariesMatchScan(reopened);
      expect(reopened.page(filterToSql({ text: 'echo' }), 1)).toHaveLength(1); // the text index too
    } finally {
      reopened.close();
    }
  });
});

describe('text index (filled per written batch)', () => {
  it('finds records by text they gained after their row was indexed, each once', () => {
    const dataDir = tempDataDir();
    const core = openCore(dataDir);
    try {
      // One batch per event: a call is indexed before its deliveries name servers and its reply fails it.
      for (const raw of fixtureRaws(T0)) {
        core.ingest(raw);
        core.flush();
      }
      const records = core.query({}, { limit: 1000 }).items;
      const filters: EnvelopeFilter[] = [
        { text: 'node-a' },
        { text: 'node-b' },
        { text: 'UnsupportedVersion' },
        { text: 'echo' },
        { text: 'ValueError' },
        { text: '"value":' }, // args: written once, kept through every change of the row
      ];
      const sizes = filters.map((filter) => {
        const matching = records.filter((r) => matchesFilter(r, filter));
        const expected = matching.map((r) => r.id);
        // The list, its total, small pages, the export and the flow view: each message once.
        const page = core.query(filter, { limit: 1000 });
        expect(page.items.map((r) => r.id)).toEqual(expected);
        expect(page.total).toBe(expected.length);
        expect(core.query(filter, { limit: 2 }).items.map((r) => r.id)).toEqual(expected.slice(0, 2));
        const exported: number[] = [];
        core.exportNdjson(filter, (line) => exported.push((JSON.parse(line) as { record?: { id: number } }).record?.id ?? -1));
        expect(exported.pop()).toBe(-1); // the trailer
        expect(exported).toEqual([...expected].reverse());
        const requests = core.flows(filter).reduce((n, f) => n + f.calls + f.casts + f.fanouts, 0);
        expect(requests).toBe(matching.filter((r) => r.kind === 'call' || r.kind === 'cast').length);
        return expected.length;
      });
      expect(sizes.every((n) => n > 0)).toBe(true);
      // The call failed by its reply: its failure class was not in its text when first indexed.
      expect(records.some((r) => r.kind === 'call' && matchesFilter(r, { text: 'UnsupportedVersion' }))).toBe(true);
    } finally {
      core.close();
    }
    // A message found through both its first text and what it gained (a call to `echo` whose
    // reply said the endpoint lacks `echo`) was listed once, above.
    withStore(dataDir, (store) => {
      const entries = store.select<{ rowid: number }>('SELECT rowid FROM messages_fts WHERE messages_fts MATCH \'"ech" AND "cho"\'', []);
      const messages = new Set(entries.map((e) => Math.floor(e.rowid / TEXT_ENTRY)));
      expect(entries.length).toBeGreaterThan(messages.size);
    });
  });
});

describe('a store from an older version (summaries kept by per-row triggers)', () => {
  it('gains the late and body text columns and a text index keyed for them on open, and finds old and new rows by text', () => {
    // An older store holding one call (fixture line 1: echo, args {"value": "a"}), not yet delivered or answered.
    const dir = tempDataDir();
    const first = openCore(dir);
    const raws = fixtureRaws(T0);
    first.ingest(raws[0]!);
    first.flush();
    first.close();
    const db = new Database(path.join(dir, 'capture.sqlite'));
    // What a version-4 store had: args in search_text, no late_text or body_text, one text
    // index entry per message keyed by its id.
    db.exec(`UPDATE messages SET search_text = search_text || char(1) || body_text WHERE body_text != '';
      ALTER TABLE messages DROP COLUMN late_text;
      ALTER TABLE messages DROP COLUMN body_text;
      INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');
      INSERT INTO messages_fts (rowid, text) SELECT id, search_text FROM messages;
      UPDATE meta SET value = 4 WHERE key = 'summaryVersion';`);
    db.close();
    const core = openCore(dir);
    try {
      // The rest of the traffic: the old call is delivered and answered (its row changes), and new rows come.
      for (const raw of raws.slice(1)) {
        core.ingest(raw);
        core.flush();
      }
      const records = core.query({}, { limit: 1000 }).items;
      const oldCall = records.find((r) => r.id === 1);
      expect(oldCall).toMatchObject({ args: { value: 'a' }, server: 'node-a', outcome: { status: 'ok' } });
      for (const text of ['echo', 'node-a', '"value":"a"', '"value":', 'ValueError']) {
        const expected = records.filter((r) => matchesFilter(r, { text })).map((r) => r.id);
        expect(expected.length).toBeGreaterThan(0);
        expect(core.query({ text }, { limit: 1000 }).items.map((r) => r.id)).toEqual(expected);
      }
      expect(core.query({ text: '"value":"a"' }, { limit: 1000 }).items.map((r) => r.id)).toContain(1);
    } finally {
      core.close();
    }
  });

  it('drops the old triggers and indexes on open, so new rows are counted and indexed once', () => {
    const dir = filledStore(1000);
    const db = new Database(path.join(dir, 'capture.sqlite'));
    // What a version-3 store had: a trigger counting each new row into the summaries (and the
    // text index), and indexes the exchange table made redundant.
    db.exec(`CREATE TRIGGER messages_summary_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (NEW.id, NEW.search_text);
        UPDATE flow_groups SET n = n + 1 WHERE flow_key = NEW.flow_key;
      END;
      CREATE INDEX messages_exchange ON messages(exchange, id);
      UPDATE meta SET value = 3 WHERE key = 'summaryVersion';`);
    db.close();
    const core = openCore(dir, 1000, T0 + 20_000);
    try {
      for (const raw of fixtureRaws(T0 + 15_000)) core.ingest(raw);
      core.flush();
      const records = core.query({}, { limit: 1000 }).items;
      const expected = records.filter((r) => matchesFilter(r, { text: 'echo' })).map((r) => r.id);
      expect(new Set(expected.map((id) => id > 26)).size).toBe(2); // old rows and new rows match
      expect(core.query({ text: 'echo' }, { limit: 1000 }).items.map((r) => r.id)).toEqual(expected);
    } finally {
      core.close();
    }
    withStore(dir, (store) => {
      expectSummariesMatchScan(store);
      expect(store.select("SELECT name FROM sqlite_schema WHERE type = 'trigger' OR name = 'messages_exchange'", [])).toEqual([]);
    });
  });
});

describe('eviction', () => {
  it('takes the text they gained after indexing out of the text index with them', () => {
    withStore(filledStore(12, true), (store) => {
      const stored = store.page(filterToSql({}), 1000);
      const minId = Math.min(...stored.map((r) => r.id));
      expect(minId).toBeGreaterThan(1);
      const byServer = filterToSql({ text: 'node-a' });
      const expected = stored.filter((r) => matchesFilter(r, { text: 'node-a' })).map((r) => r.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(store.page(byServer, 1000).map((r) => r.id)).toEqual(expected);
      const entries = (below: number) =>
        store.select<{ n: number }>('SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH \'"nod"\' AND rowid < ?', [below])[0]!.n;
      expect(entries(TEXT_ENTRY * minId)).toBe(0);
      expect(entries(Number.MAX_SAFE_INTEGER)).toBeGreaterThan(0);
    });
  });

  it('takes evicted messages out of the exchange and text indexes too', () => {
    withStore(filledStore(12), (store) => {
      const stored = store.page(filterToSql({}), 1000);
      const sizes: number[] = [];
      for (const filter of [{ exchange: 'openstack' }, { exchange: 'nova' }, { text: 'echo' }, { text: 'node-a' }] satisfies EnvelopeFilter[]) {
        const expected = stored.filter((r) => matchesFilter(r, filter)).map((r) => r.id);
        expect(store.page(filterToSql(filter), 1000).map((r) => r.id)).toEqual(expected);
        expect(store.countUpTo(filterToSql(filter), TOTAL_COUNT_CAP)).toEqual({ count: expected.length, capped: false });
        sizes.push(expected.length);
      }
      expect(sizes.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      const minId = Math.min(...stored.map((r) => r.id));
      expect(minId).toBeGreaterThan(1);
      // Segments are rewritten at 50 % deleted, not FTS5's 10 % (the write rate with retention full).
      expect(store.select("SELECT v FROM messages_fts_config WHERE k = 'deletemerge'", [])).toEqual([{ v: 50 }]);
      expect(store.select('SELECT COUNT(*) AS n FROM message_exchanges WHERE message_id < ?', [minId])).toEqual([{ n: 0 }]);
      expect(store.select('SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH \'"rep"\' AND rowid < ?', [TEXT_ENTRY * minId])).toEqual([{ n: 0 }]);
      expect(store.select('SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH \'"rep"\'', [])[0]).not.toEqual({ n: 0 });
    });
  });
});

describe('countUpTo', () => {
  it('counts exactly up to the cap and says when more match', () => {
    withStore(filledStore(1000), (store) => {
      const calls = filterToSql({ kind: 'call' });
      const exact = store.page(filterToSql({}), 1000).filter((r) => r.kind === 'call').length;
      expect(exact).toBeGreaterThan(3);
      expect(store.countUpTo(calls, 1000)).toEqual({ count: exact, capped: false });
      expect(store.countUpTo(calls, exact)).toEqual({ count: exact, capped: false });
      expect(store.countUpTo(calls, 3)).toEqual({ count: 3, capped: true });
      // A text search has its own, lower cap.
      const text = { ...filterToSql({ text: 'node' }), countCap: 2 };
      expect(store.page(text, 1000).length).toBeGreaterThan(2);
      expect(store.countUpTo(text, 1000)).toEqual({ count: 2, capped: true });
    });
  });
});
