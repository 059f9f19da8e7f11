/**
 * The live socket.io stream. One capture subscription fans out to every browser whose
 * filter matches; each browser gets batches (history first, then live every ~50 ms).
 *
 * Slow browsers: each socket has a bounded SubscriberQueue (drops oldest, reports
 * `skipped`). A batch is only emitted when the socket's transport is writable, i.e. the
 * previous write was handed to the OS (websocket) or the client is polling (long-polling).
 * Otherwise records keep coalescing in the queue instead of piling up in engine.io's
 * unbounded write buffer. We do not use acks for flow control: that would need a round
 * trip per batch and a protocol change, while `writable` needs neither.
 */
import {
  PROTOCOL_VERSION,
  matchesFilter,
  withoutContext,
  type Ack,
  type ClientToServerEvents,
  type EnvelopeBatch,
  type EnvelopeFilter,
  type EnvelopeRecord,
  type HealthReport,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '@osloscope/shared';
import type { Server, Socket } from 'socket.io';
import type { Logger } from '../log.js';
import type { CaptureService } from '../ports/capture-service.js';
import { DEFAULT_HISTORY_LIMIT, envelopeFilterSchema, parseInput, recordIdSchema, subscribeRequestSchema } from './input-schemas.js';
import { DEFAULT_MAX_PENDING, SubscriberQueue } from './subscriber-queue.js';

export type StreamServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type StreamSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface StreamOptions {
  capture: CaptureService;
  health: () => HealthReport;
  agentVersion: string;
  logger: Logger;
  /** @default 50 */
  flushIntervalMs?: number;
  /** @default 2000 */
  healthIntervalMs?: number;
  /** Pending records per socket before the oldest are skipped. @default 5000 */
  maxPending?: number;
  /** Records per live batch (the rest go in the next one). @default 1000 */
  maxBatch?: number;
}

/**
 * Records (new ones and updates) per live batch: 1,000 every 50 ms is 20,000/s to a browser
 * that keeps up, twice what B3's 5,000 messages/s take with their updates, while one batch
 * stays a few MB (records average ~3 KB).
 */
export const DEFAULT_MAX_BATCH = 1000;

/**
 * Stored gaps a browser gets when it connects (as many as the web keeps): a gap marked before it
 * connected, such as the downtime a restart records before the server listens, still shows.
 */
export const RECENT_GAPS = 20;

export interface StreamHandle {
  close(): void;
}

interface Subscriber {
  socket: StreamSocket;
  filter: EnvelopeFilter;
  queue: SubscriberQueue;
}

const PAGE = 1000; // CaptureService.query's maximum page

/** The latest `limit` records matching `filter`, oldest first. */
export function historyFor(capture: CaptureService, filter: EnvelopeFilter, limit: number): { items: EnvelopeRecord[]; total: number; totalCapped: boolean } {
  const pages: EnvelopeRecord[][] = [];
  let total = 0;
  let totalCapped = false;
  let before: number | undefined;
  let remaining = limit;
  while (remaining > 0) {
    const page = capture.query(filter, { limit: Math.min(PAGE, remaining), ...(before !== undefined ? { before } : {}) });
    if (pages.length === 0) {
      total = page.total;
      totalCapped = page.totalCapped === true;
    }
    if (page.items.length === 0) break;
    pages.push(page.items);
    remaining -= page.items.length;
    before = Math.min(...page.items.map((r) => r.id));
    if (page.items.length < PAGE) break;
  }
  return { items: pages.flat().sort((a, b) => a.id - b.id), total, totalCapped };
}

/** Safe ack: clients may omit the callback; never let that throw inside the server. */
function reply<T>(ack: unknown, res: Parameters<Ack<T>>[0]): void {
  if (typeof ack === 'function') (ack as Ack<T>)(res);
}

/** Register the stream handlers on `io` and start its timers. */
export function attachStream(io: StreamServer, options: StreamOptions): StreamHandle {
  const { capture, logger } = options;
  const subscribers = new Map<string, Subscriber>();

  const unsubscribe = capture.subscribe({
    onRecord(record, isNew) {
      // An update has no body fields (shared withoutBody), so it cannot be matched against a
      // text filter on args: it goes to whoever was sent the record.
      for (const sub of subscribers.values()) {
        if (isNew ? matchesFilter(record, sub.filter) : sub.queue.has(record.id)) sub.queue.push(record, isNew);
      }
    },
    onGap(gap) {
      io.emit('capture:gap', gap);
    },
  });

  const flushTimer = setInterval(() => {
    for (const sub of subscribers.values()) {
      if (sub.queue.size === 0 || !sub.socket.conn.transport.writable) continue;
      const batch = sub.queue.drain(options.maxBatch ?? DEFAULT_MAX_BATCH);
      if (batch) sub.socket.emit('envelopes:batch', batch);
    }
  }, options.flushIntervalMs ?? 50);

  const healthTimer = setInterval(() => {
    if (io.engine.clientsCount === 0) return;
    io.emit('health:update', options.health());
  }, options.healthIntervalMs ?? 2000);

  io.on('connection', (socket) => {
    socket.emit('hello', { protocolVersion: PROTOCOL_VERSION, agentVersion: options.agentVersion, health: options.health() });
    try {
      for (const gap of capture.gaps().slice(-RECENT_GAPS)) socket.emit('capture:gap', gap);
    } catch (err) {
      logger.error('reading the stored gaps failed', { error: err });
    }

    socket.on('stream:subscribe', (req, ack) => {
      const parsed = parseInput(subscribeRequestSchema, req);
      if (!parsed.ok) return reply(ack, parsed);
      try {
        const { filter, historyLimit } = parsed.value;
        const history = historyFor(capture, filter, historyLimit ?? DEFAULT_HISTORY_LIMIT);
        const sub = subscribers.get(socket.id) ?? { socket, filter, queue: new SubscriberQueue(options.maxPending ?? DEFAULT_MAX_PENDING) };
        sub.filter = filter;
        sub.queue.reset(history.items.map((r) => r.id));
        subscribers.set(socket.id, sub);
        socket.data.filter = filter;
        // As live items: without their context (EnvelopeBatch), which the detail fetches.
        const batch: EnvelopeBatch = { items: history.items.map(withoutContext), updates: [], skipped: 0, history: true };
        socket.emit('envelopes:batch', batch);
        reply(ack, { ok: true, value: { total: history.total, ...(history.totalCapped ? { totalCapped: true } : {}) } });
      } catch (err) {
        logger.error('stream subscribe failed', { error: err });
        reply(ack, { ok: false, error: 'internal error' });
      }
    });

    socket.on('envelope:get', (id, ack) => {
      const parsed = parseInput(recordIdSchema, id);
      if (!parsed.ok) return reply(ack, parsed);
      guarded(ack, () => {
        const detail = capture.get(parsed.value);
        return detail ? { ok: true, value: detail } : { ok: false, error: `envelope ${parsed.value} not found` };
      });
    });

    socket.on('flows:get', (filter, ack) => {
      const parsed = parseInput(envelopeFilterSchema, filter);
      if (!parsed.ok) return reply(ack, parsed);
      guarded(ack, () => ({ ok: true, value: capture.flows(parsed.value) }));
    });

    socket.on('versions:get', (filter, ack) => {
      const parsed = parseInput(envelopeFilterSchema, filter);
      if (!parsed.ok) return reply(ack, parsed);
      guarded(ack, () => ({ ok: true, value: capture.versions(parsed.value) }));
    });

    socket.on('disconnect', () => subscribers.delete(socket.id));
  });

  function guarded<T>(ack: unknown, run: () => Parameters<Ack<T>>[0]): void {
    try {
      reply(ack, run());
    } catch (err) {
      logger.error('stream request failed', { error: err });
      reply(ack, { ok: false, error: 'internal error' });
    }
  }

  return {
    close() {
      clearInterval(flushTimer);
      clearInterval(healthTimer);
      unsubscribe();
      subscribers.clear();
    },
  };
}
