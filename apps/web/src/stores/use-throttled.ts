/**
 * Recomputes an expensive derivation of the live record buffer at most every `intervalMs`
 * (filter suggestions), instead of every frame. `deps` force a recompute now. With `same`,
 * a result equal to the previous one keeps the previous object (no re-render).
 */
import { startTransition, useEffect, useRef, useState } from 'react';
import { liveRecords, liveStore } from './live-store';
import type { RecordBuffer } from './record-buffer';

export function useThrottledLive<T>(
  derive: (records: RecordBuffer) => T,
  intervalMs: number,
  deps: readonly unknown[],
  same: (a: T, b: T) => boolean = Object.is,
): T {
  const sameRef = useRef(same);
  sameRef.current = same;
  const deriveRef = useRef(derive);
  deriveRef.current = derive;
  const [value, setValue] = useState(() => derive(liveRecords));

  useEffect(() => {
    let dirty = false;
    setValue(deriveRef.current(liveRecords));
    const unsubscribe = liveStore.subscribe(() => {
      dirty = true;
    });
    const timer = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      const next = deriveRef.current(liveRecords);
      // A transition: React renders the (heavy) charts/graph in slices and lets the stream's
      // per-frame updates in between, instead of blocking the main thread for the whole render.
      startTransition(() => setValue((prev) => (sameRef.current(prev, next) ? prev : next)));
    }, intervalMs);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);

  return value;
}
