/**
 * The capture's memory across runs (ports/capture-continuity.ts), kept in the store's `meta`:
 * the agent's heartbeat (`aliveAt`, written with every batch and every few seconds without one)
 * and each source's last broker count. Read once when the capture opens, so `previousRunAliveAt`
 * is the previous run's last sign of life, not this run's.
 */
import type { BrokerCount, CaptureContinuity, SavedBrokerCount } from '../ports/capture-continuity.js';

const ALIVE_KEY = 'aliveAt';
const COUNT_FIELDS = ['published', 'brokerStartedAt', 'lastId', 'at'] as const;
type CountField = (typeof COUNT_FIELDS)[number];
/** `meta` holds integers only: this stands for an unknown broker start. */
const UNKNOWN = -1;

const countKey = (source: string, field: CountField): string => `brokerCount.${field}:${source}`;

export interface CaptureContinuityOptions {
  /** A stored `meta` value. */
  meta(key: string): number | null;
  now(): number;
  /** The newest record id. */
  lastId(): number;
  /** Write the meta now (with the queued records, or on its own). */
  persist(): void;
  /** Stored messages of `source` after record `afterId` (including those still queued). */
  countAfter(source: string, afterId: number): number;
}

export interface CaptureContinuityState extends CaptureContinuity {
  /** What to write to `meta` with each batch: the heartbeat and the broker counts saved in this run. */
  meta(): Record<string, number>;
}

export function createCaptureContinuity(opts: CaptureContinuityOptions): CaptureContinuityState {
  const previousRunAliveAt = opts.meta(ALIVE_KEY);
  const saved = new Map<string, SavedBrokerCount>();

  function storedCount(source: string): SavedBrokerCount | null {
    const [published, brokerStartedAt, lastId, at] = COUNT_FIELDS.map((f) => opts.meta(countKey(source, f)));
    if (published == null || brokerStartedAt == null || lastId == null || at == null) return null;
    return { published, brokerStartedAt: brokerStartedAt === UNKNOWN ? null : brokerStartedAt, lastId, at };
  }

  return {
    previousRunAliveAt,
    brokerCount: (source) => saved.get(source) ?? storedCount(source),
    saveBrokerCount(source: string, count: BrokerCount) {
      saved.set(source, { ...count, lastId: opts.lastId(), at: opts.now() });
      opts.persist();
    },
    capturedAfter: (source, afterId) => opts.countAfter(source, afterId),
    meta() {
      const out: Record<string, number> = { [ALIVE_KEY]: opts.now() };
      for (const [source, c] of saved) {
        out[countKey(source, 'published')] = c.published;
        out[countKey(source, 'brokerStartedAt')] = c.brokerStartedAt ?? UNKNOWN;
        out[countKey(source, 'lastId')] = c.lastId;
        out[countKey(source, 'at')] = c.at;
      }
      return out;
    },
  };
}
