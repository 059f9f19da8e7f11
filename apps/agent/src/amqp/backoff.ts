/** Reconnect delays: exponential backoff between a floor and a ceiling. */
export interface BackoffOptions {
  /** First delay after a failure, ms. */
  initialMs: number;
  /** Ceiling, ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * Delay before reconnect attempt number `attempt` (0 = first attempt after a loss):
 * initialMs · 2^attempt, capped at maxMs. Bad options fall back to the defaults
 * rather than producing a zero-delay reconnect storm.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const initial = Number.isFinite(opts.initialMs) && opts.initialMs > 0 ? opts.initialMs : DEFAULT_BACKOFF.initialMs;
  const max = Number.isFinite(opts.maxMs) && opts.maxMs >= initial ? opts.maxMs : Math.max(initial, DEFAULT_BACKOFF.maxMs);
  const n = Math.max(0, Math.floor(attempt));
  // 2^31 is beyond any ceiling; avoid Infinity arithmetic for large attempt counts.
  if (n >= 31) return max;
  return Math.min(max, initial * 2 ** n);
}
