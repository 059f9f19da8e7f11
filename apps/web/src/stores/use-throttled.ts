/**
 * Recomputes an expensive derivation of the live buffer at most every `intervalMs`
 * (charts, graph, suggestions), instead of every frame. `deps` force a recompute now.
 */
import { startTransition, useEffect, useRef, useState } from 'react';
import { liveStore, type LiveState } from './live-store';

export function useThrottledLive<T>(derive: (live: LiveState) => T, intervalMs: number, deps: readonly unknown[]): T {
  const deriveRef = useRef(derive);
  deriveRef.current = derive;
  const [value, setValue] = useState(() => derive(liveStore.getState()));

  useEffect(() => {
    let dirty = false;
    setValue(deriveRef.current(liveStore.getState()));
    const unsubscribe = liveStore.subscribe(() => {
      dirty = true;
    });
    const timer = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      const next = deriveRef.current(liveStore.getState());
      // A transition: React renders the (heavy) charts/graph in slices and lets the stream's
      // per-frame updates in between, instead of blocking the main thread for the whole render.
      startTransition(() => setValue(next));
    }, intervalMs);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);

  return value;
}
