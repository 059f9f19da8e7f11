import v8 from 'node:v8';

/**
 * Node options the agent is started with (scripts/start.sh and the `osloscope` bin pass the
 * same; V8 reads them only at start). A 16 MB young generation instead of 32: the agent's
 * garbage is per-message and dies young either way, and RSS is ~20 MB lower for no
 * measurable CPU (docs/performance.md).
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * V8 lets the heap of a process that allocates fast grow to several times what it keeps
 * alive, which put the agent's RSS over its budget (B5, docs/performance.md). Capping growth
 * after each major GC at 2× the live heap keeps it within budget for a few per cent more CPU
 * (tighter caps cost far more CPU). No hard limit is set:
 * a legitimately larger heap (a backlog, huge messages) still grows instead of crashing.
 * V8 flags are process-wide, so this also covers the store writer thread. Call once, early.
 */
export function tuneHeapForCapture(): void {
  // (The young generation's size is fixed when the process starts: see AGENT_NODE_FLAGS.)
  v8.setFlagsFromString('--heap-growing-percent=100');
}
