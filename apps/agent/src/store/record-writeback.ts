/**
 * Records on their way to the store: queued changes (one write per record however often it
 * changed), batches handed to the store writer and not yet written, and the recently changed
 * records kept as objects. `get` finds a record wherever it is, so the capture core never
 * reads a stale row while a newer version is still on its way. A batch the store could not
 * write (disk full) is queued again and retried; `writeError` says why meanwhile.
 */
import type { CaptureGap, EnvelopeRecord } from '@osloscope/shared';
import { BoundedMap } from '../bounded-map.js';
import { bodySearchTextOf } from './search-text.js';
import type { StoredRaw } from './raw-segments.js';
import { prepareBatch, type StoreWrite } from './write-batch.js';
import type { StoreWriter, WriteOutcome } from './writer.js';
import type { StoreWriteFailure } from './write-failure.js';
import type { CaptureStore } from './capture-store.js';

/** Hand the queue to the writer at this many records even before the timer fires; no batch holds more. */
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
/**
 * While the store cannot write, one batch is tried this often (not on every flush): a try costs
 * a batch's serialization here and a failing transaction on the writer, so a full disk costs
 * next to nothing while it lasts, and writing resumes within a second of space coming back.
 */
export const WRITE_RETRY_MS = 1_000;

/** The store cannot write: why, and since when (epoch ms of the first failed write). */
export interface WriteErrorState extends StoreWriteFailure {
  since: number;
}

/** A batch handed to the writer: its writes by record id, and the gaps that go with it. */
interface Batch {
  writes: Map<number, StoreWrite>;
  gaps: CaptureGap[];
}

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
  /** The store failed to write after writing fine, and wrote again after failing (each once per episode). */
  onWriteError?: { failed(error: WriteErrorState): void; resumed(error: WriteErrorState): void };
}

export class RecordWriteback {
  private queue = new Map<number, StoreWrite>();
  /** Gaps to write with the next batch. */
  private gaps: CaptureGap[] = [];
  /** Batches handed to the writer, by sequence number, until their outcome arrives. */
  private readonly inFlight = new Map<number, Batch>();
  private readonly hot = new BoundedMap<number, EnvelopeRecord>(HOT_RECORDS);
  private unwrittenInserts = 0;
  /** Raw body bytes of those new records (what a stalled writer leaves in memory). */
  private unwrittenBytes = 0;
  private storedRows: number;
  private storedBodyBytes: number;
  /** Why the store cannot write: set by a batch refused, cleared by one written (see failedAfterSeq). */
  private failing: WriteErrorState | null = null;
  /** While failing: no batch is handed over before this time (Date.now). */
  private retryAt = 0;
  /**
   * While failing: the last batch handed over before the failure was known. Those batches were
   * on their way already: one of them written does not end the failure (nor, failing, start
   * another), or a full disk that took a small batch between two large ones would say so twice.
   */
  private failedAfterSeq = 0;
  private lastSeq = 0;

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

  /** The store cannot write: why and since when; null while it writes. */
  get writeError(): WriteErrorState | null {
    return this.failing;
  }

