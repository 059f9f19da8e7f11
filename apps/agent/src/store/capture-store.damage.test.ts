import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { StoreDamage } from '@osloscope/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixtureStoreWrites, tempDataDir } from '../../test/support/capture-fixtures.js';
import { CaptureStore } from './capture-store.js';
import { RawSegmentLog } from './raw-segments.js';
import { prepareBatch } from './write-batch.js';

const T0 = 1_795_973_550_000;
const KEEP_ALL = { maxMessages: 1000, maxBytes: 1e9 };

afterEach(() => vi.restoreAllMocks());

/** A capture of 9 messages in three raw segments (1–3, 4–6, 7–9), closed. */
function capturedInThreeSegments(): string {
  const dataDir = tempDataDir();
  const writes = fixtureStoreWrites(T0).slice(0, 9);
  expect(writes.map((w) => w.record.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Tiny segments: each batch starts a new one.
  const store = new CaptureStore(dataDir, { rawSegmentBytes: 1 });
  for (let i = 0; i < 9; i += 3) store.applyBatch(prepareBatch(writes.slice(i, i + 3), {}), KEEP_ALL);
  store.close();
  expect(fs.readdirSync(path.join(dataDir, 'raw'))).toEqual(['00000001.seg', '00000002.seg', '00000003.seg']);
  return dataDir;
}

const segment = (dataDir: string, n: number) => path.join(dataDir, 'raw', `${String(n).padStart(8, '0')}.seg`);

/** Cut segment `n` just inside its last frame: that one frame is lost. */
function cutLastFrame(dataDir: string, n: number): void {
  fs.truncateSync(segment(dataDir, n), fs.statSync(segment(dataDir, n)).size - 1);
}

function openAndCheck(dataDir: string): { store: CaptureStore; found: StoreDamage[] } {
  const store = new CaptureStore(dataDir);
  const found: StoreDamage[] = [];
  store.checkRawSegments((d) => found.push(d));
  return { store, found };
}

describe('the damage check at open', () => {
  it('finds segments cut short and missing, with the records each lost, without reading a row or a frame', () => {
    const dataDir = capturedInThreeSegments();
    cutLastFrame(dataDir, 2);
    fs.rmSync(segment(dataDir, 3));
    const reads = vi.spyOn(RawSegmentLog.prototype, 'read');
    const { store, found } = openAndCheck(dataDir);
    expect(reads).not.toHaveBeenCalled();
    expect(found).toEqual([
      {
        problem: expect.stringMatching(/^raw\/00000002\.seg is truncated \(.* bytes left\): 1 record's raw event is missing$/),
        records: 1,
        path: segment(dataDir, 2),
      },
      { problem: "raw/00000003.seg is missing: 3 records' raw events are lost", records: 3, path: segment(dataDir, 3) },
    ]);
    expect(store.damage()).toEqual(found);
    // The rows say the same when read, and add nothing new.
    expect([...store.iterateRows({ sql: '1', params: [] })].filter((r) => r.raw === null).map((r) => r.record.id)).toEqual([6, 7, 8, 9]);
    expect(store.damage()).toEqual(found);
    store.close();
  });

  it('finds nothing in an intact capture', () => {
    const { store, found } = openAndCheck(capturedInThreeSegments());
    expect(found).toEqual([]);
    expect(store.damage()).toEqual([]);
    store.close();
  });

  it('is no damage when a segment is gone whose messages were all evicted (a crash between deleting rows and files)', () => {
    const dataDir = capturedInThreeSegments();
    const db = new Database(path.join(dataDir, 'capture.sqlite'));
    db.exec('DELETE FROM messages WHERE id <= 3');
    db.close();
    fs.rmSync(segment(dataDir, 1));
    const { store, found } = openAndCheck(dataDir);
    expect(found).toEqual([]);
    store.close();
  });

  it('fills in the segment extents of a capture written before it kept them, once, and checks it the same way', () => {
    const dataDir = capturedInThreeSegments();
    const file = path.join(dataDir, 'capture.sqlite');
    const extents = (db: Database.Database) => db.prepare('SELECT segment, min_id, max_id, end_offset FROM raw_segments ORDER BY segment').all();
    let db = new Database(file);
    const kept = extents(db);
    expect(kept).toEqual([
      { segment: 1, min_id: 1, max_id: 3, end_offset: fs.statSync(segment(dataDir, 1)).size },
      { segment: 2, min_id: 4, max_id: 6, end_offset: fs.statSync(segment(dataDir, 2)).size },
      { segment: 3, min_id: 7, max_id: 9, end_offset: fs.statSync(segment(dataDir, 3)).size },
    ]);
    db.exec('ALTER TABLE raw_segments DROP COLUMN min_id; ALTER TABLE raw_segments DROP COLUMN end_offset');
    db.close();
    cutLastFrame(dataDir, 1);
    const { store, found } = openAndCheck(dataDir);
    expect(found.map((d) => [d.path, d.records])).toEqual([[segment(dataDir, 1), 1]]);
    store.close();
    db = new Database(file);
    expect(extents(db)).toEqual(kept);
    db.close();
  });
});
