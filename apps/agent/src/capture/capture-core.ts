/**
 * The capture core: decode → verify → correlate → store. Every source hands its raw events
 * to `ingest`; the serving layer reads records, aggregates and exports through the
 * CaptureService interface.
 *
 * One record per PUBLISHED message. Firehose deliver events are folded into their publish
 * record (matched by `_unique_id`); a deliver whose publish was never seen becomes its own
 * record, and is upgraded in place if the publish shows up later (so nothing is lost and
 * nothing is counted twice).
 */
import { createHash } from 'node:crypto';
import {
  decodeInnerMessage,
  readTraceHeaders,
  withoutBody,
  withoutContext,
  type DeliveryWire,
  type CaptureCounts,
  type StoreHealth,
  type CaptureGap,
  type DecodedEnvelope,
  type DecodeOptions,
  type EnvelopeDetail,
  type EnvelopeFilter,
  type EnvelopeRecord,
  type SignatureVerdict,
} from '@osloscope/shared';
import type { CaptureListener, CaptureService, PageRequest } from '../ports/capture-service.js';
import type { ConnectionDirectory } from '../ports/connection-directory.js';
import type { RawCapture } from '../ports/raw-capture.js';
import { createVerifier, routingTargetOf, type Verifier } from '../signing/index.js';
import { attribute } from '../domain/attribution.js';
import { timedOut } from '../domain/outcome.js';
import { flowsOf, versionsOf } from '../store/aggregates.js';
import { columnsOf, serverNamesOf } from '../store/columns.js';
import { agentDecodeOptions, decodeRaw, isTraceEvent } from '../domain/decode-raw.js';
import { filterToSql } from '../store/filter-sql.js';
import { BoundedMap } from '../bounded-map.js';
import { exportLine, importLines, type ConnectionFacts, type ExportedFacts, type ImportResult } from './ndjson.js';
import { forgetBody } from '../store/lean-record.js';
import { maskedAtExportOf, presentDetail, presentRecord, withMaskedAtExport } from './present.js';
import { buildRecord, deliveryOf } from './record-builder.js';
import { CaptureStore, TOTAL_COUNT_CAP } from '../store/capture-store.js';
import { CallCorrelator } from './call-correlator.js';
import { RecordWriteback } from '../store/record-writeback.js';
import type { StoredRaw } from '../store/raw-segments.js';
import { createStoreWriter } from '../store/writer.js';
import { uniqueIdHint } from './unique-id-hint.js';
import { UnresolvedRecords } from './unresolved.js';

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
}

/** The concrete core: the CaptureService plus import under a chosen source name. */
export interface CaptureCore extends CaptureService {
  /** Where the store is written now: a writer thread, or inline (see store-writer.ts; a failed thread fails over to inline). */
  readonly storeWriter: 'thread' | 'inline';
  /** @param opts.source source name for imported records, e.g. `import:capture.ndjson` (default `import`) */
  importNdjson(lines: AsyncIterable<string> | Iterable<string>, opts?: { source?: string }): Promise<ImportResult>;
}

/**
 * The write queue goes to the store writer at least this often (and at 1,000 records). Every
 * commit writes each touched page (16 KiB) of ten indexes and the text index's new segment, so
 * fewer, larger batches cost the writer far less: B1's writer thread was busy 21.7 s at 50 ms
 * and 17.5 s at 250 ms for the same 60k messages. Nothing waits on it: the stream is sent from
 * memory and queries hand the queue over first; only health's `stored` lags by up to this.
 */
const FLUSH_INTERVAL_MS = 200;
const SWEEP_INTERVAL_MS = 500;
/** Beyond this many unwritten records (the disk is failing or far too slow), new ones are dropped and counted. */
const MAX_WRITE_QUEUE = 100_000;
/**
 * The same for their raw bodies' bytes: with large messages (20 KB–10 MB) the count alone let a
 * stalled writer leave gigabytes in memory. High enough that a burst of 10 MB messages the
 * writer is keeping up with is not dropped.
 */
const MAX_WRITE_QUEUE_BYTES = 512 * 1024 * 1024;
/**
 * How many recent publishes a deliver can still be matched with in memory (~10 s at 2k msg/s;
 * older ones by the `_unique_id` index). 100k entries held ~20 MB of live heap, which V8's
 * headroom doubles (B5). A legacy body without `_unique_id` delivered later than that becomes
 * a record of its own.
 */
