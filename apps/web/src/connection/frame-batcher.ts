/**
 * Coalesces socket events into one flush per animation frame: the socket handler only
 * pushes; the flush (one store update) runs at most once per frame, whatever the rate.
 */
export interface FrameBatcher<T> {
  push(item: T): void;
  /** Flushes now (e.g. before a reset) and cancels nothing: a scheduled flush finds an empty queue. */
  flushNow(): void;
  pendingCount(): number;
}

export type Scheduler = (run: () => void) => void;

const defaultScheduler: Scheduler = (run) => {
  // Background tabs get no animation frames; a timer keeps the buffer bounded there.
  if (typeof document !== 'undefined' && document.hidden) setTimeout(run, 250);
  else requestAnimationFrame(() => run());
};

export function createFrameBatcher<T>(flush: (items: T[]) => void, schedule: Scheduler = defaultScheduler): FrameBatcher<T> {
  let pending: T[] = [];
  let scheduled = false;

  const run = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    flush(items);
  };

  return {
    push(item) {
      pending.push(item);
      if (!scheduled) {
        scheduled = true;
        schedule(run);
      }
    },
    flushNow: run,
    pendingCount: () => pending.length,
  };
}
