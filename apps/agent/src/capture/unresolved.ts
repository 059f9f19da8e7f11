/**
 * Records still waiting for the connection directory to name a connection they mention:
 * the server behind a delivery's consuming connection, or the process behind the
 * publishing connection. The management API is polled (~5 s), so a record captured before
 * the next refresh cannot be attributed yet; the capture core re-checks these later.
 *
 * Grouped by connection, so a re-check costs one directory lookup per waiting connection,
 * not one record read per waiting record. Bounded: beyond `capacity` waiting ids, the
 * oldest waiting connections are forgotten (their records stay unattributed).
 */

/** What a record waits to learn about a connection. */
export type Awaited = 'server' | 'process';

interface Group {
  key: string;
  want: Awaited;
  source: string;
  connection: string;
  ids: Set<number>;
}

export class UnresolvedRecords {
  private readonly groups = new Map<string, Group>();
  private waiting = 0;
  private last: Group | null = null;

  constructor(private readonly capacity: number) {}

  /** Number of waiting (record, connection) pairs. */
  get size(): number {
    return this.waiting;
  }

  add(want: Awaited, source: string, connection: string, id: number): void {
    let group = this.last;
    // Consecutive messages usually share a connection (a client's send pool): skip building the key.
    if (group?.want !== want || group.connection !== connection || group.source !== source || !this.groups.has(group.key)) {
      const key = want + '\n' + source + '\n' + connection;
      group = this.groups.get(key) ?? { key, want, source, connection, ids: new Set<number>() };
      if (!this.groups.has(key)) this.groups.set(key, group);
      this.last = group;
    }
    if (group.ids.has(id)) return;
    group.ids.add(id);
    this.waiting++;
    while (this.waiting > this.capacity) this.forgetOldest();
  }

  /**
   * Take out the ids of every group `known` can now answer; they are forgotten here (the
   * caller re-adds a record that still waits for something else).
   */
  takeAnswered(known: (want: Awaited, source: string, connection: string) => boolean): Set<number> {
    const ids = new Set<number>();
    for (const [key, group] of this.groups) {
      if (!known(group.want, group.source, group.connection)) continue;
      this.groups.delete(key);
      this.waiting -= group.ids.size;
      for (const id of group.ids) ids.add(id);
    }
    return ids;
  }

  private forgetOldest(): void {
    const oldest = this.groups.entries().next();
    if (oldest.done) return;
    const [key, group] = oldest.value;
    this.groups.delete(key);
    this.waiting -= group.ids.size;
  }
}
