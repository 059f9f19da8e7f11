/**
 * Records on their way to the store: queued changes (one write per record however often it
 * changed), batches handed to the store writer and not yet written, and the recently changed
 * records kept as objects. `get` finds a record wherever it is, so the capture core never
 * reads a stale row while a newer version is still on its way.
 */
import type { CaptureGap, EnvelopeRecord } from '@osloscope/shared';
import { BoundedMap } from '../bounded-map.js';
import { bodySearchTextOf } from './search-text.js';
import type { StoredRaw } from './raw-segments.js';
import { prepareBatch, type StoreWrite } from './write-batch.js';
import type { StoreWriter, WriteOutcome } from './writer.js';
import type { CaptureStore } from './capture-store.js';

/** Hand the queue to the writer at this many records even before the timer fires. */
const FLUSH_AT = 1000;
/**
 * Batches handed to the writer and not yet written. At this many the capture thread waits for
 * the writer: the backlog then stays in the broker's queue rather than in this process.
 */
const MAX_IN_FLIGHT = 4;
/**
 * Recently changed records kept as objects (deliveries and replies follow their publish within
 * moments; older ones are read back from the store). More cost tens of MB of RSS for no
 * measurable speed.
 */
const HOT_RECORDS = 5_000;

export interface WritebackOptions {
  store: CaptureStore;
  writer: StoreWriter;
  /** Row count and body bytes stored when the capture opened. */
  stored: number;
  storedBytes: number;
  /** Counters written with each batch (`meta`). */
  meta: () => Record<string, number>;
  /** Rows the writer evicted to keep retention. */
  onEvicted: (count: number) => void;
}

export class RecordWriteback {
  private queue = new Map<number, StoreWrite>();
  /** Batches handed to the writer, by sequence number, until their outcome arrives. */
  private readonly inFlight = new Map<number, Map<number, StoreWrite>>();
  private readonly hot = new BoundedMap<number, EnvelopeRecord>(HOT_RECORDS);
  private unwrittenInserts = 0;
  /** Raw body bytes of those new records (what a stalled writer leaves in memory). */
  private unwrittenBytes = 0;
  private storedRows: number;
  private storedBodyBytes: number;

  constructor(private readonly opts: WritebackOptions) {
    this.storedRows = opts.stored;
    this.storedBodyBytes = opts.storedBytes;
  }

  /** Rows written (what SQL reads see once `drain` returned). */
  get stored(): number {
    return this.storedRows;
  }

  get storedBytes(): number {
    return this.storedBodyBytes;
  }

  /** New records not yet written: queued, in flight, or waiting for a retry. */
  get pendingInserts(): number {
    return this.unwrittenInserts;
  }

  /** Their raw body bytes. */
  get pendingBytes(): number {
    return this.unwrittenBytes;
  }

  /**
   * The latest version of a record, without its body fields once it was streamed or when it is
   * read back from the store (lean-record.ts `forgetBody`): a change never needs them.
   */
  get(id: number): EnvelopeRecord | null {
    const recent = this.queue.get(id)?.record ?? this.hot.get(id);
    if (recent) return recent;
    for (const writes of this.inFlight.values()) {
      const w = writes.get(id);
      if (w) return w.record;
    }
    return this.opts.store.getLeanRecord(id);
  }

  /** Queue a record for writing: an insert with its raw event, or a change of a stored one. */
  put(record: EnvelopeRecord, raw: StoredRaw | null, insert: boolean): void {
    const queued = this.queue.get(record.id);
    // An insert's body text is taken now: the record drops its body once streamed.
    const bodyText = queued?.bodyText ?? (insert ? bodySearchTextOf(record) : null);
    const write: StoreWrite = { record, raw: raw ?? queued?.raw ?? null, insert: insert || (queued?.insert ?? false), bodyText };
    if (queued?.countedBytes !== undefined) write.countedBytes = queued.countedBytes;
    else if (!queued && write.insert) {
      this.unwrittenInserts++;
      write.countedBytes = write.raw?.body.byteLength ?? 0;
      this.unwrittenBytes += write.countedBytes;
    }
    this.queue.set(record.id, write);
    this.hot.set(record.id, record);
    if (this.queue.size >= FLUSH_AT) this.flush();
  }

