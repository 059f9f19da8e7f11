import type { CaptureCounts, CaptureGap, EnvelopeDetail, EnvelopeFilter, EnvelopeRecord, FlowAggregate, StoreHealth, VersionReport } from '@osloscope/shared';
import type { RawCapture } from './raw-capture.js';

export interface PageRequest {
  /** @default 100, max 1000 */
  limit?: number;
  /** Only ids strictly below (older than) this. */
  before?: number;
  /** Only ids strictly above (newer than) this. */
  after?: number;
}

/** What an export wrote, as its last line (the trailer, capture/ndjson.ts) says. */
export interface ExportTrailer {
  /** Record lines written. */
  lines: number;
  /** Records the filter matched that were left out: their raw event is lost (a damaged capture). */
  missing: number;
  /** Why, e.g. `raw/00000003.seg is truncated: 13 records left out`. */
  reasons: string[];
}

/** The capture is open read-only, for browsing: what would write to it (an import) is refused with the reason. */
export class ReadOnlyCaptureError extends Error {
  override name = 'ReadOnlyCaptureError';
}

export interface CaptureListener {
  /**
   * A record was stored (`isNew`, without its context: shared `withoutContext`) or an existing
   * one changed (reply linked, delivered, timed out; without its body fields: `withoutBody`).
   * Secrets are masked unless the agent shows them. `get` gives the whole record.
   */
  onRecord?(record: EnvelopeRecord, isNew: boolean): void;
  onGap?(gap: CaptureGap): void;
}

/**
 * The capture core: decode → verify signature → correlate → store, and the queries the
 * API and the stream need. Implemented by `capture/capture-core.ts`; the serving layer
 * and the sources only see this interface.
 */
export interface CaptureService {
  ingest(raw: RawCapture): void;
  /** Called by sources when capture is interrupted / resumes. */
  markGap(gap: CaptureGap): void;
  /** Count a message a source could not hand over (fell behind). */
  countDropped(n: number): void;
  /**
   * Whether the capture takes more now. False while the store cannot write, its writer is
   * stalled or its write queue is full: a broker source then holds its acks, so new events wait
   * in its capture queue on the broker rather than in the agent's memory.
   */
  acceptsMore(): boolean;
  /**
   * The agent's replay is about to publish a message with this `_unique_id`: its record gets
   * `replayOf: originalId`. The only way a record is marked as a replay (no header on the wire).
   */
  linkReplay(uniqueId: string, originalId: number): void;
  /** `total` counts matches up to a cap; `totalCapped` means more match than `total` (a lower bound). */
  query(filter: EnvelopeFilter, page: PageRequest): { items: EnvelopeRecord[]; total: number; totalCapped?: boolean };
  get(id: number): EnvelopeDetail | null;
  /**
   * Raw body + facts needed to replay a message (exact bytes, never masked); `body` null with
   * `rawMissing` (why, in words) when its raw event is lost.
   */
  getRaw(id: number): { record: EnvelopeRecord; body: Uint8Array } | { record: EnvelopeRecord; body: null; rawMissing: string } | null;
  flows(filter: EnvelopeFilter): FlowAggregate[];
  versions(filter: EnvelopeFilter): VersionReport[];
  gaps(): CaptureGap[];
  counts(): CaptureCounts;
  /** The store's state (health): a stalled writer, damage found, a read-only capture degrade the agent's health. */
  storeHealth(): StoreHealth;
  /**
   * NDJSON lines (no trailing newline per call), secrets masked unless showSecrets, ending with
   * the trailer line; returns what the trailer says.
   */
  exportNdjson(filter: EnvelopeFilter, write: (line: string) => void): ExportTrailer;
  /** @throws ReadOnlyCaptureError when the capture is read-only */
  importNdjson(lines: AsyncIterable<string> | Iterable<string>): Promise<{ imported: number; errors: number }>;
  subscribe(listener: CaptureListener): () => void;
  /** Flush pending writes (batched inserts) and run timeout detection now. */
  flush(): void;
  close(): void;
}
