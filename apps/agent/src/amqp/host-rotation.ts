/**
 * oslo-style failover over the hosts of a multi-host transport URL: the list is
 * shuffled once (so a fleet of agents/services spreads over the cluster), then every
 * failure moves round-robin to the next host (kombu's default `round-robin` strategy).
 */
export interface HostRotation<T> {
  /** Host to try now. */
  current(): T;
  /** Index of the current host in the original (unshuffled) list. */
  currentIndex(): number;
  /** Move to the next host after a failure; returns it. */
  advance(): T;
  readonly size: number;
}

/** `random` is injectable so tests can pin the shuffle. Throws only for an empty list (a programming error). */
export function createHostRotation<T>(hosts: readonly T[], random: () => number = Math.random): HostRotation<T> {
  if (hosts.length === 0) throw new Error('createHostRotation: no hosts');
  const order = hosts.map((_, i) => i);
  // Fisher–Yates, once.
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = order[i]!;
    order[i] = order[j]!;
    order[j] = a;
  }
  let pos = 0;
  return {
    size: hosts.length,
    current: () => hosts[order[pos]!]!,
    currentIndex: () => order[pos]!,
    advance() {
      pos = (pos + 1) % order.length;
      return hosts[order[pos]!]!;
    },
  };
}
