/**
 * What the B3/B5 browser benchmark injects into the page (before the app's own scripts run)
 * and reads back: when each stream row was first inserted into the DOM, where, and the
 * main-thread long tasks. The page itself is not changed for the benchmark.
 */

/** One stream row the first time it appeared in the DOM. */
export interface RowSighting {
  /** Capture id (`data-id`). */
  id: number;
  /** Epoch ms (`Date.now()` in the page: same clock as the publisher on this host). */
  at: number;
  /** translateY of the row inside the virtualized list, px (0 = top). */
  top: number;
}

/** A main-thread task longer than 50 ms (PerformanceObserver `longtask`). */
export interface LongTask {
  /** Epoch ms. */
  start: number;
  duration: number;
}

/** What `collectProbe` returns. */
export interface ProbeData {
  rows: RowSighting[];
  longTasks: LongTask[];
  /** Height of the stream's scroll area, px: rows with `top` below it were not on screen. */
  viewportHeight: number;
}

/**
 * Source of the init script (runs in the page, so it is plain JS in a string). A
 * MutationObserver records each capture id the first time a `data-testid="stream-row"` node
 * shows it: when React inserts the row, or when it re-uses a row node for another message
 * (its `data-id` changes; the table keeps row nodes by screen position). The paint follows
 * in the same frame, so this is "visible" up to one frame.
 */
export const PROBE_INIT_SCRIPT = `
(() => {
  const probe = { rows: [], seen: new Set(), longTasks: [], stop: () => {} };
  window.__osloscopeProbe = probe;
  const note = (el, now) => {
    const id = Number(el.getAttribute('data-id'));
    if (!Number.isFinite(id) || probe.seen.has(id)) return;
    probe.seen.add(id);
    const m = /translateY\\(([-\\d.]+)px\\)/.exec(el.style.transform || '');
    probe.rows.push({ id, at: now, top: m ? Number(m[1]) : -1 });
  };
  const rowObserver = new MutationObserver((mutations) => {
    const now = Date.now();
    for (const m of mutations) {
      if (m.type === 'attributes') {
        if (m.target.getAttribute('data-testid') === 'stream-row') note(m.target, now);
        continue;
      }
      for (const n of m.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.getAttribute('data-testid') === 'stream-row') note(n, now);
        else for (const el of n.querySelectorAll('[data-testid="stream-row"]')) note(el, now);
      }
    }
  });
  rowObserver.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-id'] });
  let taskObserver = null;
  try {
    taskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: performance.timeOrigin + e.startTime, duration: e.duration });
    });
    taskObserver.observe({ type: 'longtask', buffered: true });
  } catch {}
  // Before a heap measurement: what the probe keeps (every row id seen) grows with the traffic.
  probe.stop = () => {
    rowObserver.disconnect();
    taskObserver?.disconnect();
    probe.rows = [];
    probe.seen = new Set();
    probe.longTasks = [];
  };
})();
`;

/** Runs in the page: stops the probe and drops what it kept (before the heap is measured). */
export function stopProbe(): void {
  (globalThis as unknown as { __osloscopeProbe?: { stop(): void } }).__osloscopeProbe?.stop();
}

/** Runs in the page: takes (and clears) what the probe recorded so far. */
export function collectProbe(): ProbeData {
  const w = globalThis as unknown as {
    __osloscopeProbe?: { rows: RowSighting[]; longTasks: LongTask[] };
    document: { querySelector(s: string): { clientHeight: number } | null };
  };
  const probe = w.__osloscopeProbe;
  const viewportHeight = w.document.querySelector('.stream-scroll')?.clientHeight ?? 0;
  if (!probe) return { rows: [], longTasks: [], viewportHeight };
  const out = { rows: probe.rows, longTasks: probe.longTasks, viewportHeight };
  probe.rows = [];
  probe.longTasks = [];
  return out;
}

/** p-th percentile (0..100) of the values, nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Least-squares slope of y over x (per unit of x); NaN for fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
