/** Aggregates the agent computes (HTTP `/api/flows`, `/api/versions`). */
import type { TargetTuple } from './envelope.js';

export interface LatencyStats {
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** Per target tuple (exchange, topic, namespace, version, server, fanout). */
export interface FlowAggregate {
  key: string;
  target: TargetTuple;
  calls: number;
  casts: number;
  fanouts: number;
  errors: number;
  errorsByClass: Record<string, number>;
  timeouts: number;
  pending: number;
  latencyMs: LatencyStats;
  /** Client identities (process name when known, else connection / reply queue). */
  clients: string[];
  servers: string[];
  signatureFailures: number;
  firstAt: number;
  lastAt: number;
}

export interface VersionOutcomeCount {
  version: string;
  sent: number;
  ok: number;
  unsupportedVersion: number;
  noSuchMethod: number;
  otherErrors: number;
  timeouts: number;
  pending: number;
  /** Casts and fanouts: no reply comes back, so their outcome is not visible on the wire. */
  casts: number;
  /** Clients that sent this version. */
  clients: string[];
  methods: string[];
}

export interface VersionFailure {
  version: string;
  method: string | null;
  class: 'UnsupportedVersion' | 'NoSuchMethod';
  server: string | null;
  count: number;
}

export interface ServerVersionRange {
  server: string;
  highestAccepted: string | null;
  lowestRejected: string | null;
}

/** Per (exchange, topic, namespace). */
export interface VersionReport {
  key: string;
  exchange: string;
  topic: string;
  namespace: string | null;
  versions: VersionOutcomeCount[];
  failures: VersionFailure[];
  servers: ServerVersionRange[];
  /** Clients are sending several versions, some rejected: rolling upgrade or missing pin. */
  mixedVersions: boolean;
  /** Plain-language flag for operators, or null. */
  warning: string | null;
}
