/** `GET /api/health` and the socket `health:update` event. */

export const SOURCE_STATES = ['connecting', 'connected', 'reconnecting', 'stopped', 'demo', 'imported'] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

export interface TracingNodeState {
  node: string;
  tracing: boolean;
}

export interface SourceHealth {
  name: string;
  /** Transport URL with passwords masked. */
  url: string;
  mode: 'firehose' | 'tap' | 'demo' | 'import';
  state: SourceState;
  vhost: string | null;
  /** Host currently connected to. */
  host: string | null;
  /** Firehose: per cluster node; empty if unknown. */
  tracing: TracingNodeState[];
  /** Whether the agent switched tracing on (and so will switch it off on exit). */
  tracingEnabledByAgent: boolean;
  /** Human-readable problems and hints (e.g. `rabbitmqctl trace_on -p / ` needed). */
  warnings: string[];
  /** What this mode cannot see (tap mode: replies through the default exchange). */
  blindSpots: string[];
  lastError: string | null;
  connectedSince: number | null;
  reconnects: number;
  /**
   * Events waiting for the agent in its own capture queue on the broker (firehose or tap),
   * checked every few seconds: how far capture is behind the traffic it watches (0 while it
   * keeps up). Events already on their way over the connection are not in it. null: not known
   * (not connected, not checked yet, or a demo or import source).
   */
  backlog: number | null;
}

/**
 * A capture queue holding this many events or more means the live view lags the traffic
 * noticeably (a second or more at busy-cloud rates): health is `degraded` and the web says so.
 */
export const CAPTURE_BACKLOG_WARN = 10_000;

/** Whether a source's capture is behind the traffic by CAPTURE_BACKLOG_WARN events or more. */
export function isCaptureBehind(source: Pick<SourceHealth, 'backlog'>): boolean {
  return source.backlog !== null && source.backlog >= CAPTURE_BACKLOG_WARN;
}

export interface CaptureCounts {
  /** Messages stored since start (including evicted ones). */
  captured: number;
  /** Messages the agent could not store (fell behind). */
  dropped: number;
  /** Messages evicted by retention. */
  evicted: number;
  /** Messages currently in the store. */
  stored: number;
  storedBytes: number;
  decodeErrors: number;
  signatureFailures: number;
}

export interface SigningHealth {
  keysLoaded: boolean;
  destinations: number;
  requireSigned: number;
}

/** The capture store's writer. */
export interface StoreHealth {
  /** Where the store is written: its writer thread, or the capture thread (configured, or after the writer thread ended). */
  writer: 'thread' | 'inline';
  /**
   * The writer made no progress for its stall time (a hung or failing disk) and has not since:
   * what is captured waits in memory, and capture takes no more from the broker meanwhile.
   */
  stalled: boolean;
  /** New messages captured and not yet written. */
  unwritten: number;
  /** Their raw body bytes (held in memory until written). */
  unwrittenBytes: number;
  /**
   * The store cannot write (disk full, read-only, I/O error): set at the first failed write and
   * cleared by the next one that succeeds. Meanwhile capture holds what it has unwritten (retried
   * every second) and takes no more from the broker: new events wait in its capture queue there.
   */
  writeError: StoreWriteError | null;
  /**
   * Damage found in the capture's files (at open, or by a read since): records whose raw event
   * is missing. They are still listed; their detail says why its raw part is gone, and exports
   * leave them out (counted in the trailer). Empty for an intact capture.
   */
  damage: StoreDamage[];
  /**
   * Set when the capture is open read-only for browsing (its data dir or capture.sqlite is not
   * writable): says which path and why, e.g. `read-only capture: /data is not writable (read-only
   * file system)`. Nothing is captured then. null when the capture is writable.
   */
  readOnly: string | null;
}

/** Why the capture store cannot write. */
export interface StoreWriteError {
  /** The cause in words, e.g. `no space left on device`. */
  message: string;
  /** The file the write failed on (the store's database or a raw segment), when known. */
  path: string | null;
  /** Epoch ms of the first failed write. */
  since: number;
}

/** One damaged part of the capture, e.g. a raw segment file cut short. */
export interface StoreDamage {
  /** In words, e.g. `raw/00000003.seg is truncated (412,000 of 637,934 bytes): 13 records' raw events are missing`. */
  problem: string;
  /** Records affected. */
  records: number;
  /** The damaged file. */
  path: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  version: string;
  demo: boolean;
  replayEnabled: boolean;
  /** `--read-only`: the agent never publishes to a broker (replay is refused whatever else is given). */
  readOnly: boolean;
  showSecrets: boolean;
  sources: SourceHealth[];
  counts: CaptureCounts;
  store: StoreHealth;
  signing: SigningHealth;
  startedAt: number;
}
