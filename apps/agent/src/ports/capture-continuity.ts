/**
 * What the capture remembers across runs of the agent, so that a run can tell what the previous
 * one missed: when the agent was last alive, and per source the broker's publish count it last
 * read (with the newest record id at that moment). Kept in the capture store with its batches.
 */

/** The broker's count of messages published into a source's vhost. */
export interface BrokerCount {
  /** Messages published into the vhost since the broker started (management `message_stats.publish`). */
  published: number;
  /** When the most recently started node of the broker started, ms; null when the management user cannot see it. */
  brokerStartedAt: number | null;
}

export interface SavedBrokerCount extends BrokerCount {
  /** The newest record id when it was read: the source's records after it were captured after the reading. */
  lastId: number;
  /** When it was read. */
  at: number;
}

export interface CaptureContinuity {
  /** When the previous run of the agent on this store was last alive (its last write); null for a new store. */
  readonly previousRunAliveAt: number | null;
  /** The broker count `source` saved last, in this run or an earlier one; null if none. */
  brokerCount(source: string): SavedBrokerCount | null;
  /** Save `source`'s broker count as read now, with the newest record id (written at once). */
  saveBrokerCount(source: string, count: BrokerCount): void;
  /** Messages of `source` stored after record `afterId`. */
  capturedAfter(source: string, afterId: number): number;
}
