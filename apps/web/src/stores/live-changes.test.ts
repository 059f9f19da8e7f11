import { describe, expect, it } from 'vitest';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EnvelopeRecord } from '@osloscope/shared';
import { makeRecord } from '../test/make-record';
import { followLive, rebuildFrom, type RecordSink } from './live-changes';
import { applyLiveEvents, initialLiveState, type LiveState } from './live-store';

/** A sink that keeps the set of ids it holds and counts rebuilds. */
function idSink(): RecordSink & { ids: Set<number>; clears: number } {
  const sink = {
    ids: new Set<number>(),
    clears: 0,
    clear: () => {
      sink.ids.clear();
      sink.clears++;
    },
    add: (r: EnvelopeRecord) => void sink.ids.add(r.id),
    remove: (r: EnvelopeRecord) => void sink.ids.delete(r.id),
  };
  return sink;
}

const push = (store: StoreApi<LiveState>, ids: number[], cap = 3) =>
  store.setState((s) => applyLiveEvents(s, [{ type: 'batch', batch: { items: ids.map((id) => makeRecord(id)), updates: [], skipped: 0, history: false } }], cap));

describe('followLive', () => {
  it('follows applies change by change and rebuilds after a reset', () => {
    const store = createStore<LiveState>()(initialLiveState);
    push(store, [1, 2]);
    const sink = idSink();
    const stop = followLive(store, sink);
    expect([...sink.ids]).toEqual([1, 2]);
    push(store, [3, 4]); // evicts 1
    expect([...sink.ids].sort()).toEqual([2, 3, 4]);
    expect(sink.clears).toBe(1);
    store.setState({ paused: true }); // not an apply: nothing to do
    store.setState({ ...initialLiveState() }); // reset: new buffer
    push(store, [9]);
    expect([...sink.ids]).toEqual([9]);
    expect(sink.clears).toBe(2);
    stop();
    push(store, [10]);
    expect([...sink.ids]).toEqual([9]);
  });

  it('does not rebuild a sink already built from the current state', () => {
    const store = createStore<LiveState>()(initialLiveState);
    push(store, [1, 2]);
    const sink = idSink();
    rebuildFrom(sink, store.getState());
    const { version, byId } = store.getState();
    followLive(store, sink, undefined, { version, byId });
    expect(sink.clears).toBe(1);
    push(store, [3]);
    expect([...sink.ids].sort()).toEqual([1, 2, 3]);
  });
});
