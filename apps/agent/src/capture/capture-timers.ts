/**
 * The capture core's clocks: hand the write queue to the store writer, sweep (calls past their
 * deadline time out; records the directory can name now are filled in), and the heartbeat
 * (the store says when the agent was last alive, even while no message comes).
 */

/**
 * The write queue goes to the store writer at least this often (and at 1,000 records). Every
 * commit writes each touched page of ten indexes and the text index's new segment, so fewer,
 * larger batches cost the writer far less. Nothing waits on it: the stream is sent from memory
 * and queries hand the queue over first; only health's `stored` lags by up to this.
 */
export const FLUSH_INTERVAL_MS = 200;
export const SWEEP_INTERVAL_MS = 500;
/** How stale the store's last sign of life may be when the agent is killed: a downtime gap starts there. */
export const HEARTBEAT_INTERVAL_MS = 5000;

export interface CaptureTimers {
  stop(): void;
}

export function startCaptureTimers(tasks: { flush(): void; sweep(): void; heartbeat(): void }): CaptureTimers {
  const timers = [
    setInterval(tasks.flush, FLUSH_INTERVAL_MS),
    setInterval(tasks.sweep, SWEEP_INTERVAL_MS),
    setInterval(tasks.heartbeat, HEARTBEAT_INTERVAL_MS),
  ];
  // The agent's lifetime is decided by its sources and server, never by these.
  for (const t of timers) t.unref();
  return {
    stop() {
      for (const t of timers) clearInterval(t);
    },
  };
}
