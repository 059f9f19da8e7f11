/**
 * Keeps object identity across refreshes for items that did not change, so identity-based
 * memoisation downstream (React Flow's node measuring, memoised components) skips them.
 */
export function reuseUnchanged<T extends { id: string }>(previous: Map<string, T>, next: readonly T[], same: (a: T, b: T) => boolean): T[] {
  const out = next.map((item) => {
    const old = previous.get(item.id);
    return old !== undefined && same(old, item) ? old : item;
  });
  previous.clear();
  for (const item of out) previous.set(item.id, item);
  return out;
}
