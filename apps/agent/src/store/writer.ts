/**
 * Who writes the capture store. SQLite writes (rows, indexes, summaries, text index) are the
 * larger part of the capture pipeline's work, so by default they run on a worker thread with
 * its own connection: the capture thread decodes and correlates the next messages on one core
 * while the previous batch is written on the other, and its event loop (sockets, the live
 * stream) is never blocked by a commit. Reads stay on the capture thread's connection (WAL:
 * readers never wait for the writer).
 *
 * Without the compiled worker script (code run from TypeScript sources, as the unit tests do)
 * the same store code writes inline, on the calling thread. Both report through `poll()`.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { PreparedBatch } from './write-batch.js';
import type { BatchResult, CaptureStore, Retention } from './capture-store.js';
import { writeFailureOf, type StoreWriteFailure } from './write-failure.js';

export type WriteOutcome =
  | { seq: number; ok: true; result: BatchResult }
  /** Not written. `failure` null: not even tried, the writer thread ended first (the batch is written again at once, inline). */
  | { seq: number; ok: false; failure: StoreWriteFailure | null };

export interface StoreWriter {
  /** Where batches are written now (a writer thread that failed has failed over to inline). */
  readonly mode: 'thread' | 'inline';
  /** Hand a batch over; returns its sequence number. Inline, it is written before this returns. */
  submit(batch: PreparedBatch): number;
  /** Outcomes of batches finished since the last call, in order. Never blocks. */
  poll(): WriteOutcome[];
  /**
   * Block until at most `n` submitted batches are unfinished (0: all written); their outcomes
   * come from poll(). Returns false, without waiting, while the writer is stalled: it made no
   * progress for the stall time (a hung disk). Capture then takes no more from the broker (CaptureService.acceptsMore).
   */
  waitUntilPending(n: number): boolean;
  /** The writer made no progress for the stall time and has not made any since. */
  readonly stalled: boolean;
  /** Write what was submitted, then stop. */
  close(): void;
}

/** Messages to the writer thread. */
export type WriterRequest = { type: 'batch'; seq: number; batch: PreparedBatch } | { type: 'close' };

export interface WriterThreadData {
  dataDir: string;
  retention: Retention;
  /**
   * Int32Array over a SharedArrayBuffer: [0] counts finished requests (each one reports once);
   * [EXITED] is set to 1 by the thread as it ends, however it ends (but killed for memory).
   */
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** Index of the writer thread's "I have ended" flag in the shared signal (WriterThreadData). */
export const EXITED = 1;

/**
 * Stop waiting when the writer thread shows no progress for this long: a thread that ended says
 * so at once (EXITED), so this is for a disk that hangs (or a thread the engine killed for
 * memory, whose 'exit' then reaches the event loop once the wait is over). A batch of 1,000 rows
 * commits in well under a second here; the wait blocks the capture thread's event loop (stream,
 * health), so it is not long. Declaring a stall loses nothing: the write queue keeps what it
 * holds, and new events wait in the broker (amqp/capture-consumer.ts) until the writer moves again.
 */
const STALL_MS = 10_000;

/** Apply a batch on this thread (the inline writer, and the threaded one after its thread failed). */
function applyHere(store: CaptureStore, batch: PreparedBatch, retention: Retention, seq: number): WriteOutcome {
  try {
    return { seq, ok: true, result: store.applyBatch(batch, retention) };
  } catch (e) {
    return { seq, ok: false, failure: writeFailureOf(e) };
  }
}

class InlineStoreWriter implements StoreWriter {
  readonly mode = 'inline' as const;
  private seq = 0;
  private outcomes: WriteOutcome[] = [];

  constructor(
    private readonly store: CaptureStore,
    private readonly retention: Retention,
  ) {}

  submit(batch: PreparedBatch): number {
    const seq = ++this.seq;
    this.outcomes.push(applyHere(this.store, batch, this.retention, seq));
    return seq;
  }

  poll(): WriteOutcome[] {
    const out = this.outcomes;
    this.outcomes = [];
    return out;
  }

  waitUntilPending(): boolean {
    return true;
  }

  readonly stalled = false;

  close(): void {}
}

/**
 * Writes on a worker thread. Should the thread fail (it threw, ran out of memory, exited), it
 * fails over to writing on this thread through the capture thread's connection: the batches
 * it had not answered are reported failed (the core queues them again) and capture goes on.
 */
class ThreadedStoreWriter implements StoreWriter {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private seq = 0;
  /** Requests posted (each reports once when finished). */
  private posted = 0;
  private finished = 0;
  /** Batches posted whose outcome has not come back. */
  private readonly unanswered = new Set<number>();
  private outcomes: WriteOutcome[] = [];
  private closed = false;
  /** Why the thread stopped; from then on batches are written here. */
  private failure: string | null = null;
  /** The finished-requests signal when a stall was declared; null while the writer moves. */
  private stalledAt: number | null = null;

