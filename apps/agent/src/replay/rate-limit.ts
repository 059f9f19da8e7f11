/** Sliding-window limiter: at most `max` events per `windowMs`. */
export interface RateLimiter {
  /** Take one slot; `retryAfterMs` > 0 when refused. */
  take(): { ok: true } | { ok: false; retryAfterMs: number };
}

export function createRateLimiter(max: number, windowMs: number, now: () => number = Date.now): RateLimiter {
  const times: number[] = [];
  return {
    take() {
      const t = now();
      while (times.length > 0 && times[0]! <= t - windowMs) times.shift();
      if (times.length >= max) return { ok: false, retryAfterMs: times[0]! + windowMs - t };
      times.push(t);
      return { ok: true };
    },
  };
}
