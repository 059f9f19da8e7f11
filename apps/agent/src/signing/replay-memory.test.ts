import { describe, expect, it } from 'vitest';
import { createKeyRing } from './key-file.js';
import { ReplayMemory } from './replay-memory.js';
import { createSigner } from './signer.js';
import { createVerifier } from './verifier.js';

describe('ReplayMemory', () => {
  it('remembers pairs by source and exact 64-bit nonce', () => {
    const m = new ReplayMemory(10);
    expect(m.checkAndRemember('a', 2n ** 63n)).toBe(false);
    expect(m.checkAndRemember('a', 2n ** 63n + 1n)).toBe(false);
    expect(m.checkAndRemember('b', 2n ** 63n)).toBe(false);
    expect(m.checkAndRemember('a', 2n ** 63n)).toBe(true);
  });

  it('does not confuse sources that differ only in where the separator falls', () => {
    const m = new ReplayMemory(10);
    m.checkAndRemember('a:1', 2n);
    expect(m.checkAndRemember('a', 12n)).toBe(false);
  });

  it('is bounded: evicts the least recently used pair', () => {
    const m = new ReplayMemory(2);
    m.checkAndRemember('s', 1n);
    m.checkAndRemember('s', 2n);
    expect(m.checkAndRemember('s', 1n)).toBe(true); // 1 is now most recently used
    m.checkAndRemember('s', 3n); // evicts 2
    expect(m.size).toBe(2);
    expect(m.checkAndRemember('s', 1n)).toBe(true);
    expect(m.checkAndRemember('s', 2n)).toBe(false); // forgotten, remembered anew (evicts 3)
    expect(m.checkAndRemember('s', 3n)).toBe(false);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new ReplayMemory(0)).toThrow(RangeError);
  });
});

describe('verifier replay memory bound', () => {
  it('reports a replay of an evicted pair as valid, a remembered one as ReplayedNonce', () => {
    const key = Buffer.alloc(16, 7);
    const signer = createSigner();
    const verifier = createVerifier(createKeyRing({ compute: key }), { replayMemory: 2 });
    const sign = (n: number) => signer.signInner(`{"method": "m${n}"}`, { source: 'api.ctl-1', destination: 'compute', key, now: 1764400000 + n });
    const [a, b, c] = [sign(1), sign(2), sign(3)];
    const verdict = (body: string) => verifier.verify({ body, routingTarget: 'compute' });

    expect([a, b, c].map((x) => verdict(x).status)).toEqual(['valid', 'valid', 'valid']); // a evicted by c
    expect(verdict(c).reason).toBe('ReplayedNonce');
    expect(verdict(a).status).toBe('valid');
    expect(verdict(a).reason).toBe('ReplayedNonce');
  });
});
