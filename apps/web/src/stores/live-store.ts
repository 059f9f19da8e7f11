/**
 * Live data from the agent: the record buffer (`liveRecords`, outside zustand, see
 * record-buffer.ts) and the zustand store (`liveStore`) that says when it changed.
 *
 * The store's state holds versions and small scalars only, replaced on every change:
 * `version` is the buffer's version, `frozenAt` the version the paused view froze at.
 * Components subscribe to the store and read records through the buffer's accessors in
 * their selector (`useBufferedRecord`, the visible-rows selector); since the buffer is
 * written only here, in the same call as the `setState` that announces it, what a selector
 * reads always matches the state it was called with.
 *
 * Writers: `connection/socket.ts` (one `receiveLiveEvents` per frame, through the frame
 * batcher) and the pause/reset actions below.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { CaptureGap, EnvelopeBatch, EnvelopeRecord } from '@osloscope/shared';
import { RecordBuffer } from './record-buffer';

/** Records kept in the browser; older ones are evicted first. */
export const DEFAULT_BUFFER_CAP = 20_000;
/** Gaps shown in the stream banner. */
const MAX_GAPS = 20;

export interface LiveState {
  /** The buffer's version: changes whenever its records do. */
  version: number;
  /** Paused: the buffer version the stream view froze at (capture continues); null while live. */
  frozenAt: number | null;
  /** Records in the buffer. */
  buffered: number;
  /** Buffered records whose signature failed. */
  failedSignatures: number;
  /** Latest capture gaps (at most MAX_GAPS), replaced on change. */
  gaps: CaptureGap[];
  /** Records received since the last reset (history and live). */
  received: number;
  /** Records dropped from the buffer for the cap since the last reset. */
  evictedLocal: number;
  /** Matching messages the agent did not send (slow-client coalescing). */
  skipped: number;
  /** New records received while paused ("N new"). */
  newWhilePaused: number;
  /** Stored messages matching the subscription, from the agent's subscribe ack (`capped`: lower bound). */
  matchingTotal: { total: number; capped: boolean } | null;
}

/** One thing the socket delivered, queued until the next frame. */
export type LiveEvent = { type: 'batch'; batch: EnvelopeBatch } | { type: 'gap'; gap: CaptureGap };

/** The state for `records` as they are, with no totals yet. */
export function initialLiveState(records: RecordBuffer): LiveState {
  return {
    version: records.version,
    frozenAt: records.frozenAt,
    buffered: records.size,
    failedSignatures: records.failedSignatures,
    gaps: [],
    received: 0,
    evictedLocal: 0,
    skipped: 0,
    newWhilePaused: 0,
    matchingTotal: null,
  };
}

/** The records behind `liveStore`. Read it in a selector of `liveStore`; write it only through the actions below. */
export const liveRecords = new RecordBuffer();
export const liveStore = createStore<LiveState>()(() => initialLiveState(liveRecords));

/**
 * Writes one frame's events into `records` (one commit) and returns the state patch that
 * announces it. Separate from the store so tests can drive their own buffer.
 */
export function applyLiveEvents(records: RecordBuffer, state: LiveState, events: readonly LiveEvent[], cap: number): Partial<LiveState> {
  let gaps = state.gaps;
  let received = state.received;
  let skipped = state.skipped;
  let newWhilePaused = state.newWhilePaused;
  const paused = records.frozenAt !== null;

  for (const event of events) {
    if (event.type === 'gap') {
      // A gap update (same source and start) replaces the open one.
      const rest = gaps.filter((g) => !(g.source === event.gap.source && g.from === event.gap.from));
      gaps = [...rest, event.gap].slice(-MAX_GAPS);
      continue;
    }
    const { items, updates } = event.batch;
    skipped += event.batch.skipped;
    for (const rec of items) {
      received++;
      if (records.append(rec) && paused) newWhilePaused++;
    }
    for (const rec of updates) records.update(rec);
  }
  const evicted = records.evictOver(cap);
  return {
    version: records.commit(),
    buffered: records.size,
    failedSignatures: records.failedSignatures,
    gaps,
    received,
    skipped,
    newWhilePaused,
    evictedLocal: state.evictedLocal + evicted,
  };
}

/** Applies what the socket delivered since the last frame: one buffer commit, one `setState`. */
export function receiveLiveEvents(events: readonly LiveEvent[], cap = DEFAULT_BUFFER_CAP): void {
  liveStore.setState((s) => applyLiveEvents(liveRecords, s, events, cap));
}

/** Freezes the visible list; capture continues into the buffer. */
export function pauseLive(): void {
  if (liveRecords.frozenAt !== null) return;
  liveRecords.freezeView();
  liveStore.setState({ frozenAt: liveRecords.frozenAt, newWhilePaused: 0 });
}

export function resumeLive(): void {
  liveRecords.thawView();
  liveStore.setState({ frozenAt: null, newWhilePaused: 0 });
}

/**
 * Empties the buffer (on filter change the agent re-sends matching history). Also resumes:
 * a new filter means the operator wants to see what matches it. Gaps stay: they are about
 * the capture, not the filter.
 */
export function resetLiveBuffer(): void {
  liveRecords.clear();
  const { gaps } = liveStore.getState();
  liveStore.setState({ ...initialLiveState(liveRecords), gaps });
}

/** The agent's count of stored messages matching the current subscription. */
export function setMatchingTotal(total: number, capped: boolean): void {
  liveStore.setState({ matchingTotal: { total, capped } });
}

export function isPaused(live: LiveState): boolean {
  return live.frozenAt !== null;
}

/** Hook for components: narrow selectors of the versions and totals. */
export function useLive<T>(selector: (s: LiveState) => T): T {
  return useStore(liveStore, selector);
}

/**
 * The buffered record `id`, re-rendering only when that record changes: the selector runs
 * on every version, but records are replaced, never mutated, so an unchanged record is the
 * same object and zustand skips the render.
 */
export function useBufferedRecord(id: number): EnvelopeRecord | undefined {
  return useStore(liveStore, () => liveRecords.get(id));
}
