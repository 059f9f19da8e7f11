import v8 from 'node:v8';

/**
 * V8 lets the heap of a process that allocates fast grow to several times what it keeps
 * alive: the capture pipeline keeps ~50 MB of live objects but ran at ~180 MB of heap, which
 * put the agent's RSS over its 300 MB budget (B5, docs/performance.md). Capping growth after
 * each major GC at 2× the live heap brought RSS at 100k imported messages from ~400 to
 * ~290–320 MB for ~4% more CPU (20% growth: ~260 MB for ~30% more CPU). No hard limit is set:
 * a legitimately larger heap (a backlog, huge messages) still grows instead of crashing.
 * V8 flags are process-wide, so this also covers the store writer thread. Call once, early.
 */
export function tuneHeapForCapture(): void {
  v8.setFlagsFromString('--heap-growing-percent=100');
}
