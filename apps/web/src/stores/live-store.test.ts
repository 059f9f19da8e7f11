import { beforeEach, describe, expect, it } from 'vitest';
import type { EnvelopeBatch, EnvelopeRecord } from '@osloscope/shared';
import { makeRecord } from '../test/make-record';
import {
  applyLiveEvents,
  initialLiveState,
  liveStore,
  pauseLive,
  resumeLive,
  type LiveEvent,
} from './live-store';

const batch = (items: EnvelopeRecord[], updates: EnvelopeRecord[] = [], skipped = 0): LiveEvent => ({
  type: 'batch',
  batch: { items, updates, skipped, history: false } satisfies EnvelopeBatch,
});
const range = (from: number, to: number): EnvelopeRecord[] =>
  Array.from({ length: to - from + 1 }, (_, i) => makeRecord(from + i));

describe('applyLiveEvents (bounded buffer)', () => {
  it('never holds more than the cap and evicts the oldest first', () => {
    let s = initialLiveState();
    for (let b = 0; b < 10; b++) s = { ...s, ...applyLiveEvents(s, [batch(range(b * 30 + 1, b * 30 + 30))], 100) };
    expect(s.ids).toHaveLength(100);
    expect(s.byId.size).toBe(100);
    expect(s.ids[0]).toBe(201);
    expect(s.ids[99]).toBe(300);
    expect(s.byId.has(200)).toBe(false);
    expect(s.evictedLocal).toBe(200);
    expect(s.received).toBe(300);
  });

  it('applies updates in place, keeping the body fields they leave out, and ignores updates for evicted records', () => {
    const first = [makeRecord(1), makeRecord(2, { args: { instance: 'i-2' }, context: { user: 'demo' } }), makeRecord(3)];
    let s = { ...initialLiveState(), ...applyLiveEvents(initialLiveState(), [batch(first)], 10) };
    // What the agent streams for a change: the record without args and context (shared withoutBody).
    const updated = makeRecord(2, { args: null, context: null, outcome: { status: 'error', latencyMs: 40, replyId: 9, failure: null, heartbeats: 1 } });
    s = { ...s, ...applyLiveEvents(s, [batch([], [updated, makeRecord(99)])], 10) };
    expect(s.ids).toEqual([1, 2, 3]);
    expect(s.byId.get(2)).toMatchObject({ outcome: { status: 'error' }, args: { instance: 'i-2' }, context: { user: 'demo' } });
    expect(s.byId.has(99)).toBe(false);
  });

  it('keeps ids ascending when history arrives after live records, without duplicates', () => {
    let s = { ...initialLiveState(), ...applyLiveEvents(initialLiveState(), [batch(range(10, 12))], 10) };
    s = { ...s, ...applyLiveEvents(s, [batch([makeRecord(5), makeRecord(11), makeRecord(7)])], 10) };
    expect(s.ids).toEqual([5, 7, 10, 11, 12]);
  });

  it('keeps the latest gaps and replaces an open gap when it closes', () => {
    const open: LiveEvent = { type: 'gap', gap: { source: 'a', from: 1, to: null, reason: 'broker down' } };
    const closed: LiveEvent = { type: 'gap', gap: { source: 'a', from: 1, to: 5, reason: 'broker down' } };
    const s = applyLiveEvents(initialLiveState(), [open, closed], 10);
    expect(s.gaps).toEqual([{ source: 'a', from: 1, to: 5, reason: 'broker down' }]);
  });

  it('keeps the failed-signature count in step with inserts, updates and evictions', () => {
    const bad = (id: number) => makeRecord(id, { signature: { status: 'failed', reason: 'InvalidSignature' } });
    let s = { ...initialLiveState(), ...applyLiveEvents(initialLiveState(), [batch([bad(1), makeRecord(2), bad(3)])], 3) };
    expect(s.failedSignatures).toBe(2);
    s = { ...s, ...applyLiveEvents(s, [batch([], [makeRecord(3)])], 3) }; // re-verified
    expect(s.failedSignatures).toBe(1);
    s = { ...s, ...applyLiveEvents(s, [batch([makeRecord(4)])], 3) }; // evicts 1
    expect(s.failedSignatures).toBe(0);
  });

  it('adds up skipped counts reported by the agent', () => {
    const s = applyLiveEvents(initialLiveState(), [batch([], [], 3), batch([], [], 4)], 10);
    expect(s.skipped).toBe(7);
  });
});

describe('pause / resume', () => {
  beforeEach(() => liveStore.setState(initialLiveState(), true));

  it('freezes the view, keeps receiving, and counts "N new"', () => {
    liveStore.setState((s) => applyLiveEvents(s, [batch(range(1, 5))], 100));
    pauseLive();
    liveStore.setState((s) => applyLiveEvents(s, [batch(range(6, 8))], 100));
    liveStore.setState((s) => applyLiveEvents(s, [batch(range(9, 9), [makeRecord(2)])], 100));
    const s = liveStore.getState();
    expect(s.frozenIds).toEqual([1, 2, 3, 4, 5]);
    expect(s.ids).toHaveLength(9);
    expect(s.newWhilePaused).toBe(4);
    resumeLive();
    expect(liveStore.getState().frozenIds).toBeNull();
    expect(liveStore.getState().newWhilePaused).toBe(0);
  });
});
