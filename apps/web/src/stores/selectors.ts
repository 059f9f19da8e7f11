/**
 * Derived views of the live buffer, computed (and memoized) here rather than stored twice.
 * The filter meaning comes from shared's matcher, the same one the agent applies.
 */
import { matchesFilter, type EnvelopeFilter, type EnvelopeRecord } from '@osloscope/shared';
import type { LiveState } from './live-store';

/** Records the view may show: the frozen list while paused, else the whole buffer. */
export function viewIds(live: LiveState): number[] {
  return live.frozenIds ?? live.ids;
}

/**
 * Returns a memoized selector of the ids matching `filter`, newest first.
 * Match results are cached per record object, so a frame only tests new or updated records.
 */
export function createVisibleIdsSelector(): (live: LiveState, filter: EnvelopeFilter) => number[] {
  let lastIds: number[] | null = null;
  let lastVersion = -1;
  let lastFilter: EnvelopeFilter | null = null;
  let lastResult: number[] = [];
  let cache = new WeakMap<EnvelopeRecord, boolean>();

  return (live, filter) => {
    const ids = viewIds(live);
    if (ids === lastIds && live.version === lastVersion && filter === lastFilter) return lastResult;
    if (filter !== lastFilter) cache = new WeakMap();
    const out: number[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i] as number;
      const rec = live.byId.get(id);
      if (!rec) continue; // evicted while paused
      let ok = cache.get(rec);
      if (ok === undefined) {
        ok = matchesFilter(rec, filter);
        cache.set(rec, ok);
      }
      if (ok) out.push(id);
    }
    lastIds = ids;
    lastVersion = live.version;
    lastFilter = filter;
    lastResult = out;
    return out;
  };
}

/** Records (oldest first) matching the filter: what charts and the graph are built from. */
export function matchingRecords(live: LiveState, filter: EnvelopeFilter): EnvelopeRecord[] {
  const out: EnvelopeRecord[] = [];
  for (const id of live.ids) {
    const rec = live.byId.get(id);
    if (rec && matchesFilter(rec, filter)) out.push(rec);
  }
  return out;
}

/**
 * j/k navigation over the visible rows. With no (or a vanished) selection, moving
 * selects the first row; the selection stays within bounds.
 */
export function moveSelection(rows: readonly number[], current: number | null, delta: number): number | null {
  if (rows.length === 0) return null;
  const index = current === null ? -1 : rows.indexOf(current);
  if (index === -1) return rows[0] ?? null;
  const next = Math.min(rows.length - 1, Math.max(0, index + delta));
  return rows[next] ?? null;
}

/** Failed signatures among the buffered records (the header also shows the agent's total). */
export function countFailedSignatures(live: LiveState): number {
  return live.failedSignatures;
}
