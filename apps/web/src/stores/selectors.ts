/**
 * Derived views of the live buffer, computed (and memoized) here rather than stored twice.
 * The filter meaning comes from shared's matcher, the same one the agent applies.
 */
import { matchesFilter, type EnvelopeFilter, type EnvelopeRecord } from '@osloscope/shared';
import type { LiveState } from './live-store';
import { lowerBound, type RecordBuffer } from './record-buffer';

// Filters are replaced (never mutated) on change, and so are records: one answer per pair,
// shared by the stream, the charts and the graph, so each record is matched once per filter.
// The empty filter (watching everything) gets no cache: it matches every record, and a
// WeakMap entry per record is work for the garbage collector at thousands of records a second.
const matchCache = new WeakMap<EnvelopeFilter, WeakMap<EnvelopeRecord, boolean> | null>();

/** `matchesFilter`, remembered per (filter object, record object). */
export function matchesCached(rec: EnvelopeRecord, filter: EnvelopeFilter): boolean {
  let perRecord = matchCache.get(filter);
  if (perRecord === undefined) {
    perRecord = Object.values(filter).some((v) => v !== undefined) ? new WeakMap() : null;
    matchCache.set(filter, perRecord);
  }
  if (perRecord === null) return true;
  let ok = perRecord.get(rec);
  if (ok === undefined) {
    ok = matchesFilter(rec, filter);
    perRecord.set(rec, ok);
  }
  return ok;
}

/**
 * The stream's rows, newest first. Array-like (a plain `number[]` is one) so the table and
 * the keyboard navigation index it without a 20k-element copy per frame.
 */
export interface RowList {
  readonly length: number;
  /** Id at display position `i` (0 = newest). */
  at(i: number): number | undefined;
  indexOf(id: number): number;
  /** Ids at display positions [start, end). */
  slice(start?: number, end?: number): number[];
}

/** A newest-first view of an ascending id array that the selector keeps up to date in place. */
class DescendingView implements RowList {
  constructor(private readonly asc: readonly number[]) {}
  get length(): number {
    return this.asc.length;
  }
  at(i: number): number | undefined {
    const n = this.asc.length;
    const j = i < 0 ? -1 - i : n - 1 - i;
    return j >= 0 && j < n ? this.asc[j] : undefined;
  }
  indexOf(id: number): number {
    const j = lowerBound(this.asc, id);
    return this.asc[j] === id ? this.asc.length - 1 - j : -1;
  }
  slice(start = 0, end = this.asc.length): number[] {
    const n = this.asc.length;
    const from = Math.max(0, Math.min(n, start < 0 ? n + start : start));
    const to = Math.max(from, Math.min(n, end < 0 ? n + end : end));
    const out: number[] = [];
    for (let i = from; i < to; i++) out.push(this.asc[n - 1 - i] as number);
    return out;
  }
}

/**
 * Returns a memoized selector of the ids in `records` matching `filter`, newest first, for
 * the store state that announces `records` (its `version` and `frozenAt` name what the
 * buffer holds). It keeps the matching ids in an ascending array and, when the buffer moved
 * by exactly one commit, only looks at the records that commit added, replaced or evicted:
 * rebuilding a 20k-element array every frame was a large share of the page's garbage at
 * high rates. A new `RowList` object is returned whenever the rows changed (so React
 * re-renders), the same one otherwise.
 */
export function createVisibleIdsSelector(records: RecordBuffer): (live: LiveState, filter: EnvelopeFilter) => RowList {
  let asc: number[] = [];
  let result: RowList = new DescendingView(asc);
  let last: { version: number; frozenAt: number | null; filter: EnvelopeFilter } | null = null;

  const insert = (id: number): void => {
    const tail = asc[asc.length - 1];
    if (tail === undefined || id > tail) asc.push(id);
    else {
      const j = lowerBound(asc, id);
      if (asc[j] !== id) asc.splice(j, 0, id);
    }
  };
  const remove = (id: number): void => {
    const j = lowerBound(asc, id);
    if (asc[j] === id) asc.splice(j, 1);
  };
  /** Removes evicted ids: they are the oldest, so mostly one splice at the front for all of them. */
  const removeEvicted = (ids: Set<number>): void => {
    let k = 0;
    while (k < asc.length && ids.has(asc[k] as number)) k++;
    if (k > 0) asc.splice(0, k);
    if (k < ids.size) for (const id of ids) remove(id);
  };
  const rebuild = (filter: EnvelopeFilter): void => {
    asc = [];
    for (const id of records.viewIds()) {
      const rec = records.get(id);
      if (rec && matchesCached(rec, filter)) asc.push(id); // a frozen id may be evicted
    }
  };

  return (live, filter) => {
    if (last && live.version === last.version && live.frozenAt === last.frozenAt && filter === last.filter) {
      return result;
    }
    const change = last !== null && filter === last.filter && live.frozenAt === last.frozenAt ? records.changeSince(last.version) : null;
    if (change) {
      let touched = false;
      const frozen = live.frozenAt === null ? null : records.viewIds();
      const inView = (id: number): boolean => frozen === null || frozen[lowerBound(frozen, id)] === id;
      const { added, replaced, evicted } = change;
      for (const rec of added) {
        // While paused, new records stay out of the (frozen) view.
        if (inView(rec.id) && matchesCached(rec, filter)) {
          insert(rec.id);
          touched = true;
        }
      }
      for (const { prev, next } of replaced) {
        if (!inView(next.id)) continue;
        const was = matchesCached(prev, filter);
        const is = matchesCached(next, filter);
        if (was === is) continue;
        if (is) insert(next.id);
        else remove(next.id);
        touched = true;
      }
      const gone = new Set<number>();
      for (const rec of evicted) if (matchesCached(rec, filter) && inView(rec.id)) gone.add(rec.id);
      if (gone.size > 0) {
        removeEvicted(gone);
        touched = true;
      }
      // Rows re-render from the store themselves; a new list object only when the list moved.
      if (touched) result = new DescendingView(asc);
    } else {
      rebuild(filter);
      result = new DescendingView(asc);
    }
    last = { version: live.version, frozenAt: live.frozenAt, filter };
    return result;
  };
}

/**
 * j/k navigation over the visible rows. With no (or a vanished) selection, moving
 * selects the first row; the selection stays within bounds.
 */
export function moveSelection(rows: RowList, current: number | null, delta: number): number | null {
  if (rows.length === 0) return null;
  const index = current === null ? -1 : rows.indexOf(current);
  if (index === -1) return rows.at(0) ?? null;
  const next = Math.min(rows.length - 1, Math.max(0, index + delta));
  return rows.at(next) ?? null;
}
