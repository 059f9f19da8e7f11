import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

describe('createRateLimiter', () => {
  it('allows max per window and says when the next slot frees up', () => {
    let t = 1000;
    const limiter = createRateLimiter(2, 10_000, () => t);
    expect(limiter.take().ok).toBe(true);
    t = 4000;
    expect(limiter.take().ok).toBe(true);
    expect(limiter.take()).toEqual({ ok: false, retryAfterMs: 7000 });
    t = 11_000;
    expect(limiter.take().ok).toBe(true);
  });
});
