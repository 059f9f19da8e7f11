/**
 * Keeps a derived model (chart series, flow graph) in step with the live buffer from each
 * apply's `lastChange`, so a frame costs O(records that changed), not O(buffer). Whenever the
 * chain of changes is broken (first call, buffer reset on a filter change, a missed version)
 * the model is rebuilt from the whole buffer instead.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { EnvelopeRecord } from '@osloscope/shared';
import type { LiveChange, LiveState } from './live-store';

/** A model built from buffered records that can also add and take back single records. */
export interface RecordSink {
  clear(): void;
  add(rec: EnvelopeRecord): void;
  remove(rec: EnvelopeRecord): void;
}

/** Feeds one apply's change to `sink` in the order the change documents. */
export function applyChange(sink: RecordSink, change: LiveChange): void {
  for (const rec of change.added) sink.add(rec);
  for (const { prev, next } of change.replaced) {
    sink.remove(prev);
    sink.add(next);
  }
  for (const rec of change.evicted) sink.remove(rec);
}

/** Empties `sink` and adds every buffered record, oldest first. */
export function rebuildFrom(sink: RecordSink, live: LiveState): void {
  sink.clear();
  for (const id of live.ids) {
    const rec = live.byId.get(id);
    if (rec) sink.add(rec);
  }
}

/** Whether `live` is exactly one apply after `seen`, on the same buffer. */
export function isNextApply(seen: Pick<LiveState, 'version' | 'byId'>, live: LiveState): live is LiveState & { lastChange: LiveChange } {
  return live.byId === seen.byId && live.version === seen.version + 1 && live.lastChange !== null;
}

/**
 * Rebuilds `sink` from the store now (unless it was already built from the store's current
 * state, `builtAt`) and then follows every store update; `onChange` runs after the sink
 * changed. Returns the unsubscribe function.
 */
export function followLive(
  store: StoreApi<LiveState>,
  sink: RecordSink,
  onChange: () => void = () => {},
  builtAt: Pick<LiveState, 'version' | 'byId'> | null = null,
): () => void {
  let seen: Pick<LiveState, 'version' | 'byId'> = store.getState();
  if (builtAt?.byId !== seen.byId || builtAt.version !== seen.version) {
    rebuildFrom(sink, store.getState());
    onChange();
  }
  return store.subscribe((live) => {
    if (live.byId === seen.byId && live.version === seen.version) return; // pause, totals, gaps…
    if (isNextApply(seen, live)) applyChange(sink, live.lastChange);
    else rebuildFrom(sink, live);
    seen = { version: live.version, byId: live.byId };
    onChange();
  });
}
