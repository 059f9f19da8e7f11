// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvelopeBatch, EnvelopeRecord } from '@osloscope/shared';
import { makeRecord } from '../test/make-record';
import {
  applyLiveEvents,
  initialLiveState,
  isPaused,
  liveRecords,
  liveStore,
  pauseLive,
  receiveLiveEvents,
  resetLiveBuffer,
  resumeLive,
  setMatchingTotal,
  useBufferedRecord,
  type LiveEvent,
} from './live-store';
import { RecordBuffer } from './record-buffer';

const batch = (items: EnvelopeRecord[], updates: EnvelopeRecord[] = [], skipped = 0): LiveEvent => ({
  type: 'batch',
  batch: { items, updates, skipped, history: false } satisfies EnvelopeBatch,
});
const range = (from: number, to: number): EnvelopeRecord[] => Array.from({ length: to - from + 1 }, (_, i) => makeRecord(from + i));

/** A fresh buffer and its state, fed frame by frame the way the store is. */
function fresh() {
  const records = new RecordBuffer();
  let state = initialLiveState(records);
  return {
    records,
    state: () => state,
    frame: (events: LiveEvent[], cap = 10) => (state = { ...state, ...applyLiveEvents(records, state, events, cap) }),
  };
}

describe('applyLiveEvents (one frame into the bounded buffer)', () => {
  it('never holds more than the cap, evicts the oldest first, and counts what it received and evicted', () => {
    const live = fresh();
    for (let b = 0; b < 10; b++) live.frame([batch(range(b * 30 + 1, b * 30 + 30))], 100);
    const s = live.state();
    expect([s.buffered, s.evictedLocal, s.received]).toEqual([100, 200, 300]);
    expect([live.records.ids()[0], live.records.ids()[99], live.records.get(200)]).toEqual([201, 300, undefined]);
  });

  it('announces every frame with the buffer version, so subscribers know the records changed', () => {
    const live = fresh();
    const before = live.state().version;
    live.frame([batch([makeRecord(1)])]);
    live.frame([batch([], [makeRecord(1, { method: 'changed' })])]);
    expect(live.state().version).toBe(before + 2);
    expect(live.state().version).toBe(live.records.version);
    expect(live.records.get(1)?.method).toBe('changed');
  });

  it('keeps the latest gaps and replaces an open gap when it closes', () => {
    const open: LiveEvent = { type: 'gap', gap: { source: 'a', from: 1, to: null, reason: 'broker down' } };
    const closed: LiveEvent = { type: 'gap', gap: { source: 'a', from: 1, to: 5, reason: 'broker down' } };
    expect(fresh().frame([open, closed]).gaps).toEqual([{ source: 'a', from: 1, to: 5, reason: 'broker down' }]);
  });

  it('mirrors the failed-signature count of the buffer', () => {
    const live = fresh();
    const bad = (id: number) => makeRecord(id, { signature: { status: 'failed', reason: 'InvalidSignature' } });
    expect(live.frame([batch([bad(1), makeRecord(2), bad(3)])], 3).failedSignatures).toBe(2);
    expect(live.frame([batch([], [makeRecord(3)])], 3).failedSignatures).toBe(1); // re-verified
    expect(live.frame([batch([makeRecord(4)])], 3).failedSignatures).toBe(0); // evicts 1
  });

  it('adds up skipped counts reported by the agent', () => {
    expect(fresh().frame([batch([], [], 3), batch([], [], 4)]).skipped).toBe(7);
  });
});

describe('the live store', () => {
  beforeEach(() => {
    resetLiveBuffer();
    liveStore.setState({ gaps: [] });
  });
  afterEach(cleanup);

  it('one receive is one store update, whose version is the buffer version', () => {
    let updates = 0;
    const unsubscribe = liveStore.subscribe(() => updates++);
    receiveLiveEvents([batch(range(1, 3)), batch(range(4, 5))]);
    unsubscribe();
    expect(updates).toBe(1);
    expect(liveStore.getState()).toMatchObject({ version: liveRecords.version, buffered: 5, received: 5 });
  });

  it('pause freezes the view, keeps receiving, and counts "N new"; resume lets go', () => {
    receiveLiveEvents([batch(range(1, 5))], 100);
    pauseLive();
    receiveLiveEvents([batch(range(6, 8))], 100);
    receiveLiveEvents([batch(range(9, 9), [makeRecord(2)])], 100);
    const s = liveStore.getState();
    expect(isPaused(s)).toBe(true);
    expect([...liveRecords.viewIds()]).toEqual([1, 2, 3, 4, 5]);
    expect([s.buffered, s.newWhilePaused]).toEqual([9, 4]);
    resumeLive();
    expect(isPaused(liveStore.getState())).toBe(false);
    expect(liveStore.getState().newWhilePaused).toBe(0);
    expect(liveRecords.viewIds()).toHaveLength(9);
  });

  it('reset empties the buffer, resumes, and keeps the gaps', () => {
    const gap = { source: 'a', from: 1, to: null, reason: 'broker down' };
    receiveLiveEvents([batch(range(1, 3)), { type: 'gap', gap }]);
    setMatchingTotal(40, false);
    pauseLive();
    const before = liveStore.getState().version;
    resetLiveBuffer();
    const s = liveStore.getState();
    expect(s).toMatchObject({ buffered: 0, received: 0, frozenAt: null, matchingTotal: null, gaps: [gap] });
    expect(s.version).toBeGreaterThan(before);
    expect(liveRecords.size).toBe(0);
  });

  it('useBufferedRecord re-renders a row when its record changes, not when others do', () => {
    receiveLiveEvents([batch([makeRecord(1), makeRecord(2)])]);
    let renders = 0;
    const { result } = renderHook(() => {
      renders++;
      return useBufferedRecord(1);
    });
    expect(result.current?.outcome?.status).toBe('ok');
    act(() => receiveLiveEvents([batch([makeRecord(3)], [makeRecord(2, { method: 'other' })])]));
    expect(renders).toBe(1);
    act(() => receiveLiveEvents([batch([], [makeRecord(1, { outcome: { status: 'error', latencyMs: 3, replyId: 4, failure: null, heartbeats: 0 } })])]));
    expect(renders).toBe(2);
    expect(result.current?.outcome?.status).toBe('error');
    act(() => receiveLiveEvents([batch(range(4, 20))], 10)); // evicts 1
    expect(result.current).toBeUndefined();
  });
});
