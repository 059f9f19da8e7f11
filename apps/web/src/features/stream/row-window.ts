/**
 * Which rows of a fixed-row-height list to render. Replaces a general virtualizer for the
 * stream: with new rows arriving at the top every frame, the general one re-measured all
 * 20k buffered rows per frame (and made that many objects); this is O(rows on screen).
 */
import { useCallback, useEffect, useState, type RefObject } from 'react';

export interface RowWindow {
  /** First rendered index (inclusive). */
  start: number;
  /** Last rendered index (exclusive). */
  end: number;
}

/** Rows intersecting the viewport, plus `overscan` on each side, clamped to `count`. */
export function rowWindow(scrollTop: number, viewportHeight: number, count: number, rowHeight: number, overscan: number): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return { start: Math.max(0, Math.min(count, first - overscan)), end: Math.min(count, last + overscan) };
}

/** The scroll position that brings row `index` fully into view (`null`: already in view). */
export function scrollTopFor(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return null;
}

/** Tracks the scroll element's position and size; returns the rows to render and a scroll-into-view helper. */
export function useRowWindow(
  scrollRef: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan: number,
): RowWindow & { scrollToIndex(index: number): void } {
  const [view, setView] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return undefined;
    const update = () => setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
    ro?.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      ro?.disconnect();
    };
  }, [scrollRef]);
  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const to = scrollTopFor(index, el.scrollTop, el.clientHeight, rowHeight);
      if (to !== null) el.scrollTop = to;
    },
    [scrollRef, rowHeight],
  );
  return { ...rowWindow(view.top, view.height, count, rowHeight, overscan), scrollToIndex };
}