  constructor(
    script: URL,
    private readonly store: CaptureStore,
    dataDir: string,
    private readonly retention: Retention,
    private readonly stallMs: number,
  ) {
    const shared = new SharedArrayBuffer(8);
    this.signal = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: WriterThreadData = { dataDir, retention, signal: shared, port: port2 };
    this.worker = new Worker(script, {
      workerData,
      transferList: [port2],
      // Its garbage is each batch's params: a small young generation is enough (B5).
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    this.worker.on('error', (e: Error) => this.failOver(`the store writer thread failed: ${e.message}`));
    this.worker.on('exit', (code: number) => {
      if (!this.closed) this.failOver(`the store writer thread exited (code ${code})`);
    });
    // Outcomes are taken with receiveMessageOnPort (poll, wait): no listener, nothing keeps the process alive.
    this.worker.unref();
    this.port.unref();
  }

  get mode(): 'thread' | 'inline' {
    return this.failure === null ? 'thread' : 'inline';
  }

  submit(batch: PreparedBatch): number {
    const seq = ++this.seq;
    if (this.failure !== null) {
      this.outcomes.push(applyHere(this.store, batch, this.retention, seq));
      return seq;
    }
    this.posted++;
    this.unanswered.add(seq);
    const request: WriterRequest = { type: 'batch', seq, batch };
    this.worker.postMessage(request, [batch.frames.buffer as ArrayBuffer]);
    return seq;
  }

  poll(): WriteOutcome[] {
    this.collect();
    const out = this.outcomes;
    this.outcomes = [];
    return out;
  }

  get stalled(): boolean {
    return this.stalledAt !== null;
  }

  waitUntilPending(n: number): boolean {
    let lastProgress = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      this.collect();
      if (this.stalledAt !== null && seen !== this.stalledAt) this.resumed();
      if (this.posted - this.finished <= n) return true;
      // While this thread waits, the worker's 'exit' event cannot be delivered: the thread flags
      // its own end (EXITED); threadId covers an end seen by the event loop before this wait.
      if (Atomics.load(this.signal, EXITED) === 1 || this.worker.threadId === -1) {
        this.failOver('the store writer thread stopped');
        return true;
      }
      // Stalled: no more waiting until it moves (the caller keeps its queue meanwhile).
      if (this.stalledAt !== null) return false;
      // The writer posts its outcome before it bumps the signal, so a wake-up always finds it.
      const r = Atomics.wait(this.signal, 0, seen, Math.min(1000, this.stallMs));
      if (r !== 'timed-out') lastProgress = Date.now();
      else if (Date.now() - lastProgress >= this.stallMs) {
        // Not a failover: the thread may still commit what it holds, and writing those batches
        // here too would insert them twice.
        this.stalledAt = Atomics.load(this.signal, 0);
        process.emitWarning(
          `the capture store writer made no progress for ${this.stallMs / 1000} s (${this.posted - this.finished} requests unfinished): ` +
            'what is captured waits in memory, new events in the capture queue on the broker, until it moves',
          'OsloscopeStoreWriter',
        );
        return false;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.failure !== null) return;
    this.posted++;
    const request: WriterRequest = { type: 'close' };
    this.worker.postMessage(request);
    try {
      if (!this.waitUntilPending(0)) {
        process.emitWarning(`closing the capture store with its writer stalled: ${this.unanswered.size} batches may not be written`, 'OsloscopeStoreWriter');
      }
    } finally {
      void this.worker.terminate();
    }
  }

  private resumed(): void {
    this.stalledAt = null;
    process.emitWarning('the capture store writer is making progress again', 'OsloscopeStoreWriter');
  }

  private failOver(reason: string): void {
    if (this.failure !== null || this.closed) return;
    this.collect(); // outcomes posted before it stopped still count
    this.failure = reason;
    process.emitWarning(`${reason}; writing the capture store on the main thread from now on`, 'OsloscopeStoreWriter');
    for (const seq of this.unanswered) this.outcomes.push({ seq, ok: false, failure: null });
    this.unanswered.clear();
    this.finished = this.posted;
    this.stalledAt = null;
    void this.worker.terminate();
  }

  /** Take finished outcomes off the port, keeping them for poll(). */
  private collect(): void {
    if (this.failure !== null) return;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const outcome = m.message as WriteOutcome | { type: 'done' };
      this.finished++;
      if ('seq' in outcome) {
        this.unanswered.delete(outcome.seq);
        this.outcomes.push(outcome);
      }
    }
  }
}

/** The compiled writer-thread script beside this module, when there is one. */
function writerScript(): URL | null {
  const url = new URL('./writer-thread.js', import.meta.url);
  return url.protocol === 'file:' && fs.existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * The writer for a store: a writer thread unless `mode` says inline or no compiled writer
 * script exists. `store` is the capture thread's connection (the inline writer writes through
 * it, and so does a writer thread's failover). `script` replaces the writer thread's script
 * (tests: a thread that crashes or hangs), `stallMs` the stall time.
 */
export function createStoreWriter(
  store: CaptureStore,
  dataDir: string,
  retention: Retention,
  mode: 'thread' | 'inline' = 'thread',
  script?: URL,
  stallMs = STALL_MS,
): StoreWriter {
  const thread = mode === 'thread' ? (script ?? writerScript()) : null;
  return thread ? new ThreadedStoreWriter(thread, store, dataDir, retention, stallMs) : new InlineStoreWriter(store, retention);
}
