/**
 * The write-back on a store that cannot write (disk full): it says why at once, tries one
 * bounded batch a second rather than everything on every flush, keeps what it holds (gaps too)
 * in order, and writes it all by itself once the store takes writes again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecordWriteback, WRITE_RETRY_MS, type WriteErrorState } from './record-writeback.js';
import type { CaptureStore } from './capture-store.js';
import type { PreparedBatch } from './write-batch.js';
import type { StoreWriter, WriteOutcome } from './writer.js';
import { fixtureStoreWrites } from '../../test/support/capture-fixtures.js';

const T0 = 1_795_973_550_000;
const FULL = { message: 'no space left on device', path: '/data/capture.sqlite', cause: 'SQLITE_FULL: database or disk is full' };

/**
 * A writer on a disk the test fills and empties: every batch it is handed, and its outcome at
 * once, or (`onTheirWay`) when the test says how it went.
 */
class DiskWriter implements StoreWriter {
  readonly mode = 'inline' as const;
  readonly stalled = false;
  full = true;
  onTheirWay = false;
  /** Ids of each batch handed over, and the gaps with it. */
  readonly batches: { ids: number[]; gaps: number; ok: boolean }[] = [];
  private seq = 0;
  private readonly outcomes: WriteOutcome[] = [];
  private readonly waiting = new Map<number, number>();

  submit(batch: PreparedBatch): number {
    const seq = ++this.seq;
    this.batches.push({ ids: batch.writes.map((w) => w.id), gaps: batch.gaps.length, ok: !this.full });
    const inserted = batch.writes.filter((w) => w.insert).length;
    if (this.onTheirWay) this.waiting.set(seq, inserted);
    else this.finish(seq, inserted, !this.full);
    return seq;
  }
  /** Batch `seq`, on its way, is written (or not). */
  finish(seq: number, inserted = this.waiting.get(seq) ?? 0, ok = true): void {
    this.waiting.delete(seq);
    this.outcomes.push(ok ? { seq, ok: true, result: { inserted, bytes: 0, evicted: { count: 0, bytes: 0 } } } : { seq, ok: false, failure: FULL });
  }
  poll(): WriteOutcome[] {
    return this.outcomes.splice(0);
  }
  waitUntilPending = () => true;
  close(): void {}
}

function writebackOn(writer: DiskWriter) {
  const told: string[] = [];
  const writeback = new RecordWriteback({
    store: {} as CaptureStore,
    writer,
    stored: 0,
    storedBytes: 0,
    meta: () => ({}),
    onEvicted: () => undefined,
    onWriteError: {
      failed: (e: WriteErrorState) => void told.push(`failed: ${e.message}`),
      resumed: () => void told.push('resumed'),
    },
  });
  return { writeback, told };
}

/** `n` new records (the fixture's, numbered 1..n), put as a capture would. */
function putRecords(writeback: RecordWriteback, n: number): void {
  const fixture = fixtureStoreWrites(T0);
  for (let id = 1; id <= n; id++) {
    const w = fixture[id % fixture.length]!;
    writeback.put({ ...w.record, id }, w.raw, true);
  }
}

describe('the write-back on a store that cannot write', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('says why at the first failure, tries one batch of at most 1,000 a second, and writes everything once it can', () => {
    const writer = new DiskWriter();
    const { writeback, told } = writebackOn(writer);
    putRecords(writeback, 2500); // hands over a batch at 1,000: the first one fails
    writeback.flush();
    expect(writeback.writeError).toEqual({ ...FULL, since: T0 });
    expect(told).toEqual(['failed: no space left on device']);
    for (let i = 0; i < 20; i++) writeback.flush(); // the flush timer, and every put past 1,000 queued
    expect(writer.batches).toHaveLength(1);

    vi.setSystemTime(T0 + WRITE_RETRY_MS);
    writeback.flush();
    expect(writer.batches).toHaveLength(2);
    // The oldest first again, never more than one batch's worth.
    expect(writer.batches.map((b) => [b.ids.length, b.ids[0]])).toEqual([
      [1000, 1],
      [1000, 1],
    ]);
    expect(writeback.writeError?.since).toBe(T0);
    expect(writeback.pendingInserts).toBe(2500);

    writer.full = false;
    vi.setSystemTime(T0 + 2 * WRITE_RETRY_MS);
    writeback.flush();
    expect(writeback.writeError).toBeNull();
    expect(told).toEqual(['failed: no space left on device', 'resumed']);
    writeback.drain();
    expect(writeback.pendingInserts).toBe(0);
    const written = writer.batches.filter((b) => b.ok).flatMap((b) => b.ids);
    expect(written).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('is not ended, nor said again, by batches that were on their way when the first failure came', () => {
    const writer = new DiskWriter();
    writer.onTheirWay = true;
    const { writeback, told } = writebackOn(writer);
    putRecords(writeback, 3000); // three batches on their way
    writer.finish(1, undefined, false);
    writeback.refresh();
    writer.finish(2); // a small one fitted
    writeback.refresh();
    writer.finish(3, undefined, false);
    writeback.refresh();
    expect(told).toEqual(['failed: no space left on device']);
    expect(writeback.writeError?.since).toBe(T0);
    expect(writeback.pendingInserts).toBe(2000);

    // The first batch tried after it was known ends it.
    writer.onTheirWay = false;
    writer.full = false;
    vi.setSystemTime(T0 + WRITE_RETRY_MS);
    writeback.flush();
    expect(writeback.writeError).toBeNull();
    expect(told).toEqual(['failed: no space left on device', 'resumed']);
    writeback.drain();
    expect(writeback.pendingInserts).toBe(0);
  });

  it('keeps gaps marked meanwhile and writes them with the first batch that goes through', () => {
    const writer = new DiskWriter();
    const { writeback } = writebackOn(writer);
    putRecords(writeback, 10);
    writeback.flush();
    writeback.addGap({ source: 's', from: T0, to: T0 + 1, reason: 'broker connection lost' });
    writer.full = false;
    expect(writeback.drain()).toBe(true); // not retried before its time: reads see what is written
    expect(writer.batches.filter((b) => b.ok)).toEqual([]);
    expect(writeback.drain(true)).toBe(true); // explicit (flush, close): tried now
    expect(writer.batches.filter((b) => b.ok)).toEqual([{ ids: Array.from({ length: 10 }, (_, i) => i + 1), gaps: 1, ok: true }]);
  });

  it('tells on close how many new records it could not write', () => {
    const writer = new DiskWriter();
    const { writeback } = writebackOn(writer);
    putRecords(writeback, 1200);
    expect(writeback.close()).toBe(1200);
    // Tried once more on close, a batch, not everything.
    expect(writer.batches.map((b) => b.ids.length)).toEqual([1000, 1000]);
  });
});
