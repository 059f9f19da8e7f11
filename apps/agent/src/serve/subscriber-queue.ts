/**
 * What one stream subscriber has not been sent yet: new records and updates to records,
 * bounded so a slow browser cannot make the agent hold an unbounded backlog. When full,
 * the oldest pending entries are dropped and counted as `skipped` in the next batch
 * (the browser can page them in through the HTTP API if it cares).
 */
import { withBodyOf, type EnvelopeBatch, type EnvelopeRecord } from '@osloscope/shared';
import { OldestFirstMap } from '../oldest-first-map.js';

/** @default 5000 */
export const DEFAULT_MAX_PENDING = 5000;

/**
 * Ids of the records a subscriber was sent (history and new ones) that its updates are
 * forwarded for: the newest this many, as many as the web's buffer holds (live-store
 * DEFAULT_BUFFER_CAP), plus room for a history page.
 */
export const SENT_MEMORY = 25_000;

export class SubscriberQueue {
  // Insertion order: the oldest come out first, and `set` on an existing id replaces the
  // value in place, which dedupes repeated updates of one record.
  private readonly items = new OldestFirstMap<number, EnvelopeRecord>();
  private readonly updates = new OldestFirstMap<number, EnvelopeRecord>();
  private skipped = 0;
  /** Ids up to here were sent as history; a live "new" record at or below it is a duplicate. */
  private historyMaxId = 0;
  /** Records sent or queued as new (their updates are the subscriber's business), oldest first. */
  private readonly sent = new OldestFirstMap<number, true>();

  constructor(
    private readonly maxPending = DEFAULT_MAX_PENDING,
    private readonly sentMemory = SENT_MEMORY,
  ) {}

  /** Start over for a new subscription (pending data of the old filter is irrelevant); `historyIds` were sent as its history. */
  reset(historyIds: readonly number[]): void {
    this.items.clear();
    this.updates.clear();
    this.sent.clear();
    this.skipped = 0;
    this.historyMaxId = 0;
    for (const id of historyIds) {
      this.remember(id);
      if (id > this.historyMaxId) this.historyMaxId = id;
    }
  }

  /** Whether updates of record `id` concern this subscriber: it was sent the record, or has it queued. */
  has(id: number): boolean {
    return this.sent.has(id);
  }

  /**
   * Queue a record: `isNew` = just stored (the caller checked it matches the subscription),
   * otherwise an update (shared `withoutBody`) of one this subscriber was sent (`has`).
   */
  push(record: EnvelopeRecord, isNew: boolean): void {
    const pending = this.items.get(record.id);
    if (pending) {
      // Not sent yet: send the newest state once, as a new item, with its body.
      this.items.set(record.id, isNew ? record : withBodyOf(record, pending));
    } else if (isNew && record.id > this.historyMaxId) {
      this.items.set(record.id, record);
      this.remember(record.id);
    } else if (!isNew) {
      this.updates.set(record.id, record);
    }
    this.enforceBound();
  }

  private remember(id: number): void {
    this.sent.set(id, true);
    while (this.sent.size > this.sentMemory) this.sent.shift();
  }

  get size(): number {
    return this.items.size + this.updates.size;
  }

  /**
   * Take what is pending as one batch, at most `maxRecords` of it (new records first, oldest
   * first, then updates), or null when there is nothing to send. The rest waits for the next
   * batch: one socket.io packet of a full queue (5,000 records of up to 20 KB of args) was a
   * single string of tens of MB, the agent's heap grew by that much at once, and the browser
   * parsed it in one long task.
   */
  drain(maxRecords = Number.POSITIVE_INFINITY): EnvelopeBatch | null {
    if (this.size === 0 && this.skipped === 0) return null;
    const items = takeOldest(this.items, maxRecords);
    const batch: EnvelopeBatch = {
      items,
      updates: takeOldest(this.updates, maxRecords - items.length),
      skipped: this.skipped,
      history: false,
    };
    this.skipped = 0;
    return batch;
  }

  private enforceBound(): void {
    while (this.size > this.maxPending) {
      // Drop stale updates before new records: an update only refreshes something the
      // browser already has, a dropped record is a hole in its list.
      if (this.updates.shift() !== undefined) continue;
      if (this.items.shift() === undefined) return;
      this.skipped += 1;
    }
  }
}

/** Remove and return up to `n` values of `map`, oldest first. */
function takeOldest(map: OldestFirstMap<number, EnvelopeRecord>, n: number): EnvelopeRecord[] {
  if (n >= map.size) {
    const all = [...map.values()];
    map.clear();
    return all;
  }
  const out: EnvelopeRecord[] = [];
  while (out.length < n) {
    const oldest = map.shift();
    if (oldest === undefined) break;
    out.push(oldest[1]);
  }
  return out;
}