  /**
   * Hand the queue to the writer (not waiting for it) and take in finished outcomes. With
   * MAX_IN_FLIGHT batches unwritten it waits for the writer; a stalled writer (store-writer.ts)
   * is not waited for, and the queue keeps what comes until it moves.
   */
  flush(): void {
    const { writer } = this.opts;
    this.settle(writer.poll());
    if (this.queue.size > 0 && this.inFlight.size < MAX_IN_FLIGHT) {
      this.inFlight.set(writer.submit(prepareBatch(this.queue.values(), this.opts.meta())), this.queue);
      this.queue = new Map();
      this.settle(writer.poll());
    }
    if (this.inFlight.size >= MAX_IN_FLIGHT && writer.waitUntilPending(MAX_IN_FLIGHT - 1)) this.settle(writer.poll());
  }

  /** Take in the outcomes of batches the writer finished, without handing anything over or waiting. */
  refresh(): void {
    this.settle(this.opts.writer.poll());
  }

  /**
   * Returns true when everything queued is written (or failed and queued again): SQL reads see
   * it. False: the writer is stalled, and reads see what it wrote so far.
   */
  drain(): boolean {
    // A queue held back by a stalled writer goes once the first flush found it moving again.
    const heldBack = this.inFlight.size >= MAX_IN_FLIGHT;
    this.flush();
    if (heldBack && this.inFlight.size < MAX_IN_FLIGHT && this.queue.size > 0) this.flush();
    const done = this.opts.writer.waitUntilPending(0);
    this.settle(this.opts.writer.poll());
    return done;
  }

  /** The writer made no progress for its stall time (store-writer.ts) and has not moved since. */
  get writerStalled(): boolean {
    return this.opts.writer.stalled;
  }

  addGap(gap: CaptureGap): void {
    this.opts.writer.addGap(gap);
  }

  /**
   * Write the meta now: with the queued records, or on its own while none come (the agent's
   * heartbeat). Not while the writer is behind: its next batch carries the meta anyway.
   */
  writeMeta(): void {
    if (this.queue.size > 0) return this.flush();
    if (this.inFlight.size >= MAX_IN_FLIGHT) return;
    this.inFlight.set(this.opts.writer.submit(prepareBatch([], this.opts.meta())), new Map());
    this.settle(this.opts.writer.poll());
  }

  /** Write what is queued and the meta as of now, then stop the writer. */
  close(): void {
    try {
      this.writeMeta();
      if (!this.drain()) {
        process.emitWarning(
          `closing the capture store with its writer stalled: ${this.unwrittenInserts} captured messages are not written`,
          'OsloscopeStoreWriter',
        );
      }
    } finally {
      this.opts.writer.close();
    }
  }

  private settle(outcomes: WriteOutcome[]): void {
    for (const outcome of outcomes) {
      const writes = this.inFlight.get(outcome.seq);
      this.inFlight.delete(outcome.seq);
      if (!writes) continue;
      if (outcome.ok) {
        const { inserted, bytes, evicted } = outcome.result;
        for (const w of writes.values()) {
          if (w.insert) this.unwrittenInserts--;
          this.unwrittenBytes -= w.countedBytes ?? 0;
        }
        this.storedRows += inserted - evicted.count;
        this.storedBodyBytes += bytes - evicted.bytes;
        if (evicted.count > 0) this.opts.onEvicted(evicted.count);
        continue;
      }
      // Not written (disk full, I/O error): queued again for the next flush (the core drops new
      // messages beyond its limit meanwhile). A newer queued change of the same record is kept.
      for (const [id, w] of writes) {
        const newer = this.queue.get(id);
        const merged: StoreWrite = {
          record: newer?.record ?? w.record,
          raw: newer?.raw ?? w.raw,
          insert: (newer?.insert ?? false) || w.insert,
          bodyText: newer?.bodyText ?? w.bodyText,
        };
        const counted = w.countedBytes ?? newer?.countedBytes;
        if (counted !== undefined) merged.countedBytes = counted;
        this.queue.set(id, newer ? merged : w);
      }
    }
  }
}
