/**
 * Builds the `HealthReport` served at `GET /api/health` and pushed as `health:update`.
 */
import { isCaptureBehind, type CaptureCounts, type HealthReport, type SigningHealth, type SourceHealth, type StoreHealth } from '@osloscope/shared';

export interface HealthInputs {
  agentVersion: string;
  startedAt: number;
  sources: () => SourceHealth[];
  counts: () => CaptureCounts;
  store: () => StoreHealth;
  signing: SigningHealth;
  demo: boolean;
  replayEnabled: boolean;
  /** `--read-only`. @default false */
  readOnly?: boolean;
  showSecrets: boolean;
}

const CAPTURING_STATES = new Set<SourceHealth['state']>(['connected', 'demo', 'imported']);

/**
 * `ok`: every source is capturing and none reports a problem. `degraded`: some capture
 * works but a source is reconnecting or warns (e.g. tracing off on a node), a source's
 * capture queue holds CAPTURE_BACKLOG_WARN events or more (the live view lags the traffic),
 * the store's writer is stalled, or the store cannot write (`writeError`: disk full, ...):
 * what is captured waits in memory, new events in the broker; or the store found damage (raw
 * events lost); also a read-only capture, which is browsed and captures nothing by necessity,
 * not by failing. `down`: no source is capturing (browsing stored data still works).
 */
export function healthStatus(sources: readonly SourceHealth[], store?: StoreHealth): HealthReport['status'] {
  if (store?.readOnly) return 'degraded';
  const capturing = sources.filter((s) => CAPTURING_STATES.has(s.state));
  if (capturing.length === 0) return 'down';
  if (store?.stalled || store?.writeError || (store?.damage.length ?? 0) > 0) return 'degraded';
  // lastError is history (kept so the UI can say what happened); a source that
  // reconnected and captures again is not a problem any more.
  const troubled = sources.some((s) => !CAPTURING_STATES.has(s.state) || s.warnings.length > 0 || isCaptureBehind(s));
  return troubled ? 'degraded' : 'ok';
}

/** A function that builds a fresh report on each call. */
export function createHealthReporter(inputs: HealthInputs): () => HealthReport {
  return () => {
    const sources = inputs.sources();
    const store = inputs.store();
    return {
      status: healthStatus(sources, store),
      version: inputs.agentVersion,
      demo: inputs.demo,
      replayEnabled: inputs.replayEnabled,
      readOnly: inputs.readOnly ?? false,
      showSecrets: inputs.showSecrets,
      sources,
      counts: inputs.counts(),
      store,
      signing: inputs.signing,
      startedAt: inputs.startedAt,
    };
  };
}
