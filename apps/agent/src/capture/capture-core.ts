/**
 * The capture core: decode → verify → match publish and deliver → correlate → store, and the
 * reads the API and the stream need. Every source hands its raw events to `ingest`; the
 * serving layer sees the CaptureService interface only. The parts, each in its own module:
 *
 *   message-decoder.ts          decode and verify a raw event
 *   publish-deliver-matcher.ts  one record per published message, deliveries folded in
 *   call-correlator.ts          replies linked to calls, deadlines of pending calls
 *   late-attribution.ts         servers and processes named when the directory learns them
 *   capture-timers.ts           write-queue flushes, timeout and attribution sweeps
 *   capture-reads.ts            pages, detail, flows, versions, gaps, export
 *   capture-import.ts           import of an exported capture
 *   capture-continuity.ts       the heartbeat and broker counts a restart compares against
 *   drop-runs.ts                messages dropped (the write queue full), as gaps with their count
 *   store-write-log.ts          what the log says when the store cannot write
 *
 * Records go to storage through the write-back (store/record-writeback.ts), which the parts
 * reach through CaptureRecords only.
 */
import {
  withoutBody,
  withoutContext,
  type CaptureCounts,
  type CaptureGap,
  type DecodeOptions,
  type EnvelopeRecord,
  type StoreDamage,
  type StoreHealth,
} from '@osloscope/shared';
import { agentDecodeOptions } from '../domain/decode-raw.js';
import { timedOut } from '../domain/outcome.js';
import { createLogger, type Logger } from '../log.js';
import type { CaptureContinuity } from '../ports/capture-continuity.js';
import { ReadOnlyCaptureError, type CaptureListener, type CaptureService } from '../ports/capture-service.js';
import type { ConnectionDirectory } from '../ports/connection-directory.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { createVerifier, type Verifier } from '../signing/index.js';
import { CaptureStore } from '../store/capture-store.js';
import { forgetBody } from '../store/lean-record.js';
import type { StoredRaw } from '../store/raw-segments.js';
import { RecordWriteback } from '../store/record-writeback.js';
import { createStoreWriter } from '../store/writer.js';
import { CallCorrelator } from './call-correlator.js';
import { createCaptureContinuity } from './capture-continuity.js';
import { importCapture } from './capture-import.js';
import { createCaptureReads } from './capture-reads.js';
import type { CaptureRecords } from './capture-records.js';
import { startCaptureTimers } from './capture-timers.js';
import { createDropRuns } from './drop-runs.js';
import { createStoreWriteLog } from './store-write-log.js';
import { LateAttribution } from './late-attribution.js';
import { createMessageDecoder } from './message-decoder.js';
import type { ExportedFacts, ImportResult } from './ndjson.js';
import { presentRecord } from './present.js';
import { PublishDeliverMatcher } from './publish-deliver-matcher.js';

export interface CaptureCoreOptions {
  dataDir: string;
  retention: { maxMessages: number; maxBytes: number };
  showSecrets: boolean;
  /** Signature verifier; without one, signed messages are `unverified` (SharedKeyNotFound). */
  verifier?: Verifier | null;
  directory: ConnectionDirectory;
  now?: () => number;
  /** Timeout for calls without `expiration`: oslo's rpc_response_timeout. @default 60000 */
  defaultCallTimeoutMs?: number;
  decodeOptions?: DecodeOptions;
  /** Run the flush (200 ms) and timeout sweep (500 ms) timers. Tests turn them off and call flush(). @default true */
  timers?: boolean;
  /** Write the store on a writer thread (store-writer.ts) or inline. @default 'thread' (inline where no compiled writer script exists) */
  storeWriter?: 'thread' | 'inline';
  /** Replaces the writer thread's script (tests: a writer thread that crashes or hangs). */
  storeWriterScript?: URL;
  /** How long the writer may make no progress before capture stops waiting for it (tests). @default store-writer.ts STALL_MS */
  storeWriterStallMs?: number;
  /** Unwritten new records beyond which new messages are dropped and counted (tests). @default MAX_WRITE_QUEUE */
  maxWriteQueue?: number;
  /** The same in raw body bytes (tests). @default MAX_WRITE_QUEUE_BYTES */
  maxWriteQueueBytes?: number;
  /** Hears of each damage to the capture's files: found at open, and by reads later (the agent logs it). */
  onDamage?: (damage: StoreDamage) => void;
  /** Where the store's failures and recoveries are told. @default a logger on stderr */
  log?: Logger;
}

/** The concrete core: the CaptureService plus import under a chosen source name, and what it remembers across runs. */
export interface CaptureCore extends CaptureService {
  /** @param opts.source source name for imported records, e.g. `import:capture.ndjson` (default `import`) */
  importNdjson(lines: AsyncIterable<string> | Iterable<string>, opts?: { source?: string }): Promise<ImportResult>;
  /** For the broker sources: when the previous run was last alive, and their broker counts. */
  readonly continuity: CaptureContinuity;
}

