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
import type { CaptureGap } from '@osloscope/shared';
import type { PreparedBatch } from './store-batch.js';
import type { BatchResult, CaptureStore, Retention } from './store.js';

export type WriteOutcome = { seq: number; ok: true; result: BatchResult } | { seq: number; ok: false; error: string };

export interface StoreWriter {
  readonly mode: 'thread' | 'inline';
  /** Hand a batch over; returns its sequence number. Inline, it is written before this returns. */
  submit(batch: PreparedBatch): number;
  /** Outcomes of batches finished since the last call, in order. Never blocks. */
  poll(): WriteOutcome[];
  /** Block until at most `n` submitted batches are unfinished (0: all written). Their outcomes come from poll(). */
  waitUntilPending(n: number): void;
  pending(): number;
  addGap(gap: CaptureGap): void;
  /** Write what was submitted, then stop. */
  close(): void;
}

/** Messages to the writer thread. */
export type WriterRequest = { type: 'batch'; seq: number; batch: PreparedBatch } | { type: 'gap'; gap: CaptureGap } | { type: 'close' };

export interface WriterThreadData {
  dataDir: string;
  retention: Retention;
  /** Int32Array over a SharedArrayBuffer: [0] counts finished requests (each one reports once). */
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** Give up waiting when the writer thread shows no progress for this long (it died or the disk hangs). */
const STALL_MS = 60_000;

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
    try {
      this.outcomes.push({ seq, ok: true, result: this.store.applyBatch(batch, this.retention) });
    } catch (e) {
      this.outcomes.push({ seq, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
    return seq;
  }

  poll(): WriteOutcome[] {
    const out = this.outcomes;
    this.outcomes = [];
    return out;
  }

  waitUntilPending(): void {}

  pending(): number {
    return 0;
  }

  addGap(gap: CaptureGap): void {
    this.store.addGap(gap);
  }

  close(): void {}
}

class ThreadedStoreWriter implements StoreWriter {
  readonly mode = 'thread' as const;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private seq = 0;
  /** Requests posted (each reports once when finished). */
  private posted = 0;
  private finished = 0;
  private outcomes: WriteOutcome[] = [];
  private closed = false;

  constructor(script: URL, dataDir: string, retention: Retention) {
    const shared = new SharedArrayBuffer(4);
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
    // Outcomes are taken with receiveMessageOnPort (poll, wait): no listener, nothing keeps the process alive.
    this.worker.unref();
    this.port.unref();
  }

  submit(batch: PreparedBatch): number {
    const seq = ++this.seq;
    this.posted++;
    const request: WriterRequest = { type: 'batch', seq, batch };
    this.worker.postMessage(request, [batch.bodies.buffer as ArrayBuffer]);
    return seq;
  }

  poll(): WriteOutcome[] {
    this.collect();
    const out = this.outcomes;
    this.outcomes = [];
    return out;
  }

  pending(): number {
    this.collect();
    return this.posted - this.finished;
  }

  waitUntilPending(n: number): void {
    let lastProgress = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      this.collect();
      if (this.posted - this.finished <= n) return;
      // The writer posts its outcome before it bumps the signal, so a wake-up always finds it.
      const r = Atomics.wait(this.signal, 0, seen, 1000);
      if (r !== 'timed-out') lastProgress = Date.now();
      else if (Date.now() - lastProgress > STALL_MS) throw new Error(`capture store writer made no progress for ${STALL_MS / 1000} s`);
    }
  }

  addGap(gap: CaptureGap): void {
    this.posted++;
    const request: WriterRequest = { type: 'gap', gap };
    this.worker.postMessage(request);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.posted++;
    const request: WriterRequest = { type: 'close' };
    this.worker.postMessage(request);
    try {
      this.waitUntilPending(0);
    } finally {
      void this.worker.terminate();
    }
  }

  /** Take finished outcomes off the port, keeping them for poll(). */
  private collect(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const outcome = m.message as WriteOutcome | { type: 'done' };
      this.finished++;
      if ('seq' in outcome) this.outcomes.push(outcome);
    }
  }
}

/** The compiled writer-thread script beside this module, when there is one. */
function writerScript(): URL | null {
  const url = new URL('./store-writer-thread.js', import.meta.url);
  return url.protocol === 'file:' && fs.existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * The writer for a store: a writer thread unless `mode` says inline or no compiled writer
 * script exists. `store` is the capture thread's connection (the inline writer writes through it).
 */
export function createStoreWriter(store: CaptureStore, dataDir: string, retention: Retention, mode: 'thread' | 'inline' = 'thread'): StoreWriter {
  const script = mode === 'thread' ? writerScript() : null;
  return script ? new ThreadedStoreWriter(script, dataDir, retention) : new InlineStoreWriter(store, retention);
}
