/**
 * The browser's bounded buffer of envelope records, kept outside zustand's state on purpose.
 *
 * At thousands of records a second, copying a 20k-entry map or id array every frame was the
 * page's main source of garbage, so the buffer is mutated in place. Zustand state holds only
 * `version` (see live-store.ts): a reader subscribes to the store and reads the buffer
 * through the accessors below; a changed version means the records changed.
 *
 * Contract:
 * - Writes (`append`, `update`, `evictOver`) are grouped by `commit`, which bumps `version`
 *   once; `changeSince(version - 1)` then says what that group did. `clear` also bumps the
 *   version, with no change to follow (readers rebuild).
 * - Records are replaced, never mutated: a record that changed is a new object, so a reader
 *   can compare records by identity.
 * - `ids()` and `viewIds()` are the live arrays, not copies: a reader that keeps them across
 *   a version must copy them.
 */
import { withBodyOf, type EnvelopeRecord } from '@osloscope/shared';

/**
 * What one commit did, in this order: `added` records were inserted, then each `replaced`
 * pair swapped a buffered record for its update, then `evicted` records (their latest
 * version) left for the cap. A record can be in all three within one commit.
 */
export interface BufferChange {
  added: EnvelopeRecord[];
  replaced: { prev: EnvelopeRecord; next: EnvelopeRecord }[];
  evicted: EnvelopeRecord[];
}

const noChange = (): BufferChange => ({ added: [], replaced: [], evicted: [] });
const failed = (r: EnvelopeRecord): number => (r.signature.status === 'failed' ? 1 : 0);

/** Index of the first id >= `id` in an ascending array. */
export function lowerBound(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as number) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RecordBuffer {
  // Invariant: `asc` is ascending by capture id, and holds exactly the keys of `byId`.
  private readonly asc: number[] = [];
  private readonly byId = new Map<number, EnvelopeRecord>();
  private failedCount = 0;
  private currentVersion = 0;
  /** Writes since the last commit. */
  private pending = noChange();
  /** What the commit that produced `currentVersion` did; null after a clear. */
  private committed: BufferChange | null = null;
  /** The paused stream's ids: a copy of `asc` taken at `frozenVersion`. */
  private frozen: number[] | null = null;
  private frozenVersion: number | null = null;

  /** Bumped by every commit and clear; never reused, so a version names one buffer content. */
  get version(): number {
    return this.currentVersion;
  }

  get size(): number {
    return this.asc.length;
  }

  /** Buffered records whose signature failed (kept in step with every write). */
  get failedSignatures(): number {
    return this.failedCount;
  }

  get(id: number): EnvelopeRecord | undefined {
    return this.byId.get(id);
  }

  /** Buffered ids, ascending. The live array: copy it to keep it. */
  ids(): readonly number[] {
    return this.asc;
  }

  /** Buffered records, oldest (lowest id) first. */
  *records(): IterableIterator<EnvelopeRecord> {
    for (const id of this.asc) yield this.byId.get(id) as EnvelopeRecord;
  }

  /**
   * What the last commit did, when the buffer is exactly one commit past `seen`; null when a
   * reader cannot follow change by change (a clear, or commits it missed) and must rebuild.
   */
  changeSince(seen: number): BufferChange | null {
    return seen === this.currentVersion - 1 ? this.committed : null;
  }

  /** Inserts a new record in id order, or replaces the buffered one with its id (history re-sent). Returns whether it was new. */
  append(rec: EnvelopeRecord): boolean {
    const prev = this.byId.get(rec.id);
    if (prev) {
      this.replace(prev, rec);
      return false;
    }
    this.failedCount += failed(rec);
    this.byId.set(rec.id, rec);
    this.pending.added.push(rec);
    const last = this.asc[this.asc.length - 1];
    if (last === undefined || rec.id > last) this.asc.push(rec.id);
    else this.asc.splice(lowerBound(this.asc, rec.id), 0, rec.id);
    return true;
  }

  /**
   * Replaces a buffered record by its update, keeping the body fields the update leaves out
   * (shared `withBodyOf`). An update for a record no longer buffered is ignored.
   */
  update(rec: EnvelopeRecord): void {
    const prev = this.byId.get(rec.id);
    if (prev) this.replace(prev, withBodyOf(rec, prev));
  }

  /** Evicts the oldest records beyond `cap`; returns how many left. */
  evictOver(cap: number): number {
    const excess = this.asc.length - cap;
    if (excess <= 0) return 0;
    for (let i = 0; i < excess; i++) {
      const id = this.asc[i] as number;
      const rec = this.byId.get(id) as EnvelopeRecord;
      this.failedCount -= failed(rec);
      this.byId.delete(id);
      this.pending.evicted.push(rec);
    }
    // One splice for all of them: the evicted are the oldest.
    this.asc.splice(0, excess);
    return excess;
  }

  /** Ends a group of writes: bumps the version and publishes what the group did. */
  commit(): number {
    this.committed = this.pending;
    this.pending = noChange();
    return ++this.currentVersion;
  }

  /** Empties the buffer (and unfreezes the view). Readers rebuild: there is no change to follow. */
  clear(): number {
    this.asc.length = 0;
    this.byId.clear();
    this.failedCount = 0;
    this.pending = noChange();
    this.committed = null;
    this.thawView();
    return ++this.currentVersion;
  }

  /** Freezes the ids the stream shows (pause); records keep arriving and updating. */
  freezeView(): void {
    if (this.frozen !== null) return;
    this.frozen = this.asc.slice();
    this.frozenVersion = this.currentVersion;
  }

  thawView(): void {
    this.frozen = null;
    this.frozenVersion = null;
  }

  /** The version the view froze at; null while the view is live. */
  get frozenAt(): number | null {
    return this.frozenVersion;
  }

  /**
   * Ids the stream may show, ascending: the frozen ones while paused (some may have been
   * evicted since), else every buffered id. The live array: copy it to keep it.
   */
  viewIds(): readonly number[] {
    return this.frozen ?? this.asc;
  }

  private replace(prev: EnvelopeRecord, next: EnvelopeRecord): void {
    this.failedCount += failed(next) - failed(prev);
    this.byId.set(next.id, next);
    this.pending.replaced.push({ prev, next });
  }
}