/** Beyond this many unwritten records (the disk is failing or far too slow), new ones are dropped and counted. */
const MAX_WRITE_QUEUE = 100_000;
/**
 * The same for their raw bodies' bytes: with large messages (20 KB–10 MB) the count alone let a
 * stalled writer leave gigabytes in memory. High enough that a burst of 10 MB messages the
 * writer is keeping up with is not dropped.
 */
const MAX_WRITE_QUEUE_BYTES = 512 * 1024 * 1024;

const COUNTER_KEYS = ['captured', 'dropped', 'evicted', 'decodeErrors', 'signatureFailures'] as const;
type Counters = Record<(typeof COUNTER_KEYS)[number], number>;

export function createCaptureCore(opts: CaptureCoreOptions): CaptureCore {
  const now = opts.now ?? Date.now;
  const decodeOptions: DecodeOptions = agentDecodeOptions(opts.decodeOptions);
  const directory = opts.directory;
  const store = new CaptureStore(opts.dataDir, { decodeOptions });
  store.checkRawSegments(opts.onDamage ?? (() => undefined));
  /** A read-only capture is browsed, never written: nothing is captured, imported or timed out. */
  const readOnly = store.readOnly;
  const decoder = createMessageDecoder(decodeOptions, opts.verifier ?? createVerifier(null));

  // --- state reloaded from the store -------------------------------------------------------
  const totals = store.totals();
  let nextId = Math.max(totals.maxId, store.meta('lastId') ?? 0) + 1;
  const counters = Object.fromEntries(COUNTER_KEYS.map((k) => [k, store.meta(k) ?? 0])) as Counters;

  const writer = createStoreWriter(
    store,
    opts.dataDir,
    opts.retention,
    readOnly === null ? opts.storeWriter : 'inline',
    opts.storeWriterScript,
    opts.storeWriterStallMs,
  );
  const maxWriteQueue = opts.maxWriteQueue ?? MAX_WRITE_QUEUE;
  const maxWriteQueueBytes = opts.maxWriteQueueBytes ?? MAX_WRITE_QUEUE_BYTES;
  const continuity = createCaptureContinuity({
    meta: (key) => store.meta(key),
    now,
    lastId: () => nextId - 1,
    persist: () => writeback.writeMeta(),
    countAfter(source, afterId) {
      drainWrites();
      return store.countAfter(source, afterId);
    },
  });
  const storeLog = createStoreWriteLog(opts.log ?? createLogger(), () => writeback.pendingInserts);
  const writeback = new RecordWriteback({
    store,
    writer,
    stored: totals.stored,
    storedBytes: totals.bytes,
    meta: () => ({ ...counters, lastId: nextId - 1, ...continuity.meta() }),
    onEvicted: (n) => (counters.evicted += n),
    onWriteError: storeLog,
  });
  const listeners = new Set<CaptureListener>();
  /** While > 0 the timeout sweep waits: imported calls are old, their replies come a few lines later. */
  let importing = 0;
  let closed = false;
  const drops = createDropRuns(markGap);

  /**
   * Tell listeners about a new record (with its body fields but its context, which no live view
   * shows: shared `withoutContext`) or a change of one (without any: they never change, see
   * shared `withoutBody`; masking and sending them again cost the live path for nothing).
   */
  function emit(record: EnvelopeRecord, isNew: boolean): void {
    if (listeners.size > 0) {
      const view = presentRecord(isNew ? withoutContext(record) : withoutBody(record), opts.showSecrets);
      for (const l of listeners) {
        try {
          l.onRecord?.(view, isNew);
        } catch {
          // A failing listener must not break capture.
        }
      }
    }
    forgetBody(record);
  }

  const records: CaptureRecords = {
    get: (id) => writeback.get(id),
    findByUniqueId: (uniqueId) => store.findByUniqueId(uniqueId),
    findCallByMsgId: (msgId) => store.findCallByMsgId(msgId),
    write: (record) => writeback.put(record, null, false),
    changed(record, raw?: StoredRaw) {
      writeback.put(record, raw ?? null, false);
      emit(record, false);
    },
  };
  const calls = new CallCorrelator({ records, defaultTimeoutMs: opts.defaultCallTimeoutMs ?? 60_000 });
  if (readOnly === null) for (const call of store.pendingCalls()) calls.restorePending(call);
  const attribution = new LateAttribution({ directory, records, repliesAwaitingServer: (id) => calls.repliesAwaitingServer(id) });
  const matcher = new PublishDeliverMatcher({
    decoder,
    records,
    directory,
    attribution,
    nextId: () => nextId++,
    admit,
    undecodable: () => void counters.decodeErrors++,
  });
  const ingest = (raw: RawCapture, exported?: ExportedFacts): void => {
    if (!closed && readOnly === null) matcher.ingest(raw, exported);
  };

  const writeQueueFull = (): boolean => writeback.pendingInserts >= maxWriteQueue || writeback.pendingBytes >= maxWriteQueueBytes;

  /** What keeps the store from taking more, in words; null when it only needs time. */
  function storeTrouble(): string | null {
    const error = writeback.writeError;
    if (error) return `capture store cannot write (${error.message})`;
    return writeback.writerStalled ? 'capture store writer is stalled (no progress; a hung disk?)' : null;
  }
  /** Why new messages cannot be kept now (the gap of a run of drops says it). */
  const dropReason = (): string => storeTrouble() ?? 'capture store is falling behind';

  /** A new record: count it, correlate it, store it, tell listeners; dropped and counted when the store is too far behind. */
  function admit(record: EnvelopeRecord, raw: RawCapture): void {
    if (writeQueueFull()) {
      counters.dropped++;
      drops.dropped(raw, dropReason);
      return;
    }
    drops.end();
    counters.captured++;
    if (record.decodeError) counters.decodeErrors++;
    if (record.signature.status === 'failed') counters.signatureFailures++;
    attribution.reattribute(record, raw.source);
    attribution.track(record);
    const updates = calls.correlate(record);
    writeback.put(record, raw, true);
    emit(record, true);
    for (const u of updates) records.changed(u);
  }

  function sweepTimeouts(): void {
    if (importing > 0) return;
    for (const id of calls.takeExpired(now())) {
      const call = records.get(id);
      if (!call?.outcome || call.outcome.status !== 'pending') continue;
      call.outcome = timedOut(call.outcome);
      records.changed(call);
    }
  }

  const drainWrites = (): void => void writeback.drain();
  /** Runs of drops end (their gaps are marked) once new messages can be kept again. */
  const endDropsIfRoom = (): void => {
    if (!writeQueueFull()) drops.end();
  };
  const timers =
    opts.timers === false || readOnly !== null
      ? null
      : startCaptureTimers({
          flush: () => (writeback.flush(), endDropsIfRoom()),
          sweep: () => (sweepTimeouts(), attribution.resolveLate()),
          heartbeat: () => writeback.writeMeta(),
        });

  function markGap(gap: CaptureGap): void {
    try {
      writeback.addGap(gap);
    } catch {
      // storing the gap is best effort; listeners still hear about it
    }
    for (const l of listeners) {
      try {
        l.onGap?.(gap);
      } catch {
        // ignore listener failures
      }
    }
  }

  /** Closing with messages the store could not take: say how many and why, and count them as dropped. */
  function reportUnwritten(n: number): void {
    const error = writeback.writeError;
    storeLog.lost(n, error?.message ?? storeTrouble() ?? 'the store did not write them', error?.path ?? null);
    counters.captured -= n;
    counters.dropped += n;
    try {
      store.saveMeta({ captured: counters.captured, dropped: counters.dropped });
    } catch {
      // The disk still refuses: the log line is the record of them.
    }
  }

  const reads = createCaptureReads({
    store,
    decoder,
    showSecrets: opts.showSecrets,
    storedCount: () => writeback.stored,
    settle: () => {
      attribution.resolveLate();
      drainWrites();
    },
    drainWrites,
    refreshed: (record) => attribution.refreshed(record),
  });

  const core: CaptureCore = {
    ingest,
    markGap,
    continuity,
    countDropped(n) {
      counters.dropped += n;
    },
    linkReplay(uniqueId, originalId) {
      matcher.linkReplay(uniqueId, originalId);
    },
    ...reads,
    counts(): CaptureCounts {
      // Neither handing the queue over nor waiting (health is polled often): `stored` is what is
      // written so far, the flush timer hands over the rest within 200 ms.
      writeback.refresh();
      return { ...counters, stored: writeback.stored, storedBytes: writeback.storedBytes };
    },
    storeHealth(): StoreHealth {
      writeback.refresh();
      const error = writeback.writeError;
      return {
        writer: writer.mode,
        stalled: writeback.writerStalled,
        unwritten: writeback.pendingInserts,
        unwrittenBytes: writeback.pendingBytes,
        damage: store.damage(),
        readOnly,
        writeError: error && { message: error.message, path: error.path, since: error.since },
      };
    },
    acceptsMore: () => writeback.writeError === null && !writeback.writerStalled && !writeQueueFull(),
    async importNdjson(lines, importOpts): Promise<ImportResult> {
      if (readOnly !== null) throw new ReadOnlyCaptureError(`${readOnly}: nothing can be imported into it`);
      importing++;
      try {
        return await importCapture(lines, { source: importOpts?.source ?? 'import', directory, now, ingest });
      } finally {
        importing--;
        drainWrites();
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush() {
      sweepTimeouts();
      attribution.resolveLate();
      // Explicit (shutdown, tests): try the store now even if it is failing; the gap of a run
      // of drops that ends with it goes too.
      writeback.drain(true);
      endDropsIfRoom();
      drainWrites();
    },
    close() {
      if (closed) return;
      timers?.stop();
      try {
        drops.end();
        const unwritten = writeback.close();
        if (unwritten > 0) reportUnwritten(unwritten);
      } finally {
        closed = true;
        store.close();
      }
    },
  };
  return core;
}
