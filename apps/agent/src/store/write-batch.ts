/**
 * A batch of store writes in the form the writer takes, on this thread or the writer thread:
 * statement parameters (plain values) and one packed buffer of raw-event frames
 * (raw-segments.ts), which is posted to the writer thread without copying and appended to the
 * raw segment log in one write. Records are serialized here, on the capture thread, at the
 * moment the batch is handed over, so later changes to a record go in a later batch.
 */
import type { CaptureGap, EnvelopeRecord } from '@osloscope/shared';
import { columnsOf, rowOfColumns, serverNamesOf } from './columns.js';
import { storedRecordJson } from './lean-record.js';
import { frameLength, frameMeta, writeFrame, type StoredRaw } from './raw-segments.js';

/** One pending write: a new record (with its raw event) or a change to a stored one. */
export interface StoreWrite {
  record: EnvelopeRecord;
  /** Set for inserts, and when a deliver-only record is replaced by its publish. */
  raw: StoredRaw | null;
  insert: boolean;
  /**
   * Inserts: the record's `body_text` (search-text.ts), taken when it was queued (the record
   * in memory drops its body once streamed, lean-record.ts `forgetBody`); null for changes.
   */
  bodyText: string | null;
  /** Inserts: the body bytes counted against the write queue's byte bound (record-writeback.ts) until written. */
  countedBytes?: number;
}

export interface PreparedWrite {
  id: number;
  insert: boolean;
  /**
   * The `messages` row, positionally: COLUMN_NAMES values, record_json, lean, raw_size (the
   * body's bytes; null: unchanged, for a write without its raw event), body_text (null for a
   * change). The writer adds where the raw event went, and the id.
   */
  row: unknown[];
  /** [offset, length] of the raw event's frame in the batch's `frames`, or null for a write without it. */
  frame: [number, number] | null;
  /** serverNamesOf(record): the names the `server` filter finds it by. */
  servers: string[];
}

export interface PreparedBatch {
  writes: PreparedWrite[];
  /** The raw events of the writes that carry one, as frames back to back. */
  frames: Uint8Array;
  /** Counters written in the batch's transaction (`meta`). */
  meta: Record<string, number>;
  /** Capture gaps written in the batch's transaction (so a failing disk keeps them for the retry, like the records). */
  gaps: CaptureGap[];
}

/** Trace headers may hold Buffers (amqplib longstr edge cases) or bigints: store them JSON-safe. */
export function jsonSafe(value: unknown): string {
  // A replacer sends JSON.stringify down its slow path (a call per key): only when needed.
  if (!needsReplacer(value, 0)) return JSON.stringify(value);
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (isBufferJson(v)) return Buffer.from(v.data).toString('utf8');
    return v;
  });
}

/** A Buffer after its toJSON: `{ type: 'Buffer', data: [...] }`. */
function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return !!v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

/** Whether `value` holds anything jsonSafe's replacer changes (headers are small: a walk is cheap). */
function needsReplacer(value: unknown, depth: number): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  // Deeper than any header table: let the replacer path handle whatever it is.
  if (depth > 16 || ArrayBuffer.isView(value) || isBufferJson(value)) return true;
  if (Array.isArray(value)) return value.some((v) => needsReplacer(v, depth + 1));
  for (const k in value) if (needsReplacer((value as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

export function prepareBatch(writes: Iterable<StoreWrite>, meta: Record<string, number>, gaps: CaptureGap[] = []): PreparedBatch {
  const list = [...writes];
  const metas = list.map((w) => (w.raw ? frameMeta(w.raw, jsonSafe) : null));
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const m = metas[i];
    if (m) total += frameLength(m, list[i]!.raw!.body.byteLength);
  }
  const frames = new Uint8Array(total);
  let offset = 0;
  const prepared = list.map((w, i): PreparedWrite => {
    const columns = columnsOf(w.record);
    const row = rowOfColumns(columns);
    const stored = storedRecordJson(w.record);
    row.push(stored.json, stored.lean ? 1 : 0, w.raw ? w.raw.body.byteLength : null, w.bodyText);
    const m = metas[i];
    let frame: [number, number] | null = null;
    if (w.raw && m) {
      const end = writeFrame(frames, offset, m, w.raw.body);
      frame = [offset, end - offset];
      offset = end;
    }
    return { id: w.record.id, insert: w.insert, row, frame, servers: serverNamesOf(w.record) };
  });
  return { writes: prepared, frames, meta, gaps };
}