const MATCH_MEMORY = 20_000;
/** Records waiting for the directory to name a server or process (see unresolved.ts). */
const UNRESOLVED = 10_000;
/**
 * osloscope's own replays not yet captured, by their `_unique_id` (see linkReplay). A replay is
 * captured within milliseconds of its publish; this many outstanding is far beyond the rate limit.
 */
const OWN_REPLAYS = 1_000;


interface MatchEntry {
  id: number;
  /** Created from a deliver event: its publish was not seen (yet). */
  deliverOnly: boolean;
  /** Body length of the event: a cheap check that a deliver hinted by `_unique_id` is the same message. */
  bodyLength: number;
}

const COUNTER_KEYS = ['captured', 'dropped', 'evicted', 'decodeErrors', 'signatureFailures'] as const;
type Counters = Record<(typeof COUNTER_KEYS)[number], number>;

export function createCaptureCore(opts: CaptureCoreOptions): CaptureCore {
  const now = opts.now ?? Date.now;
  const defaultTimeoutMs = opts.defaultCallTimeoutMs ?? 60_000;
  const decodeOptions = agentDecodeOptions(opts.decodeOptions);
  const verifier = opts.verifier ?? createVerifier(null);
  const directory = opts.directory;
  const store = new CaptureStore(opts.dataDir, { decodeOptions });

  // --- state reloaded from the store -------------------------------------------------------
  const totals = store.totals();
  let nextId = Math.max(totals.maxId, store.meta('lastId') ?? 0) + 1;
  const counters: Counters = {
    captured: store.meta('captured') ?? 0,
    dropped: store.meta('dropped') ?? 0,
    evicted: store.meta('evicted') ?? 0,
    decodeErrors: store.meta('decodeErrors') ?? 0,
    signatureFailures: store.meta('signatureFailures') ?? 0,
  };

  const writer = createStoreWriter(store, opts.dataDir, opts.retention, opts.storeWriter, opts.storeWriterScript, opts.storeWriterStallMs);
  const maxWriteQueue = opts.maxWriteQueue ?? MAX_WRITE_QUEUE;
  const maxWriteQueueBytes = opts.maxWriteQueueBytes ?? MAX_WRITE_QUEUE_BYTES;
  const writeback = new RecordWriteback({
    store,
    writer,
    stored: totals.stored,
    storedBytes: totals.bytes,
    meta: () => ({ ...counters, lastId: nextId - 1 }),
    onEvicted: (n) => (counters.evicted += n),
  });
  const byMatchKey = new BoundedMap<string, MatchEntry>(MATCH_MEMORY);
  const unresolved = new UnresolvedRecords(UNRESOLVED);
  /** `_unique_id` of a replay this agent published → the original record id. */
  const ownReplays = new BoundedMap<string, number>(OWN_REPLAYS);
  /** Directory revision the unresolved records were last checked against. */
  let checkedRevision: number | null = null;
  const listeners = new Set<CaptureListener>();
  /** While > 0 the timeout sweep waits: imported calls are old, their replies come a few lines later. */
  let importing = 0;
  let closed = false;
  /** New messages dropped since the last one admitted (the write queue was full). */
  let droppedInRow = 0;


  // --- record access ---------------------------------------------------------------------
  const getRecord = (id: number): EnvelopeRecord | null => writeback.get(id);
  const calls = new CallCorrelator({ getRecord, findCallByMsgId: (msgId) => store.findCallByMsgId(msgId), defaultTimeoutMs });
  for (const call of store.pendingCalls()) calls.restorePending(call);
  const put = (record: EnvelopeRecord, raw: StoredRaw | null, insert: boolean): void => writeback.put(record, raw, insert);
  const flushWrites = (): void => writeback.flush();
  const drainWrites = (): void => {
    writeback.drain();
  };

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

  // --- decode & verify -----------------------------------------------------------------------
  function decode(raw: RawCapture | (StoredRaw & { source?: string })): DecodedEnvelope | null {
    try {
      return decodeRaw(raw, decodeOptions);
    } catch {
      return null; // the codec never throws by contract; this guards the capture loop regardless
    }
  }

  /** Verify a publish once; a valid encrypted message is decoded from its plaintext. */
  function verify(raw: Pick<RawCapture, 'body'>, decoded: DecodedEnvelope): { verdict: SignatureVerdict; decoded: DecodedEnvelope } {
    let result;
    try {
      result = verifier.verify({
        body: () => Buffer.from(raw.body).toString('utf8'),
        routingTarget: routingTargetOf(decoded.exchange, decoded.routingKey),
        // A 2.x envelope the decoder read without oslo.secure keys: the verifier need not parse it again.
        ...(decoded.envelopeVersion !== null && decoded.secure === null ? { secureKeys: false } : {}),
      });
    } catch {
      return { verdict: { status: 'unverified', reason: null, detail: 'verifier error' }, decoded };
    }
    const { decryptedMessage, ...verdict } = result;
    if (decryptedMessage === undefined) return { verdict, decoded };
    try {
      return { verdict, decoded: decodeInnerMessage(decryptedMessage, decoded, decodeOptions) };
    } catch {
      return { verdict, decoded };
    }
  }

  function matchKeyOf(decoded: DecodedEnvelope, body: Uint8Array): string {
    // Legacy bodies may lack `_unique_id`: the exact bytes identify the message instead.
    return decoded.uniqueId ? 'u:' + decoded.uniqueId : 'h:' + createHash('sha1').update(body).digest('base64');
  }

  /**
   * The original of a replay this agent published, known by the replay's fresh `_unique_id`.
   * Nothing on the wire can claim the link: a publisher cannot forge it, and the replay carries no
   * header an oslo consumer would have to read.
   */
  function replayOf(decoded: DecodedEnvelope): number | null {
    return decoded.uniqueId !== null ? (ownReplays.get(decoded.uniqueId) ?? null) : null;
  }

  // --- ingest ----------------------------------------------------------------------------------
  /** @param exported what an imported line says about the message as first captured */
  function ingest(raw: RawCapture, exported?: ExportedFacts): void {
    if (closed) return;
    if (!exported && raw.routingKey.startsWith('deliver.') && isTraceEvent(raw) && ingestKnownDeliver(raw)) return;
    const decoded = decode(raw);
    if (!decoded) {
      counters.decodeErrors++;
      return;
    }
    if (decoded.broker?.event === 'deliver') ingestDeliver(raw, decoded, exported);
    else ingestPublish(raw, decoded, exported);
  }

  /**
   * An imported body is the masked one the exporting agent wrote: keep the size the message
   * had on the wire and which fields were masked.
   */
  function applyExported(record: EnvelopeRecord, exported: ExportedFacts | undefined): EnvelopeRecord {
    if (!exported) return record;
    if (exported.bodySize !== null) record.bodySize = exported.bodySize;
    return exported.masked.length > 0 ? withMaskedAtExport(record, exported.masked) : record;
  }

  function ingestPublish(raw: RawCapture, first: DecodedEnvelope, exported?: ExportedFacts): void {
    const key = matchKeyOf(first, raw.body);
    const earlier = byMatchKey.get(key);
    const earlierRecord = earlier?.deliverOnly ? getRecord(earlier.id) : null;
    if (earlier && earlierRecord) {
      // Its deliver came first (different channels / nodes): upgrade that record in place.
      const record = applyExported(buildRecord(earlierRecord.id, first, earlierRecord.signature, publisherOf(raw, first)), exported);
      record.decodeError = earlierRecord.decodeError;
      Object.assign(record, {
        args: earlierRecord.args,
        context: earlierRecord.context,
        outcome: earlierRecord.outcome,
        requestId: earlierRecord.requestId,
        deliveries: earlierRecord.deliveries,
        target: earlierRecord.target ?? record.target,
        server: earlierRecord.server,
      });
      byMatchKey.set(key, { id: record.id, deliverOnly: false, bodyLength: raw.body.byteLength });
      reattribute(record, raw.source);
      track(record);
      put(record, raw, false);
      emit(record, false);
      return;
    }
    const { verdict, decoded } = verify(raw, first);
    const record = applyExported(buildRecord(nextId++, decoded, verdict, publisherOf(raw, decoded)), exported);
    byMatchKey.set(key, { id: record.id, deliverOnly: false, bodyLength: raw.body.byteLength });
    admit(record, raw);
  }

  /**
   * The common case of a deliver event: its publish is a recent record. Found through the
   * `_unique_id` read from the bytes, the body is not parsed again (see unique-id-hint.ts).
   * @returns false when the slow path (full decode) has to handle it
   */
  function ingestKnownDeliver(raw: RawCapture): boolean {
    const hint = uniqueIdHint(raw.body);
    if (hint === null) return false;
    const known = byMatchKey.get('u:' + hint);
    if (known && known.bodyLength !== raw.body.byteLength) return false;
    // A deliver later than the match memory reaches (a queue backed up, MATCH_MEMORY publishes
    // ago) is found through the `_unique_id` index: decoding its body to learn the same id cost
    // a double JSON parse per delivery exactly when the agent is busiest. Unwritten records are
    // all recent, so in the match memory.
    const id = known ? known.id : store.findByUniqueId(hint);
    if (id === null) return false;
    // The record in memory or read back is lean (lean-record.ts forgetBody): a delivery needs
    // none of its body fields, so neither body is decoded.
    const record = writeback.get(id);
    if (!record || record.uniqueId !== hint) return false;
    // The size check the match memory's entry made: same id and size, or the full decode decides.
    if (!known && record.bodySize !== raw.body.byteLength) return false;
    // Only its trace headers are read: the body is the publish's.
    let delivery: DeliveryWire | null;
    try {
      delivery = deliveryOf(readTraceHeaders(raw).broker, raw.receivedAt);
    } catch {
      return false; // hostile headers: the full decode reports them
    }
    if (!delivery) return false;
    addDelivery(record, delivery, raw.source);
    return true;
  }

  function addDelivery(record: EnvelopeRecord, delivery: DeliveryWire, source: string): void {
    if (delivery.connection !== null) directory.learnDelivery(source, delivery.connection, delivery.queue);
    record.deliveries = [...record.deliveries, delivery];
    reattribute(record, source);
    track(record);
    put(record, null, false);
    emit(record, false);
    propagateServer(record);
  }

  function ingestDeliver(raw: RawCapture, decoded: DecodedEnvelope, exported?: ExportedFacts): void {
    const delivery = deliveryOf(decoded.broker, raw.receivedAt);
    if (!delivery) return;
    const key = matchKeyOf(decoded, raw.body);
    const known = byMatchKey.get(key);
    const id = known?.id ?? (decoded.uniqueId ? store.findByUniqueId(decoded.uniqueId) : null);
    const record = id !== null ? writeback.get(id) : null;
    if (record) {
      addDelivery(record, delivery, raw.source);
      return;
    }
    if (delivery.connection !== null) directory.learnDelivery(raw.source, delivery.connection, delivery.queue);
    // Publish not seen (capture started mid-flight, or the deliver overtook it): keep it as its own record.
    const verified = verify(raw, decoded);
    const own = applyExported(
      buildRecord(nextId++, verified.decoded, verified.verdict, {
        source: raw.source,
        capturedAt: raw.receivedAt,
        connection: null,
        process: null,
        replayOf: replayOf(decoded),
      }),
      exported,
    );
    own.deliveries = [delivery];
    byMatchKey.set(key, { id: own.id, deliverOnly: true, bodyLength: raw.body.byteLength });
    admit(own, raw);
  }

  function publisherOf(raw: RawCapture, decoded: DecodedEnvelope) {
    const connection = decoded.broker?.connection ?? null;
    return {
      source: raw.source,
      capturedAt: raw.receivedAt,
      connection,
      process: connection !== null ? directory.processFor(raw.source, connection) : null,
      replayOf: replayOf(decoded),
    };
  }

  /** A new record: count it, correlate it, store it, tell listeners. */
  function admit(record: EnvelopeRecord, raw: RawCapture): void {
    if (writeback.pendingInserts >= maxWriteQueue || writeback.pendingBytes >= maxWriteQueueBytes) {
      counters.dropped++;
      // A gap where each run of drops starts, and every 10,000 drops while it lasts.
      if (droppedInRow++ % 10_000 === 0) {
        const reason = writeback.writerStalled
          ? 'capture store writer is stalled (no progress; a hung disk?): messages dropped'
          : 'capture store is falling behind: messages dropped';
        markGap({ source: raw.source, from: raw.receivedAt, to: null, reason });
      }
      return;
    }
    droppedInRow = 0;
    counters.captured++;
    if (record.decodeError) counters.decodeErrors++;
    if (record.signature.status === 'failed') counters.signatureFailures++;
    reattribute(record, raw.source);
    track(record);
    const updates = calls.correlate(record);
    put(record, raw, true);
    emit(record, true);
    for (const u of updates) {
      put(u, null, false);
      emit(u, false);
    }
  }

  /** Fill in delivery servers, the handling server and fanout reach. */
  function reattribute(record: EnvelopeRecord, source: string): boolean {
    const a = attribute(record, (connection) => directory.serverFor(source, connection));
    if (record.kind !== 'call' && record.kind !== 'cast') {
      // Replies keep the server copied from their call; notifications have none.
      const changed = a.deliveries.some((d, i) => d !== record.deliveries[i]);
      record.deliveries = a.deliveries;
      return changed;
    }
    const changed =
      a.server !== record.server ||
      JSON.stringify(a.reached) !== JSON.stringify(record.reached) ||
      a.deliveries.some((d, i) => d !== record.deliveries[i]);
    record.deliveries = a.deliveries;
    record.server = a.server;
    record.reached = a.reached;
    return changed;
  }

  /**
   * A call's server learned after its replies were linked (a reply overtook the deliver, or
   * the directory named the server later): replies carry the call's server, update them.
   */
  function propagateServer(call: EnvelopeRecord): void {
    const server = call.server;
    if (call.kind !== 'call' || server === null) return;
    const finalReply = call.outcome?.replyId ?? null;
    if (finalReply !== null) giveReplyServer(finalReply, server);
    // Heartbeats (and a final reply linked while the server was unknown) are listed here.
    for (const id of calls.repliesAwaitingServer(call.id)) if (id !== finalReply) giveReplyServer(id, server);
  }

  function giveReplyServer(replyId: number, server: string): void {
    const reply = getRecord(replyId);
    if (!reply || reply.server === server) return;
    reply.server = server;
    put(reply, null, false);
    emit(reply, false);
  }

  /**
   * Remember what a record still waits for the directory to name, so it is filled in once
   * known (resolveLate). Only requests: replies take their call's server, notification
   * listeners are not servers.
   */
  function track(record: EnvelopeRecord): void {
    const client = record.client;
    if (client !== null && client.process === null && client.connection !== null) {
      unresolved.add('process', record.source, client.connection, record.id);
    }
    if (record.kind !== 'call' && record.kind !== 'cast') return;
    for (const d of record.deliveries) {
      if (d.server === null && d.connection !== null) unresolved.add('server', record.source, d.connection, record.id);
    }
  }

  /** Fill in servers and the client process the directory knows now; @returns whether anything changed. */
  function fillIn(record: EnvelopeRecord): boolean {
    let changed = reattribute(record, record.source);
    const client = record.client;
    if (client !== null && client.process === null && client.connection !== null) {
      const process = directory.processFor(record.source, client.connection);
      if (process !== null) {
        record.client = { ...client, process };
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Re-check records captured before the directory could name their server or client
   * process (the management API is polled): store what is known now, so lists, filters,
   * flows and versions agree, and tell listeners. Only when the directory learned something.
   */
  function resolveLate(): void {
    if (unresolved.size === 0) return;
    const revision = directory.revision?.() ?? null;
    if (revision !== null && revision === checkedRevision) return;
    checkedRevision = revision;
    const ids = unresolved.takeAnswered(
      (want, source, connection) => (want === 'server' ? directory.serverFor(source, connection) : directory.processFor(source, connection)) !== null,
    );
    for (const id of ids) {
      const record = getRecord(id);
      if (!record) continue; // evicted meanwhile
      if (fillIn(record)) {
        put(record, null, false);
        emit(record, false);
        propagateServer(record);
      }
      track(record);
    }
  }

  // --- timers: batched writes, timeouts ------------------------------------------------------
  function sweepTimeouts(): void {
    if (importing > 0) return;
    for (const id of calls.takeExpired(now())) {
      const call = getRecord(id);
      if (!call?.outcome || call.outcome.status !== 'pending') continue;
      call.outcome = timedOut(call.outcome);
      put(call, null, false);
      emit(call, false);
    }
  }

  const timers =
    opts.timers === false
      ? []
      : [
          setInterval(flushWrites, FLUSH_INTERVAL_MS),
          setInterval(() => {
            sweepTimeouts();
            resolveLate();
          }, SWEEP_INTERVAL_MS),
        ];
  for (const t of timers) t.unref();

  // --- reading ---------------------------------------------------------------------------------
  /**
   * Records leaving the core: servers and processes learned since capture filled in (also
   * for records the bounded unresolved set forgot).
   */
  function refreshed(record: EnvelopeRecord): EnvelopeRecord {
    const unnamedClient = record.client !== null && record.client.process === null && record.client.connection !== null;
    if ((unnamedClient || record.deliveries.some((d) => d.server === null)) && fillIn(record)) put(record, null, false);
    return record;
  }

  /** Before every read: what the directory learned is in the store, so SQL sees it too. */
  function settle(): void {
    resolveLate();
    drainWrites();
  }

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

  const core: CaptureCore = {
    get storeWriter() {
      return writer.mode;
    },
    ingest,
    markGap,
    countDropped(n) {
      counters.dropped += n;
    },
    linkReplay(uniqueId, originalId) {
      ownReplays.set(uniqueId, originalId);
    },
    query(filter: EnvelopeFilter, page: PageRequest) {
      settle();
      const limit = Math.min(Math.max(page.limit ?? 100, 1), 1000);
      const where = filterToSql(filter);
      const bounds = [];
      if (page.before !== undefined) bounds.push({ sql: 'id < ?', params: [page.before] });
      if (page.after !== undefined) bounds.push({ sql: 'id > ?', params: [page.after] });
      const items = store.page(filterToSql(filter, bounds), limit).map((r) => presentRecord(refreshed(r), opts.showSecrets));
      if (where.sql === '1' && where.from === undefined) return { items, total: writeback.stored };
      // A filtered total is counted up to TOTAL_COUNT_CAP (an exact count scans every match).
      const counted = store.countUpTo(where, TOTAL_COUNT_CAP);
      return counted.capped ? { items, total: counted.count, totalCapped: true } : { items, total: counted.count };
    },
    get(id): EnvelopeDetail | null {
      settle();
      const row = store.getRow(id);
      if (!row) return null;
      const decoded = decode(row.raw);
      return presentDetail(refreshed(row.record), row.raw.body, decoded, opts.showSecrets);
    },
    getRaw(id) {
      drainWrites();
      const row = store.getRow(id);
      return row ? { record: presentRecord(row.record, opts.showSecrets), body: row.raw.body } : null;
    },
    flows(filter) {
      settle();
      return flowsOf(store, filter);
    },
    versions(filter) {
      settle();
      return versionsOf(store, filter);
    },
    gaps() {
      drainWrites();
      return store.gaps();
    },
    counts(): CaptureCounts {
      // Neither handing the queue over nor waiting (health is polled often): `stored` is what is
      // written so far, the flush timer hands over the rest within 200 ms.
      writeback.refresh();
      return { ...counters, stored: writeback.stored, storedBytes: writeback.storedBytes };
    },
    storeHealth(): StoreHealth {
      writeback.refresh();
      return { writer: writer.mode, stalled: writeback.writerStalled, unwritten: writeback.pendingInserts, unwrittenBytes: writeback.pendingBytes };
    },
    exportNdjson(filter, write) {
      settle();
      for (const row of store.iterateRows(filterToSql(filter))) {
        const record = refreshed(row.record);
        write(exportLine({ record: presentRecord(record, opts.showSecrets), raw: row.raw, maskedAtExport: maskedAtExportOf(record) }, opts.showSecrets));
      }
    },
    async importNdjson(lines, importOpts) {
      importing++;
      try {
        const source = importOpts?.source ?? 'import';
        const processes: Record<string, string> = {};
        const learn = (facts: ConnectionFacts) => {
          // Teach the directory what the exporting agent knew, in the shape it learns from:
          // an RPC listener consumes `<topic>` and `<topic>.<server>` on one connection.
          for (const [connection, server, topic] of facts.servers) {
            directory.learnDelivery(source, connection, topic);
            directory.learnDelivery(source, connection, `${topic}.${server}`);
          }
          const fresh = facts.processes.filter(([c, p]) => processes[c] !== p);
          if (fresh.length === 0) return;
          for (const [c, p] of fresh) processes[c] = p;
          directory.updateFromManagement(source, { processes: { ...processes }, consumers: {} });
        };
        return await importLines(lines, source, now, ingest, learn);
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
      resolveLate();
      drainWrites();
    },
    close() {
      if (closed) return;
      for (const t of timers) clearInterval(t);
      try {
        writeback.close();
      } finally {
        closed = true;
        store.close();
      }
    },
  };
  return core;
}