  /**
   * The latest version of a record, without its body fields once it was streamed or when it is
   * read back from the store (lean-record.ts `forgetBody`): a change never needs them.
   */
  get(id: number): EnvelopeRecord | null {
    const recent = this.queue.get(id)?.record ?? this.hot.get(id);
    if (recent) return recent;
    for (const batch of this.inFlight.values()) {
      const w = batch.writes.get(id);
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

  /** Queue a gap: it is written with the next batch (and retried with it). */
  addGap(gap: CaptureGap): void {
    this.gaps.push(gap);
  }

  /**
   * Hand the queue to the writer (not waiting for it) in batches of at most FLUSH_AT, and take
   * in finished outcomes. With MAX_IN_FLIGHT batches unwritten it waits for the writer; a stalled
   * writer (writer.ts) is not waited for, and the queue keeps what comes until it moves. While
   * the store cannot write, only one batch is tried every WRITE_RETRY_MS.
   */
  flush(): void {
    const { writer } = this.opts;
    this.settle(writer.poll());
    while (this.hasQueued() && this.inFlight.size < MAX_IN_FLIGHT && this.mayWrite()) {
      this.submit();
      this.settle(writer.poll());
    }
    if (this.inFlight.size >= MAX_IN_FLIGHT && writer.waitUntilPending(MAX_IN_FLIGHT - 1)) this.settle(writer.poll());
  }

  /** Take in the outcomes of batches the writer finished, without handing anything over or waiting. */
  refresh(): void {
    this.settle(this.opts.writer.poll());
  }

  /**
   * Write everything queued. Returns true when it is written, or failed and is queued again
   * (SQL reads see what was written); false: the writer is stalled, and reads see what it wrote
   * so far. While the store cannot write, no batch is tried before its retry time unless
   * `retryNow`; one that succeeds lets the rest follow.
   */
  drain(retryNow = false): boolean {
    if (retryNow) this.retryAt = 0;
    for (;;) {
      this.flush();
      const done = this.opts.writer.waitUntilPending(0);
      this.settle(this.opts.writer.poll());
      if (!done) return false;
      if (!this.hasQueued() || !this.mayWrite()) return true;
    }
  }

  /** The writer made no progress for its stall time (writer.ts) and has not moved since. */
  get writerStalled(): boolean {
    return this.opts.writer.stalled;
  }

  /**
   * Write the meta now: with the queued records, or on its own while none come (the agent's
   * heartbeat). Not while the writer is behind or the store is failing: its next batch carries
   * the meta anyway.
   */
  writeMeta(): void {
    if (this.hasQueued()) return this.flush();
    if (this.inFlight.size >= MAX_IN_FLIGHT || !this.mayWrite()) return;
    this.lastSeq = this.opts.writer.submit(prepareBatch([], this.opts.meta()));
    this.inFlight.set(this.lastSeq, { writes: new Map(), gaps: [] });
    this.settle(this.opts.writer.poll());
  }

  /**
   * Write what is queued and the meta as of now (trying once more if the store is failing),
   * then stop the writer.
   * @returns the new records it could not write
   */
  close(): number {
    try {
      this.writeMeta();
      this.drain(true);
      return this.unwrittenInserts;
    } finally {
      this.opts.writer.close();
    }
  }

  private hasQueued(): boolean {
    return this.queue.size > 0 || this.gaps.length > 0;
  }

  private mayWrite(): boolean {
    return this.failing === null || (this.inFlight.size === 0 && Date.now() >= this.retryAt);
  }

  /** Hand the oldest FLUSH_AT queued writes and the queued gaps to the writer. */
  private submit(): void {
    let writes = this.queue;
    if (writes.size <= FLUSH_AT) this.queue = new Map();
    else {
      writes = new Map();
      for (const [id, w] of this.queue) {
        if (writes.size >= FLUSH_AT) break;
        writes.set(id, w);
        this.queue.delete(id);
      }
    }
    const batch: Batch = { writes, gaps: this.gaps };
    this.gaps = [];
    this.lastSeq = this.opts.writer.submit(prepareBatch(writes.values(), this.opts.meta(), batch.gaps));
    this.inFlight.set(this.lastSeq, batch);
  }

  private settle(outcomes: WriteOutcome[]): void {
    let requeued = false;
    for (const outcome of outcomes) {
      const batch = this.inFlight.get(outcome.seq);
      this.inFlight.delete(outcome.seq);
      if (!batch) continue;
      if (outcome.ok) {
        const { inserted, bytes, evicted } = outcome.result;
        for (const w of batch.writes.values()) {
          if (w.insert) this.unwrittenInserts--;
          this.unwrittenBytes -= w.countedBytes ?? 0;
        }
        this.storedRows += inserted - evicted.count;
        this.storedBodyBytes += bytes - evicted.bytes;
        if (evicted.count > 0) this.opts.onEvicted(evicted.count);
        if (outcome.seq > this.failedAfterSeq) this.wrote();
        continue;
      }
      this.requeue(batch);
      requeued = true;
      if (outcome.failure) this.failed(outcome.failure);
    }
    // Oldest first again (a failed batch's writes went behind newer ones): new rows reach the
    // store in id order, as the text index expects of them (capture-store.ts writeBatch).
    if (requeued) this.queue = new Map([...this.queue].sort((a, b) => a[0] - b[0]));
  }

  /**
   * A batch not written (disk full, I/O error) is queued again for a later flush. A newer
   * queued change of the same record is kept.
   */
  private requeue(batch: Batch): void {
    for (const [id, w] of batch.writes) {
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
    this.gaps = [...batch.gaps, ...this.gaps];
  }

  private failed(failure: StoreWriteFailure): void {
    this.retryAt = Date.now() + WRITE_RETRY_MS;
    // The first failure says when it started; a later one may say more exactly why.
    const first = this.failing === null;
    this.failing = { ...failure, since: this.failing?.since ?? Date.now() };
    if (!first) return;
    this.failedAfterSeq = this.lastSeq;
    this.opts.onWriteError?.failed(this.failing);
  }

  private wrote(): void {
    const was = this.failing;
    if (was === null) return;
    this.failing = null;
    this.opts.onWriteError?.resumed(was);
  }
}
