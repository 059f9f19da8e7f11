import { describe, expect, it } from 'vitest';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EnvelopeRecord } from '@osloscope/shared';
import { makeRecord } from '../test/make-record';
import { followLive, rebuildFrom, type RecordSink } from './live-changes';
import { applyLiveEvents, initialLiveState, type LiveState } from './live-store';
import { RecordBuffer } from './record-buffer';

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

/** A buffer and a store announcing it, as live-store.ts pairs them. */
function live() {
  const records = new RecordBuffer();
  const store: StoreApi<LiveState> = createStore<LiveState>()(() => initialLiveState(records));
  const push = (ids: number[], cap = 3) =>
    store.setState((s) =>
      applyLiveEvents(records, s, [{ type: 'batch', batch: { items: ids.map((id) => makeRecord(id)), updates: [], skipped: 0, history: false } }], cap),
    );
  return { records, store, push };
}

describe('followLive', () => {
  it('follows commits change by change and rebuilds after a clear', () => {
    const { records, store, push } = live();
    push([1, 2]);
    const sink = idSink();
    const stop = followLive(store, records, sink);
    expect([...sink.ids]).toEqual([1, 2]);
    push([3, 4]); // evicts 1
    expect([...sink.ids].sort()).toEqual([2, 3, 4]);
    expect(sink.clears).toBe(1);
    store.setState({ frozenAt: records.version }); // not a commit: nothing to do
    expect(sink.clears).toBe(1);
    records.clear(); // reset: no change to follow
    store.setState(initialLiveState(records));
    push([9]);
    expect([...sink.ids]).toEqual([9]);
    expect(sink.clears).toBe(2);
    stop();
    push([10]);
    expect([...sink.ids]).toEqual([9]);
  });

  it('rebuilds when it missed a commit', () => {
    const { records, store, push } = live();
    const sink = idSink();
    followLive(store, records, sink);
    // Two commits announced by one setState: the sink cannot follow the first one's change.
    records.append(makeRecord(1));
    records.commit();
    push([2], 10);
    expect([...sink.ids].sort()).toEqual([1, 2]);
    expect(sink.clears).toBe(2);
  });

  it('does not rebuild a sink already built from the current version', () => {
    const { records, store, push } = live();
    push([1, 2]);
    const sink = idSink();
    rebuildFrom(sink, records);
    followLive(store, records, sink, undefined, records.version);
    expect(sink.clears).toBe(1);
    push([3]);
    expect([...sink.ids].sort()).toEqual([1, 2, 3]);
  });
});
