/**
 * Test oracle: the records a filter selects, recomputed from scratch with shared's uncached
 * matcher. The incremental models (visible rows, chart series, graph index) are checked
 * against it.
 */
import { matchesFilter, type EnvelopeFilter, type EnvelopeRecord } from '@osloscope/shared';
import type { RecordBuffer } from '../stores/record-buffer';

/** Buffered records (oldest first) matching `filter`. */
export function matchingRecords(records: RecordBuffer, filter: EnvelopeFilter): EnvelopeRecord[] {
  return [...records.records()].filter((rec) => matchesFilter(rec, filter));
}
