/**
 * The store on a disk that refuses writes (SQLite's page limit stands in for a full disk: the
 * same SQLITE_FULL): a refused batch leaves nothing behind and can be written again later, in
 * any order, with its gaps; eviction that fails does not fail a batch already written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { prepareBatch } from './write-batch.js';
import { CaptureStore } from './capture-store.js';
import { fixtureStoreWrites, tempDataDir } from '../../test/support/capture-fixtures.js';
import { TEXT_ENTRY } from './summaries.js';

const T0 = 1_795_973_550_000;
const RETENTION = { maxMessages: 1000, maxBytes: 1e9 };

/** The database may not grow past its size now (SQLITE_FULL, as on a full disk; a fresh store's pages hold a few fixture records, not all), or may again. */
function diskFull(store: CaptureStore, full: boolean): void {
  const pages = store.select<{ page_count: number }>('PRAGMA page_count', [])[0]!.page_count;
  store.select(`PRAGMA max_page_count = ${full ? pages : 1_000_000}`, []);
}

/** Ids with a text index entry (rowid TEXT_ENTRY × id). */
function textIndexed(store: CaptureStore): number[] {
  return store
    .select<{ id: number }>(`SELECT rowid / ${TEXT_ENTRY} AS id FROM messages_fts WHERE rowid % ${TEXT_ENTRY} = 0 ORDER BY rowid`, [])
    .map((r) => r.id);
}

describe('a store whose disk is full', () => {
  it('refuses a batch whole (rows, raw events and gaps), naming the file, and takes its writes later, the newer ones first', () => {
    const dataDir = tempDataDir();
    const all = fixtureStoreWrites(T0);
    const store = new CaptureStore(dataDir);
    const gap = { source: 'rabbit-test', from: T0, to: T0 + 5, reason: 'broker connection lost' };

    diskFull(store, true);
    expect(() => store.applyBatch(prepareBatch(all, {}, [gap]), RETENTION)).toThrow(
      expect.objectContaining({ code: 'SQLITE_FULL', path: path.join(dataDir, 'capture.sqlite') }),
    );
    expect(store.totals().stored).toBe(0);
    expect(store.gaps()).toEqual([]);
    // Its raw events were taken back: the space is free again and no retry appends them twice.
    expect(fs.statSync(path.join(dataDir, 'raw', '00000001.seg')).size).toBe(0);

    diskFull(store, false);
    // The newer half gets through first (batches in flight), then the older one.
    store.applyBatch(prepareBatch(all.slice(13), {}), RETENTION);
    store.applyBatch(prepareBatch(all.slice(0, 13), {}, [gap]), RETENTION);
    expect(store.totals().stored).toBe(all.length);
    expect(store.gaps()).toEqual([gap]);
    for (const w of all) expect(store.getRow(w.record.id)?.raw?.body, `message ${w.record.id}`).toEqual(w.raw!.body);
    // Every row is in the text index, those written after higher ids too.
    expect(textIndexed(store)).toEqual(all.map((w) => w.record.id));
    store.close();
  });

  it('counts a batch as written when only the eviction after it fails, and evicts with the next one', () => {
    const all = fixtureStoreWrites(T0);
    const store = new CaptureStore(tempDataDir());
    const retention = { maxMessages: 4, maxBytes: 1e9 };
    store.applyBatch(prepareBatch(all.slice(0, 4), {}), retention);
    const evict = vi.spyOn(store, 'evict').mockImplementationOnce(() => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    expect(store.applyBatch(prepareBatch(all.slice(4, 6), {}), retention)).toEqual({ inserted: 2, bytes: expect.any(Number), evicted: { count: 0, bytes: 0 } });
    expect(store.totals().stored).toBe(6);
    expect(store.applyBatch(prepareBatch(all.slice(6, 7), {}), retention).evicted.count).toBeGreaterThanOrEqual(3);
    expect(store.totals().stored).toBeLessThanOrEqual(4);
    evict.mockRestore();
    store.close();
  });
});
