import v8 from 'node:v8';

/**
 * Node options the agent is started with (scripts/start.sh and the `osloscope` bin pass the
 * same; V8 reads them only at start). A 16 MB young generation instead of 32: the agent's
 * garbage is per-message and dies young either way, and RSS is ~20–25 MB lower for no
 * measurable CPU (B2 at 50k: 11.6/13.0 s CPU -> 10.8/12.9 s, RSS 256/254 -> 230/232 MB;
 * B1 60k agent RSS 319/313 -> 298/296 MB).
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

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
  // (The young generation's size is fixed when the process starts: see AGENT_NODE_FLAGS.)
  v8.setFlagsFromString('--heap-growing-percent=100');
}
