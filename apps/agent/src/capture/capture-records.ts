/**
 * How the parts of the capture core reach records: one interface over the write-back (queued
 * writes, recent records in memory, the store behind them), so the ingest path never reads the
 * store on its own and never sees a stale row while a newer version is on its way.
 */
import type { EnvelopeRecord } from '@osloscope/shared';
import type { StoredRaw } from '../store/raw-segments.js';

export interface CaptureRecords {
  /** A record wherever it is (write queue, memory, store); lean (lean-record.ts) when read back. */
  get(id: number): EnvelopeRecord | null;
  /** The id of the stored record with this `_unique_id` (records older than the match memory). */
  findByUniqueId(uniqueId: string): number | null;
  /** The newest stored call with this `_msg_id` (calls older than the correlator's memory). */
  findCallByMsgId(msgId: string): number | null;
  /** Queue the write of a changed record, without telling listeners (a read filled in what it learned). */
  write(record: EnvelopeRecord): void;
  /**
   * Queue the write of a changed record and tell listeners.
   * @param raw a new raw event for it (a record made from a deliver event, upgraded by its publish)
   */
  changed(record: EnvelopeRecord, raw?: StoredRaw): void;
}
