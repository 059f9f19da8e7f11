/**
 * Earliest and latest capture time of a changing set of records, for the graph's rates.
 * Distinct times are kept sorted: records arrive roughly in capture order and leave oldest
 * first, so inserts are usually appends and removals usually at the front, which only moves
 * `head` (shifting a 20k-element array per evicted record was a per-frame cost at 5,000/s).
 */
export class TimeSpan {
  private readonly counts = new Map<number, number>();
  /** Sorted distinct times from `head` on; entries before `head` are dead. */
  private sorted: number[] = [];
  private head = 0;

  add(t: number): void {
    const n = this.counts.get(t) ?? 0;
    this.counts.set(t, n + 1);
    if (n > 0) return;
    const last = this.last;
    if (last === undefined || t > last) this.sorted.push(t);
    else this.sorted.splice(this.indexOf(t), 0, t);
  }

  remove(t: number): void {
    const n = this.counts.get(t);
    if (n === undefined) return;
    if (n > 1) {
      this.counts.set(t, n - 1);
      return;
    }
    this.counts.delete(t);
    if (this.sorted[this.head] === t) {
      this.head++;
      // Drop the dead front now and then, not per removal.
      if (this.head > 1024 && this.head * 2 > this.sorted.length) {
        this.sorted = this.sorted.slice(this.head);
        this.head = 0;
      }
    } else {
      this.sorted.splice(this.indexOf(t), 1);
    }
  }

  clear(): void {
    this.counts.clear();
    this.sorted = [];
    this.head = 0;
  }

  get first(): number | undefined {
    return this.head < this.sorted.length ? this.sorted[this.head] : undefined;
  }

  get last(): number | undefined {
    return this.head < this.sorted.length ? this.sorted[this.sorted.length - 1] : undefined;
  }

  /** First live index whose time is >= t. */
  private indexOf(t: number): number {
    let lo = this.head;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
