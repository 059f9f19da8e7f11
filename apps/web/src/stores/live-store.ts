/**
 * Live data: the bounded buffer of envelope records received from the agent.
 *
 * Invariants: `ids` is ascending by capture id and never longer than the cap; every id in
 * `ids` (and in `frozenIds`) that is still buffered has its record in `byId`; records
 * evicted for the cap are gone from both. Only `connection/socket.ts` (through the frame
 * batcher) and the pause/reset actions below write here: one `setState` per frame.
 *
 * Derived views (stream rows, charts, graph) follow the buffer incrementally through
 * `lastChange` (see `followLive` in live-changes.ts) instead of rescanning 20k records.
 */
import { createStore } from 'zustand/vanilla';
import { withBodyOf, type CaptureGap, type EnvelopeBatch, type EnvelopeRecord } from '@osloscope/shared';

/** Records kept in the browser; older ones are evicted first. */
export const DEFAULT_BUFFER_CAP = 20_000;
/** Gaps shown in the stream banner. */
const MAX_GAPS = 20;

/**
 * What one apply did to the buffer, in this order: `added` records were inserted, then each
 * `replaced` pair swapped a buffered record for its update, then `evicted` records (their
 * latest version) left for the cap. A record can be in all three within one apply.
 */
export interface LiveChange {
  added: EnvelopeRecord[];
  replaced: { prev: EnvelopeRecord; next: EnvelopeRecord }[];
  evicted: EnvelopeRecord[];
}

export interface LiveState {
  /** Updated in place (like `byId`): readers that keep a copy must copy it (see `pauseLive`). */
  ids: number[];
  byId: Map<number, EnvelopeRecord>;
  gaps: CaptureGap[];
  /** Records received since the last reset (history and live). */
  received: number;
  /** Records dropped from this buffer for the cap since the last reset. */
  evictedLocal: number;
  /** Matching messages the agent did not send (slow-client coalescing). */
  skipped: number;
  /** Pausing freezes the view (`frozenIds`), not the capture. */
  paused: boolean;
  frozenIds: number[] | null;
  /** New records received while paused ("N new"). */
  newWhilePaused: number;
  /** Buffered records whose signature failed (kept in step with inserts, updates, evictions). */
  failedSignatures: number;
  /** Stored messages matching the subscription, from the agent's subscribe ack (`capped`: lower bound). */
  matchingTotal: { total: number; capped: boolean } | null;
  /**
   * Bumped by every apply. `byId` is updated in place (copying a 20k-entry map every frame
   * was the page's main source of garbage at high rates), so this is what tells derived
   * views that records changed.
   */
  version: number;
  /** What the apply that produced `version` changed; null before the first one (and after a reset). */
  lastChange: LiveChange | null;
}

/** One thing the socket delivered, queued until the next frame. */
export type LiveEvent = { type: 'batch'; batch: EnvelopeBatch } | { type: 'gap'; gap: CaptureGap };

export function initialLiveState(): LiveState {
  return {
    ids: [],
    byId: new Map(),
    gaps: [],
    received: 0,
    evictedLocal: 0,
    skipped: 0,
    paused: false,
    frozenIds: null,
    newWhilePaused: 0,
    failedSignatures: 0,
    matchingTotal: null,
    version: 0,
    lastChange: null,
  };
}

export const liveStore = createStore<LiveState>()(initialLiveState);

/** Index of the first id >= `id` in an ascending array. */
export function lowerBound(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as number) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Applies everything queued since the last frame and returns the state patch.
 * `ids` and `byId` are updated in place (copying 20k entries every frame was the page's main
 * source of garbage at high rates); `version` is bumped and `lastChange` says what changed.
 */
export function applyLiveEvents(state: LiveState, events: readonly LiveEvent[], cap: number): Partial<LiveState> {
  const byId = state.byId;
  const ids = state.ids;
  const change: LiveChange = { added: [], replaced: [], evicted: [] };
  let gaps = state.gaps;
  let received = state.received;
  let skipped = state.skipped;
  let newWhilePaused = state.newWhilePaused;
  let failedSignatures = state.failedSignatures;
  const failed = (r: EnvelopeRecord | undefined): number => (r?.signature.status === 'failed' ? 1 : 0);
  const replace = (prev: EnvelopeRecord, next: EnvelopeRecord): void => {
    failedSignatures += failed(next) - failed(prev);
    byId.set(next.id, next);
    change.replaced.push({ prev, next });
  };

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
      const prev = byId.get(rec.id);
      if (prev) {
        replace(prev, rec);
        continue;
      }
      failedSignatures += failed(rec);
      byId.set(rec.id, rec);
      change.added.push(rec);
      const last = ids[ids.length - 1];
      if (last === undefined || rec.id > last) ids.push(rec.id);
      else ids.splice(lowerBound(ids, rec.id), 0, rec.id);
      if (state.paused) newWhilePaused++;
    }
    // Updates replace records in place, keeping the body fields they leave out (shared
    // withBodyOf); one for an evicted record is ignored.
    for (const rec of updates) {
      const prev = byId.get(rec.id);
      if (prev) replace(prev, withBodyOf(rec, prev));
    }
  }

  let evictedLocal = state.evictedLocal;
  const excess = ids.length - cap;
  if (excess > 0) {
    for (let i = 0; i < excess; i++) {
      const old = ids[i] as number;
      const rec = byId.get(old);
      if (!rec) continue;
      failedSignatures -= failed(rec);
      byId.delete(old);
      change.evicted.push(rec);
    }
    ids.splice(0, excess);
    evictedLocal += excess;
  }
  return {
    ids,
    byId,
    gaps,
    received,
    skipped,
    newWhilePaused,
    evictedLocal,
    failedSignatures,
    version: state.version + 1,
    lastChange: change,
  };
}

/** Freezes the visible list; capture continues into the buffer. */
export function pauseLive(): void {
  const s = liveStore.getState();
  // A copy: `ids` goes on changing in place.
  if (!s.paused) liveStore.setState({ paused: true, frozenIds: s.ids.slice(), newWhilePaused: 0 });
}

export function resumeLive(): void {
  liveStore.setState({ paused: false, frozenIds: null, newWhilePaused: 0 });
}

/**
 * Empties the buffer (on filter change the agent re-sends matching history). Also resumes:
 * a new filter means the operator wants to see what matches it.
 */
export function resetLiveBuffer(): void {
  const { gaps } = liveStore.getState();
  liveStore.setState({ ...initialLiveState(), gaps });
}
