/**
 * Keeps a derived model (chart series, flow graph) in step with the record buffer from each
 * commit's change, so a frame costs O(records that changed), not O(buffer). Whenever the
 * chain of changes is broken (first call, buffer cleared on a filter change, a missed
 * version) the model is rebuilt from the whole buffer instead.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { EnvelopeRecord } from '@osloscope/shared';
import type { LiveState } from './live-store';
import type { BufferChange, RecordBuffer } from './record-buffer';

/** A model built from buffered records that can also add and take back single records. */
export interface RecordSink {
  clear(): void;
  add(rec: EnvelopeRecord): void;
  remove(rec: EnvelopeRecord): void;
}

/** Feeds one commit's change to `sink` in the order the change documents. */
export function applyChange(sink: RecordSink, change: BufferChange): void {
  for (const rec of change.added) sink.add(rec);
  for (const { prev, next } of change.replaced) {
    sink.remove(prev);
    sink.add(next);
  }
  for (const rec of change.evicted) sink.remove(rec);
}

/** Empties `sink` and adds every buffered record, oldest first. */
export function rebuildFrom(sink: RecordSink, records: RecordBuffer): void {
  sink.clear();
  for (const rec of records.records()) sink.add(rec);
}

/**
 * Rebuilds `sink` from `records` now (unless it was already built at their current version,
 * `builtAt`) and then follows every change `store` announces; `onChange` runs after the sink
 * changed. Returns the unsubscribe function.
 */
export function followLive(
  store: StoreApi<LiveState>,
  records: RecordBuffer,
  sink: RecordSink,
  onChange: () => void = () => {},
  builtAt: number | null = null,
): () => void {
  let seen = records.version;
  if (builtAt !== seen) {
    rebuildFrom(sink, records);
    onChange();
  }
  return store.subscribe(() => {
    if (records.version === seen) return; // pause, totals, gaps…
    const change = records.changeSince(seen);
    if (change) applyChange(sink, change);
    else rebuildFrom(sink, records);
    seen = records.version;
    onChange();
  });
}
