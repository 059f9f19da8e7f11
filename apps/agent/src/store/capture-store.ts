/**
 * The capture store: one SQLite row per published message with the record as JSON and indexed
 * columns for filtering, paging and aggregates, and its raw event (body bytes and broker facts,
 * so a capture survives a restart and can be re-decoded) in the raw segment log beside it
 * (raw-segments.ts; stores of older versions keep theirs in `message_raw`). All SQL lives here.
 * A capture whose files cannot be written is opened read-only, for browsing (capture-file.ts);
 * raw events found lost are reported (raw-damage.ts) and their rows still served.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { AmqpProperties, CaptureGap, DecodedEnvelope, DecodeOptions, EnvelopeRecord, StoreDamage } from '@osloscope/shared';
import type { RawCapture } from '../ports/raw-capture.js';
import { COLUMN_NAMES, columnsOfRow, type RecordColumns } from './columns.js';
import type { StoredRaw } from './raw-segments.js';
import type { PreparedBatch } from './write-batch.js';
import { agentDecodeOptions, decodeRaw } from '../domain/decode-raw.js';
import { addedSearchFields, mergeLateText } from './search-text.js';
import { hydrateRecord } from './lean-record.js';
import { RawSegmentLog, isRawLoss, type RawRef } from './raw-segments.js';
import { captureAccess, captureOpenError, openCaptureDatabase } from './capture-file.js';
import { RawDamage, lossReason, type SegmentExtent } from './raw-damage.js';
import { boundParams, type SqlWhere } from './filter-sql.js';
import { withPath } from './write-failure.js';
import {
  DROP_OLD_SCHEMA,
  FTS_WATERMARK_KEY,
  SUMMARY_SCHEMA,
  INDEXED_TEXT,
  SUMMARY_VERSION,
  SummaryDelta,
  TEXT_ENTRY,
  deltaOfRows,
  prepareSummaryStatements,
  rebuildSummaries,
  type SummaryStatements,
} from './summaries.js';

/** Percentage of deleted rows at which the text index rewrites a segment (see `tuneTextIndex`). */
const TEXT_INDEX_DELETEMERGE = 50;
/** Segments of one level the text index lets gather before merging them (FTS5 default 4; see `tuneTextIndex`). */
const TEXT_INDEX_AUTOMERGE = 16;

/** Filtered totals are counted up to this many matches (see `countUpTo`). */
export const TOTAL_COUNT_CAP = 10_000;

/** What a written batch changed: rows inserted, body bytes added, and the oldest rows evicted to stay within retention. */
export interface BatchResult {
  inserted: number;
  bytes: number;
  evicted: { count: number; bytes: number };
}

export interface Retention {
  maxMessages: number;
  maxBytes: number;
}

/** A stored message: its record and raw event, or, when the raw event is lost, why (`raw/00000003.seg is truncated`). */
export type StoredRow = { record: EnvelopeRecord; raw: StoredRaw; lost?: undefined } | { record: EnvelopeRecord; raw: null; lost: string };

/**
 * (column, id) indexes: a filtered newest-first page walks one index backwards and stops at
 * the limit. Kept to the filterable columns: every index costs on each insert. (Servers are
 * indexed in message_servers, exchanges in message_exchanges; ids are in capture order, so no
 * captured_at index is needed.)
 */
const INDEXED = ['kind', 'topic', 'namespace', 'method', 'version', 'outcome', 'signature_status'];

const SCHEMA_MESSAGES_TABLE = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  captured_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  exchange TEXT NOT NULL,
  target_exchange TEXT,
  topic TEXT, namespace TEXT, version TEXT, method TEXT, server TEXT,
  fanout INTEGER NOT NULL DEFAULT 0,
  outcome TEXT, failure_class TEXT, latency_ms INTEGER,
  signature_status TEXT NOT NULL,
  msg_id TEXT, unique_id TEXT, request_id INTEGER,
  flow_key TEXT, client_key TEXT, reached TEXT,
  body_size INTEGER NOT NULL,
  search_text TEXT NOT NULL,
  record_json TEXT NOT NULL,
  lean INTEGER NOT NULL DEFAULT 0,
  raw_size INTEGER NOT NULL,
  late_text TEXT,
  body_text TEXT,
  raw_segment INTEGER, raw_offset INTEGER, raw_length INTEGER
);`;

/**
 * Where raw events were kept before the raw segment log: rows of older versions still have
 * theirs here (their `raw_segment` is NULL). Read, and emptied by eviction; never written.
 */
const SCHEMA_RAW_TABLE = `
CREATE TABLE IF NOT EXISTS message_raw (
  id INTEGER PRIMARY KEY,
  origin TEXT NOT NULL,
  exchange TEXT NOT NULL,
  routing_key TEXT NOT NULL,
  headers TEXT NOT NULL,
  properties TEXT NOT NULL,
  body BLOB NOT NULL
);`;

const SCHEMA = `${SCHEMA_MESSAGES_TABLE}
${SCHEMA_RAW_TABLE}
${INDEXED.map((c) => `CREATE INDEX IF NOT EXISTS messages_${c} ON messages(${c}, id);`).join('\n')}
CREATE INDEX IF NOT EXISTS messages_msg_id ON messages(msg_id) WHERE msg_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_unique_id ON messages(unique_id) WHERE unique_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS message_servers (server TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (server, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_servers_id ON message_servers(id);
CREATE TABLE IF NOT EXISTS gaps (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL, from_ms INTEGER NOT NULL, to_ms INTEGER, reason TEXT NOT NULL, lost INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS raw_segments (segment INTEGER PRIMARY KEY, max_id INTEGER NOT NULL, min_id INTEGER, end_offset INTEGER);
`;

/** What a batch wrote into a segment: ids from, ids to, and where its frames end (the segment's size). */
const SEGMENT_SEEN = `INSERT INTO raw_segments (segment, min_id, max_id, end_offset) VALUES (?, ?, ?, ?) ON CONFLICT(segment) DO UPDATE SET
  min_id = MIN(COALESCE(min_id, excluded.min_id), excluded.min_id), max_id = MAX(max_id, excluded.max_id), end_offset = MAX(COALESCE(end_offset, 0), excluded.end_offset)`;

/** Segments as raw_segments keeps them (one whose rows are all evicted may stay a while, see evict: it counts no records). */
const SEGMENT_EXTENTS = 'SELECT segment, min_id AS minId, max_id AS maxId, end_offset AS end FROM raw_segments WHERE end_offset IS NOT NULL';

/** Each segment's extent from the rows themselves: a scan of every row (see addSegmentExtents). */
const EXTENTS_OF_ROWS =
  'SELECT raw_segment AS segment, MIN(id) AS minId, MAX(id) AS maxId, MAX(raw_offset + raw_length) AS end FROM messages WHERE raw_segment IS NOT NULL GROUP BY raw_segment';

/** Why a row of an older version has no raw event (its `message_raw` row is gone). */
const OLD_RAW_MISSING = 'its raw event is missing from capture.sqlite (message_raw)';

/** A `message_raw` row: the raw event a record was decoded from. */
interface RawRow {
  origin: string;
  exchange: string;
  routing_key: string;
  headers: string;
  properties: string;
  body: Buffer;
}

/** Where a row's raw event is in the raw segment log; NULLs for a row of an older version (`message_raw`). */
interface RawRefColumns {
  raw_segment: number | null;
  raw_offset: number | null;
  raw_length: number | null;
}

/** What a query reads of `messages` to give back a record (see `CaptureStore.recordOf`). */
interface RecordRow extends RawRefColumns {
  id: number;
  record_json: string;
  lean: number;
}

const RECORD_ROW =
  'messages.id AS id, messages.record_json AS record_json, messages.lean AS lean, messages.raw_segment AS raw_segment, messages.raw_offset AS raw_offset, messages.raw_length AS raw_length';

function rawRefOf(row: RawRefColumns): RawRef | null {
  return row.raw_segment === null || row.raw_offset === null || row.raw_length === null
    ? null
    : { segment: row.raw_segment, offset: row.raw_offset, length: row.raw_length };
}

/** Rows in driver order without the repeats of a repeating driver (SqlWhere.repeats): those come side by side. */
function withoutRepeats<T extends { id: number }>(rows: T[]): T[] {
  return rows.filter((row, i) => i === 0 || rows[i - 1]!.id !== row.id);
}

function parseRaw(row: RawRow): StoredRaw {
  return {
    origin: row.origin as RawCapture['origin'],
    exchange: row.exchange,
    routingKey: row.routing_key,
    headers: JSON.parse(row.headers) as Record<string, unknown>,
    properties: JSON.parse(row.properties) as AmqpProperties,
    body: new Uint8Array(row.body.buffer, row.body.byteOffset, row.body.byteLength),
  };
}

/**
 * `late_text` and `body_text` (see CaptureStore.writeBatch) came with summary version 5:
 * older stores get the columns. Their rows keep their args in `search_text` (`body_text` NULL).
 */
function addSearchColumns(db: Database.Database): void {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('messages') as string[];
  if (!columns.includes('late_text')) db.exec('ALTER TABLE messages ADD COLUMN late_text TEXT');
  if (!columns.includes('body_text')) db.exec('ALTER TABLE messages ADD COLUMN body_text TEXT');
  // The raw segment log came after: older rows keep their raw events in message_raw.
  for (const c of ['raw_segment', 'raw_offset', 'raw_length']) if (!columns.includes(c)) db.exec(`ALTER TABLE messages ADD COLUMN ${c} INTEGER`);
}

/** A gap's count of messages not captured came later: older stores get the column (NULL: not known). */
function addGapLostColumn(db: Database.Database): void {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('gaps') as string[];
  if (!columns.includes('lost')) db.exec('ALTER TABLE gaps ADD COLUMN lost INTEGER');
}

interface GapRow {
  source: string;
  from: number;
  to: number | null;
  reason: string;
  lost: number | null;
}

/** A stored gap; `lost` only when known, so gaps without a count read as they always did. */
function gapOfRow({ lost, ...gap }: GapRow): CaptureGap {
  return lost === null ? gap : { ...gap, lost };
}

/**
 * Where each segment's frames end and the lowest id written into it (`end_offset`, `min_id`)
 * came after the raw segment log: the damage check at open compares segment files with them
 * without reading any row. Older stores get the columns, filled once from their rows.
 */
function addSegmentExtents(db: Database.Database): void {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('raw_segments') as string[];
  if (columns.includes('end_offset')) return;
  db.transaction(() => {
    db.exec('ALTER TABLE raw_segments ADD COLUMN min_id INTEGER; ALTER TABLE raw_segments ADD COLUMN end_offset INTEGER');
    db.exec(`UPDATE raw_segments SET min_id = e.minId, end_offset = e.end FROM (${EXTENTS_OF_ROWS}) AS e WHERE e.segment = raw_segments.segment`);
  })();
}

/** Why a capture cannot be read as it is (it needs an upgrade only a writable capture gets), or null. */
function staleSchema(db: Database.Database): string | null {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('messages') as string[];
  if (columns.length === 0) return 'not an osloscope capture (no messages table)';
  const version = columns.includes('raw_segment')
    ? (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('summaryVersion') as number | undefined)
    : undefined;
  const has = (table: string, column: string) => (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]).includes(column);
  const current = version === SUMMARY_VERSION && has('gaps', 'lost') && has('raw_segments', 'min_id');
  return current ? null : 'it was written by an older osloscope and is upgraded when opened writable once; a read-only capture cannot be';
}

/**
 * Stores written before the raw table split kept the raw event in `messages`, so every update of a
 * record (a delivery, its reply) rewrote its body too. Move it to `message_raw` once: a new
 * `messages` table (its indexes are recreated by SCHEMA), rows copied in id order.
 */
function migrateRawColumns(db: Database.Database): void {
  const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('messages') as string[];
  if (!columns.includes('raw_body')) return;
  // Rewrites the whole store: say so, since a large capture takes a while to open this once.
  const rows = db.prepare('SELECT COUNT(*) FROM messages').pluck().get() as number;
  process.emitWarning(`moving the raw events of ${rows} stored messages to their own table (once, after an upgrade)`, 'OsloscopeStore');
  db.transaction(() => {
    db.exec(SCHEMA_RAW_TABLE);
    db.exec(`
      INSERT INTO message_raw SELECT id, raw_origin, raw_exchange, raw_routing_key, raw_headers, raw_properties, raw_body FROM messages;
      ALTER TABLE messages RENAME TO messages_before_raw_split;
    `);
    db.exec(SCHEMA_MESSAGES_TABLE);
    const fresh = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('messages') as string[];
    const kept = columns.filter((c) => fresh.includes(c));
    db.exec(`INSERT INTO messages (${kept.join(', ')}) SELECT ${kept.join(', ')} FROM messages_before_raw_split; DROP TABLE messages_before_raw_split;`);
  })();
}

export class CaptureStore {
  private readonly db: Database.Database;
  /** The database file (named in write errors). */
  private readonly file: string;
  private readonly rawLog: RawSegmentLog;
  /** Why the capture is open read-only (capture-file.ts), or null: it is writable. */
  readonly readOnly: string | null;
  private readonly rawDamage: RawDamage;
  /** Segment extents found from the rows, for a read-only capture of a version that did not keep them. */
  private extentsOfRows: Map<number, SegmentExtent> | null = null;
  /** Prepared on the first write: a read-only capture of an older version lacks the columns it sets. */
  private segmentSeen: Database.Statement | null = null;
  private readonly stmts;
  private readonly summaryStmts: SummaryStatements;
  /** Messages with ids up to this one are in the text index (meta FTS_WATERMARK_KEY). */
  private ftsWatermark: number;
  /** Row count and body bytes as this connection wrote them (applyBatch). */
  private running: { stored: number; bytes: number } | null = null;
  /** UPDATE statements by the set of COLUMN_NAMES they change (bit i: COLUMN_NAMES[i]); see updateFor. */
  private readonly updates = new Map<number, Database.Statement>();

  /** How the capture decoded raw events: a lean record's body fields are decoded again the same way. */
  private readonly decodeOptions: DecodeOptions;

  /**
   * @param opts.cacheMiB SQLite page cache of this connection. The writer's keeps the index
   *   pages recent rows go to hot; a reader's serves queries (each connection has its own).
   * @param opts.decodeOptions the capture's decode options (default: the agent's).
   * @param opts.rawSegmentBytes size at which the raw segment log starts a new segment (tests).
   * @throws CaptureOpenError (capture-file.ts) naming the path and the cause
   */
  constructor(dataDirGiven: string, opts: { cacheMiB?: number; decodeOptions?: DecodeOptions; rawSegmentBytes?: number } = {}) {
    this.decodeOptions = opts.decodeOptions ?? agentDecodeOptions();
    // Absolute: the paths of damaged files are reported (health, log).
    const dataDir = path.resolve(dataDirGiven);
    const access = captureAccess(dataDir);
    this.readOnly = access.readOnly;
    this.file = path.join(dataDir, 'capture.sqlite');
    this.db = openCaptureDatabase(dataDir, access);
    this.rawLog = new RawSegmentLog(dataDir, opts.rawSegmentBytes, this.readOnly !== null);
    this.rawDamage = new RawDamage({
      fileOf: (segment) => this.rawLog.fileOf(segment),
      stat: (segment) => this.rawLog.stat(segment),
      extent: (segment) => this.segmentExtent(segment),
      countBeyond: (extent, size) => this.stmts.countBeyond.get(extent.minId, extent.maxId, extent.segment, size) as number,
    });
    this.db.pragma(`cache_size = -${(opts.cacheMiB ?? 8) * 1024}`);
    this.db.pragma('temp_store = MEMORY');
    try {
      if (this.readOnly === null) this.prepareSchema();
      else {
        const stale = staleSchema(this.db);
        if (stale !== null) throw new Error(stale);
      }
    } catch (e) {
      this.close();
      throw captureOpenError(dataDir, e);
    }
    this.summaryStmts = prepareSummaryStatements(this.db);
    const cols = COLUMN_NAMES.join(', ');
    // Positional parameters, in the order prepareBatch() lays a row out (named ones cost a 30-key object per row).
    const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
    const rawRef = ['raw_segment', 'raw_offset', 'raw_length'];
    this.stmts = {
      insert: this.db.prepare(
        `INSERT INTO messages (${cols}, record_json, lean, raw_size, body_text, ${rawRef.join(', ')}, id) VALUES (${marks(COLUMN_NAMES.length + 8)})`,
      ),
      // raw_size and the raw reference NULL: the write does not carry the raw event, the row
      // keeps its own; body_text is written once (a row of an older version gets one from its
      // old search text); late_text NULL: unchanged (see writeBatch).
      getRaw: this.db.prepare('SELECT origin, exchange, routing_key, headers, properties, body FROM message_raw WHERE id = ?'),
      // Rows of a segment whose frames end past `?` bytes, among the ids written into it.
      countBeyond: this.db.prepare('SELECT COUNT(*) FROM messages WHERE id BETWEEN ? AND ? AND raw_segment = ? AND raw_offset + raw_length > ?').pluck(),
      segmentsUpTo: this.db.prepare('SELECT segment FROM raw_segments WHERE max_id <= ?').pluck(),
      segmentDelete: this.db.prepare('DELETE FROM raw_segments WHERE segment = ?'),
      deleteRawUpTo: this.db.prepare('DELETE FROM message_raw WHERE id <= ?'),
      ftsIndexAfter: this.db.prepare(`INSERT INTO messages_fts (rowid, text) SELECT ${TEXT_ENTRY} * id, ${INDEXED_TEXT} FROM messages WHERE id > ?`),
      ftsIndexOne: this.db.prepare(`INSERT INTO messages_fts (rowid, text) SELECT ${TEXT_ENTRY} * id, ${INDEXED_TEXT} FROM messages WHERE id = ?`),
      ftsInsert: this.db.prepare('INSERT INTO messages_fts (rowid, text) VALUES (?, ?)'),
      ftsDelete: this.db.prepare('DELETE FROM messages_fts WHERE rowid = ?'),
      exchangeInsert: this.db.prepare('INSERT OR IGNORE INTO message_exchanges (name, message_id) VALUES (?, ?)'),
      exchangeDelete: this.db.prepare('DELETE FROM message_exchanges WHERE name = ? AND message_id = ?'),
      // Every column a write sets (summaries and the narrowed UPDATE compare against them), as an
      // array laid out like a prepared row: better-sqlite3 builds a row object property by
      // property (V8's slow path), which was a fifth of the writer's time on late changes.
      before: this.db.prepare(`SELECT ${COLUMN_NAMES.join(', ')}, late_text, body_text IS NULL AS old_row, raw_size FROM messages WHERE id = ?`).raw(),
      serversOf: this.db.prepare('SELECT server FROM message_servers WHERE id = ?').pluck(),
      record: this.db.prepare(`SELECT ${RECORD_ROW} FROM messages WHERE id = ?`),
      // A late change reads its record back with this: the JSON alone, no row object to build.
      recordJson: this.db.prepare('SELECT record_json FROM messages WHERE id = ?').pluck(),
      callByMsgId: this.db.prepare("SELECT id FROM messages WHERE msg_id = ? AND kind = 'call' ORDER BY id DESC LIMIT 1").pluck(),
      byUniqueId: this.db.prepare('SELECT id FROM messages WHERE unique_id = ? ORDER BY id DESC LIMIT 1').pluck(),
      pending: this.db.prepare(`SELECT ${RECORD_ROW} FROM messages WHERE outcome = 'pending' ORDER BY id`),
      totals: this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(raw_size), 0) AS bytes, COALESCE(MAX(id), 0) AS maxId FROM messages'),
      oldest: this.db.prepare('SELECT id, raw_size, exchange, target_exchange, late_text IS NOT NULL AS late FROM messages ORDER BY id LIMIT ?'),
      deleteUpTo: this.db.prepare('DELETE FROM messages WHERE id <= ?'),
      deleteServersUpTo: this.db.prepare('DELETE FROM message_servers WHERE id <= ?'),
      deleteServers: this.db.prepare('DELETE FROM message_servers WHERE id = ?'),
      insertServer: this.db.prepare('INSERT OR IGNORE INTO message_servers (server, id) VALUES (?, ?)'),
      metaGet: this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      metaSet: this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      gapInsert: this.db.prepare('INSERT INTO gaps (source, from_ms, to_ms, reason, lost) VALUES (?, ?, ?, ?, ?)'),
      flowSpan: this.db.prepare(
        `SELECT (SELECT MIN(captured_at) FROM messages WHERE flow_key = ?) AS firstAt,
                (SELECT MAX(captured_at) FROM messages WHERE flow_key = ?) AS lastAt,
                (SELECT id FROM messages INDEXED BY messages_flow_time WHERE flow_key = ? LIMIT 1) AS sampleId`,
      ),
      gapList: this.db.prepare('SELECT source, from_ms AS "from", to_ms AS "to", reason, lost FROM gaps ORDER BY from_ms, id'),
      countAfter: this.db.prepare('SELECT COUNT(*) FROM messages WHERE id > ? AND source = ?').pluck(),
    };
    if (this.readOnly === null) this.rebuildSummariesIfStale();
    this.ftsWatermark = this.meta(FTS_WATERMARK_KEY) ?? 0;
  }

  /** Create or upgrade the schema (a writable capture). */
  private prepareSchema(): void {
    // Rows are ~3–25 KB (record JSON + raw body): larger pages mean fewer overflow pages per row.
    // Only takes effect when the file is created (existing stores keep their page size).
    this.db.pragma('page_size = 16384');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    migrateRawColumns(this.db);
    this.db.exec(SCHEMA);
    addSearchColumns(this.db);
    addSegmentExtents(this.db);
    addGapLostColumn(this.db);
    const summaryVersion = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('summaryVersion') as number | undefined;
    if (summaryVersion !== SUMMARY_VERSION) this.db.exec(DROP_OLD_SCHEMA);
    this.db.exec(SUMMARY_SCHEMA);
    this.tuneTextIndex();
  }

  /**
   * Write a batch in one transaction. A batch that fails (disk full) leaves nothing behind: its
   * raw events are taken back too, so it can be written again as it is.
   * @returns the change in stored body bytes (a replaced raw event can change size)
   */
  writeBatch(batch: PreparedBatch): { inserted: number; bytes: number } {
    // The raw events first, in one write: the transaction below commits rows pointing at them.
    const at = batch.frames.byteLength > 0 ? this.rawLog.append(batch.frames) : null;
    try {
      return this.writeRows(batch, at);
    } catch (e) {
      if (at) this.rawLog.discard(at);
      throw withPath(e, this.file);
    }
  }

  private writeRows(batch: PreparedBatch, at: { segment: number; offset: number } | null): { inserted: number; bytes: number } {
    let inserted = 0;
    let bytes = 0;
    let maxInserted = this.ftsWatermark;
    /** New rows below the text index's watermark: a batch written again after a later one was (see flush in record-writeback.ts). */
    const belowWatermark: number[] = [];
    this.db.transaction(() => {
      const delta = new SummaryDelta();
      let maxFramed = 0;
      let minFramed = Number.MAX_SAFE_INTEGER;
      for (const w of batch.writes) {
        const id = w.id;
        const cols = columnsOfRow(w.row);
        // The body's size (raw_size), not the frame's: retention counts body bytes.
        const size = (w.row[w.row.length - 2] as number | null) ?? 0;
        const segment = at && w.frame ? at.segment : null;
        const offset = at && w.frame ? at.offset + w.frame[0] : null;
        const length = w.frame ? w.frame[1] : null;
        if (w.frame && id > maxFramed) maxFramed = id;
        if (w.frame && id < minFramed) minFramed = id;
        /** Server names the row has in message_servers (none for a new row). */
        let had: string[] = [];
        if (w.insert && w.frame) {
          this.stmts.insert.run(w.row, segment, offset, length, id);
          inserted++;
          bytes += size;
          if (id > maxInserted) maxInserted = id;
          if (id <= this.ftsWatermark) belowWatermark.push(id);
          this.addExchanges(cols, id);
        } else {
          const beforeRow = this.stmts.before.get(id) as unknown[] | undefined;
          if (beforeRow === undefined) continue; // evicted meanwhile
          const before = columnsOfRow(beforeRow);
          const n = COLUMN_NAMES.length;
          const beforeLate = beforeRow[n] as string | null;
          const oldRow = beforeRow[n + 1] === 1;
          const beforeSize = beforeRow[n + 2] as number;
          // A row already in the text index keeps its entry; what the change made searchable
          // (a server named by a delivery, a call's failure) goes into the row's small late
          // entry. Indexing the whole text again cost a delete and ~1,000 trigrams a change.
          // Rows not yet indexed are indexed with their final text at the end of the batch.
          let late: string | null = null;
          if (id <= this.ftsWatermark && before.search_text !== cols.search_text) {
            const added = addedSearchFields(before.search_text, cols.search_text);
            if (added.length > 0) {
              late = mergeLateText(beforeLate, added);
              if (beforeLate !== null) this.stmts.ftsDelete.run(TEXT_ENTRY * id + 1);
              this.stmts.ftsInsert.run(TEXT_ENTRY * id + 1, late);
            }
          }
          // A row of an older version has its args in search_text: keep them as its body_text.
          if (oldRow) w.row[w.row.length - 1] = before.search_text;
          this.updateRow(w.row, beforeRow, late, segment, offset, length, id);
          if (w.frame) bytes += size - beforeSize;
          delta.add(before, -1);
          if (before.exchange !== cols.exchange || before.target_exchange !== cols.target_exchange) {
            this.stmts.exchangeDelete.run(before.exchange, id);
            if (before.target_exchange !== null) this.stmts.exchangeDelete.run(before.target_exchange, id);
            this.addExchanges(cols, id);
          }
          // A change mostly adds a server (a delivery) or none: the row's names are deleted and
          // written again only when one goes.
          had = this.stmts.serversOf.all(id) as string[];
          if (had.some((server) => !w.servers.includes(server))) {
            this.stmts.deleteServers.run(id);
            had = [];
          }
        }
        delta.add(cols, 1);
        for (const server of w.servers) if (!had.includes(server)) this.stmts.insertServer.run(server, id);
      }
      delta.apply(this.summaryStmts);
      if (at) (this.segmentSeen ??= this.db.prepare(SEGMENT_SEEN)).run(at.segment, minFramed, maxFramed, at.offset + batch.frames.byteLength);
      for (const [k, v] of Object.entries(batch.meta)) this.stmts.metaSet.run(k, v);
      // Index the batch's new rows in one statement (with their final text: updates in this
      // batch came first). Far cheaper than an FTS insert per row.
      if (maxInserted > this.ftsWatermark) {
        this.stmts.ftsIndexAfter.run(this.ftsWatermark);
        this.stmts.metaSet.run(FTS_WATERMARK_KEY, maxInserted);
      }
      for (const id of belowWatermark) this.stmts.ftsIndexOne.run(id);
      for (const gap of batch.gaps) this.stmts.gapInsert.run(gap.source, gap.from, gap.to, gap.reason, gap.lost ?? null);
    })();
    this.ftsWatermark = maxInserted;
    return { inserted, bytes };
  }

  /**
   * Write a batch, then evict the oldest rows beyond `retention`: what the writer (on this
   * thread or the writer thread) does with each batch. The writer is the only one changing
   * the store, so it keeps the running totals eviction needs.
   */
  applyBatch(batch: PreparedBatch, retention: Retention): BatchResult {
    this.running ??= this.totals();
    const { inserted, bytes } = this.writeBatch(batch);
    this.running.stored += inserted;
    this.running.bytes += bytes;
    let evicted = { count: 0, bytes: 0 };
    try {
      evicted = this.evict(retention, this.running);
    } catch {
      // Eviction writes too (a full disk refuses it): the batch is written all the same, and
      // failing it would write its rows twice. The next batch evicts again.
    }
    this.running.stored -= evicted.count;
    this.running.bytes -= evicted.bytes;
    return { inserted, bytes, evicted };
  }

  /**
   * Rewrite a stored row, setting only the columns whose value changed: SQLite updates an index
   * only when the UPDATE sets one of its columns, and a delivery or a reply changes none of the
   * nine indexed ones (it names a server, an outcome and latency), so a late change rewrites the
   * row and nothing else. The record JSON and the COALESCEd tail are always set.
   */
  private updateRow(
    row: unknown[],
    before: readonly unknown[],
    late: string | null,
    segment: number | null,
    offset: number | null,
    length: number | null,
    id: number,
  ): void {
    let mask = 0;
    const params: unknown[] = [];
    for (let i = 0; i < COLUMN_NAMES.length; i++) {
      if (row[i] !== before[i]) {
        mask |= 1 << i;
        params.push(row[i]);
      }
    }
    // record_json, lean, raw_size, body_text follow the columns in a prepared row.
    const n = COLUMN_NAMES.length;
    params.push(row[n], row[n + 1], row[n + 2], row[n + 3], late, segment, offset, length, id);
    this.updateFor(mask).run(params);
  }

  private updateFor(mask: number): Database.Statement {
    let stmt = this.updates.get(mask);
    if (!stmt) {
      const changed = COLUMN_NAMES.filter((_c, i) => (mask & (1 << i)) !== 0)
        .map((c) => `${c} = ?, `)
        .join('');
      // raw_size and the raw reference NULL: the write does not carry the raw event, the row
      // keeps its own; body_text is written once (a row of an older version gets one from its
      // old search text); late_text NULL: unchanged (see writeBatch).
      stmt = this.db.prepare(
        `UPDATE messages SET ${changed}record_json = ?, lean = ?, raw_size = COALESCE(?, raw_size), body_text = COALESCE(body_text, ?), ` +
          `late_text = COALESCE(?, late_text), raw_segment = COALESCE(?, raw_segment), raw_offset = COALESCE(?, raw_offset), raw_length = COALESCE(?, raw_length) WHERE id = ?`,
      );
      this.updates.set(mask, stmt);
    }
    return stmt;
  }

  private addExchanges(cols: RecordColumns, id: number): void {
    this.stmts.exchangeInsert.run(cols.exchange, id);
    if (cols.target_exchange !== null && cols.target_exchange !== cols.exchange) this.stmts.exchangeInsert.run(cols.target_exchange, id);
  }

  /** The record as stored: a lean one without its body fields (its raw body is not decoded). */
  getLeanRecord(id: number): EnvelopeRecord | null {
    const json = this.stmts.recordJson.get(id) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as EnvelopeRecord);
  }

  /** A stored message; one whose raw event is lost comes with the reason. null: no such row (never stored, or evicted). */
  getRow(id: number): StoredRow | null {
    const row = this.stmts.record.get(id) as RecordRow | undefined;
    return row ? this.storedRow(row, this.rawOf(row)) : null;
  }

  private storedRow(row: RecordRow, raw: StoredRaw | string): StoredRow {
    return typeof raw === 'string' ? { record: this.recordOf(row, raw), raw: null, lost: raw } : { record: this.recordOf(row, raw), raw };
  }

  /**
   * A row's raw event: from the raw segment log, or `message_raw` for a row of an older version.
   * When it cannot be read: why, in words (`raw/00000003.seg is truncated`); the loss is reported.
   */
  private rawOf(row: RawRefColumns & { id: number }): StoredRaw | string {
    const ref = rawRefOf(row);
    if (!ref) {
      const old = this.stmts.getRaw.get(row.id) as RawRow | undefined;
      return old ? parseRaw(old) : OLD_RAW_MISSING;
    }
    const read = this.rawLog.read(ref);
    if (!isRawLoss(read)) return read;
    this.rawDamage.noteLoss(read, row.id);
    return lossReason(this.rawLog.fileOf(read.segment).name, read);
  }

  /**
   * The record a row holds; a lean one gets its body fields back from its raw event
   * (lean-record.ts), and stays without them when that is lost.
   */
  private recordOf(row: RecordRow, raw?: StoredRaw | string): EnvelopeRecord {
    const record = JSON.parse(row.record_json) as EnvelopeRecord;
    if (row.lean === 0) return record;
    const stored = raw ?? this.rawOf(row);
    if (typeof stored === 'string') return record;
    let decoded: DecodedEnvelope;
    try {
      decoded = decodeRaw(stored, this.decodeOptions);
    } catch {
      return record; // the codec never throws by contract; a read must not fail regardless
    }
    return hydrateRecord(record, decoded);
  }

  findCallByMsgId(msgId: string): number | null {
    return (this.stmts.callByMsgId.get(msgId) as number | undefined) ?? null;
  }

  findByUniqueId(uniqueId: string): number | null {
    return (this.stmts.byUniqueId.get(uniqueId) as number | undefined) ?? null;
  }

  pendingCalls(): EnvelopeRecord[] {
    return (this.stmts.pending.all() as RecordRow[]).map((row) => this.recordOf(row));
  }

  totals(): { stored: number; bytes: number; maxId: number } {
    const t = this.stmts.totals.get() as { n: number; bytes: number; maxId: number };
    return { stored: t.n, bytes: t.bytes, maxId: t.maxId };
  }

  /**
   * Delete the oldest rows until both limits hold, plus a margin (1% of the count limit) so
   * eviction runs in batches rather than on every insert.
   */
  evict(limits: { maxMessages: number; maxBytes: number }, current: { stored: number; bytes: number }): { count: number; bytes: number } {
    const margin = Math.max(1, Math.floor(limits.maxMessages / 100));
    let needCount = current.stored > limits.maxMessages ? current.stored - limits.maxMessages + margin : 0;
    let needBytes = current.bytes > limits.maxBytes ? current.bytes - limits.maxBytes + Math.floor(limits.maxBytes / 100) : 0;
    if (needCount <= 0 && needBytes <= 0) return { count: 0, bytes: 0 };
    let count = 0;
    let bytes = 0;
    let lastId = -1;
    // The byte limit needs an open-ended walk (bodies vary); the count limit knows how many.
    const limit = needBytes > 0 ? current.stored : needCount;
    const gone: { id: number; exchange: string; target_exchange: string | null; late: number }[] = [];
    for (const row of this.stmts.oldest.iterate(limit) as Iterable<{
      id: number;
      raw_size: number;
      exchange: string;
      target_exchange: string | null;
      late: number;
    }>) {
      if (needCount <= 0 && needBytes <= 0) break;
      gone.push(row);
      lastId = row.id;
      count++;
      bytes += row.raw_size;
      needCount--;
      needBytes -= row.raw_size;
    }
    if (lastId >= 0) {
      this.db.transaction(() => {
        deltaOfRows(this.db, 'id <= ?', [lastId], -1).apply(this.summaryStmts);
        for (const row of gone) {
          this.stmts.exchangeDelete.run(row.exchange, row.id);
          if (row.target_exchange !== null) this.stmts.exchangeDelete.run(row.target_exchange, row.id);
          if (row.id <= this.ftsWatermark) this.stmts.ftsDelete.run(TEXT_ENTRY * row.id);
          if (row.late) this.stmts.ftsDelete.run(TEXT_ENTRY * row.id + 1);
        }
        this.stmts.deleteUpTo.run(lastId);
        this.stmts.deleteRawUpTo.run(lastId);
        this.stmts.deleteServersUpTo.run(lastId);
      })();
      // Segments whose every message is gone, once the rows pointing at them are (a crash in
      // between leaves their raw_segments rows: the next eviction removes them).
      const removed = this.rawLog.remove(this.stmts.segmentsUpTo.all(lastId) as number[]);
      if (removed.length > 0) this.db.transaction(() => removed.forEach((segment) => this.stmts.segmentDelete.run(segment)))();
    }
    return { count, bytes };
  }

  meta(key: string): number | null {
    return (this.stmts.metaGet.get(key) as number | undefined) ?? null;
  }

  addGap(gap: CaptureGap): void {
    this.stmts.gapInsert.run(gap.source, gap.from, gap.to, gap.reason, gap.lost ?? null);
  }

  /** Counters written outside a batch: the capture's last word when it closes with writes left unwritten. */
  saveMeta(meta: Record<string, number>): void {
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(meta)) this.stmts.metaSet.run(k, v);
    })();
  }

  gaps(): CaptureGap[] {
    return (this.stmts.gapList.all() as GapRow[]).map(gapOfRow);
  }

  /** Stored messages of `source` with ids after `afterId` (what it captured after that one). */
  countAfter(source: string, afterId: number): number {
    return this.stmts.countAfter.get(afterId, source) as number;
  }

  /**
   * Eviction deletes the oldest rows, so the text index's oldest segments fill with deletion
   * marks; with FTS5's default (`deletemerge` 10 %) its automatic merging rewrote them on almost
   * every batch, cutting the steady-state write rate (retention full) ~3x: 2.3k -> 7.0k msg/s
   * at 1M messages over a 200k retention with 50 %, text pages still <= 15 ms, same file size.
   * Every batch adds a segment (~1,000 rows); merging them 16 at a time rather than 4 does
   * fewer passes over the same entries: ~10 % more messages/s in B2.
   */
  private tuneTextIndex(): void {
    const config = this.db.prepare('SELECT v FROM messages_fts_config WHERE k = ?').pluck();
    for (const [key, value] of [
      ['deletemerge', TEXT_INDEX_DELETEMERGE],
      ['automerge', TEXT_INDEX_AUTOMERGE],
    ] as const) {
      if (config.get(key) !== value) this.db.exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('${key}', ${value})`);
    }
  }

  /** A store written by an older version lacks (or has stale) summaries: refill them once. */
  private rebuildSummariesIfStale(): void {
    if (this.meta('summaryVersion') === SUMMARY_VERSION) return;
    this.db.transaction(() => {
      rebuildSummaries(this.db, this.summaryStmts);
      this.stmts.metaSet.run('summaryVersion', SUMMARY_VERSION);
    })();
  }

  /** Newest first. */
  page(where: SqlWhere, limit: number): EnvelopeRecord[] {
    // A repeating driver yields each message at most twice: twice the limit holds `limit` of them.
    const rows = this.db
      .prepare(`SELECT ${RECORD_ROW} FROM ${where.from ?? 'messages'} WHERE ${where.sql} ORDER BY ${where.order ?? 'messages.id'} DESC LIMIT ?`)
      .all(...boundParams(where), where.repeats ? 2 * limit : limit) as RecordRow[];
    return (where.repeats ? withoutRepeats(rows).slice(0, limit) : rows).map((row) => this.recordOf(row));
  }

  /**
   * Matching rows counted up to `cap` (or the lower `where.countCap`): past it the exact number costs a scan of every match
   * (seconds at a million rows) and a person only needs to know there are many.
   * @returns `count` ≤ cap, and `capped` when more rows match than were counted
   */
  countUpTo(where: SqlWhere, requestedCap: number): { count: number; capped: boolean } {
    const cap = Math.min(requestedCap, where.countCap ?? requestedCap);
    // With repeats, any 2 × (cap + 1) matching rows hold at least cap + 1 messages.
    const n = this.db
      .prepare(
        where.repeats
          ? `SELECT COUNT(DISTINCT id) FROM (SELECT messages.id AS id FROM ${where.from ?? 'messages'} WHERE ${where.sql} LIMIT ?)`
          : `SELECT COUNT(*) FROM (SELECT 1 FROM ${where.from ?? 'messages'} WHERE ${where.sql} LIMIT ?)`,
      )
      .pluck()
      .get(...boundParams(where), where.repeats ? 2 * (cap + 1) : cap + 1) as number;
    return n > cap ? { count: cap, capped: true } : { count: n, capped: false };
  }

  /** Oldest first, with raw events (export); a row whose raw event is lost (its segment cut short, say) comes with the reason. */
  *iterateRows(where: SqlWhere): Generator<StoredRow> {
    // One joined query: the connection runs no other statement while this one iterates.
    const stmt = this.db.prepare(
      `SELECT ${RECORD_ROW}, message_raw.origin, message_raw.exchange, message_raw.routing_key, message_raw.headers, message_raw.properties, message_raw.body
       FROM ${where.from ?? 'messages'} LEFT JOIN message_raw ON message_raw.id = messages.id WHERE ${where.sql} ORDER BY ${where.order ?? 'messages.id'}`,
    );
    let previous = -1;
    this.rawDamage.hold(); // losses found meanwhile are counted once the statement is done
    try {
      for (const row of stmt.iterate(...boundParams(where)) as Iterable<RecordRow & (RawRow | { [K in keyof RawRow]: null })>) {
        if (row.id === previous) continue; // a repeat (SqlWhere.repeats) comes right after the first
        previous = row.id;
        const raw = rawRefOf(row) ? this.rawOf(row) : row.body !== null ? parseRaw(row) : OLD_RAW_MISSING;
        yield this.storedRow(row, raw);
      }
    } finally {
      this.rawDamage.release();
    }
  }

  /** Grouped rows for aggregates; `select` and `groupBy` come from the aggregate module, never from users. */
  grouped<T>(select: string, where: SqlWhere, groupBy: string, orderBy?: string): T[] {
    if (where.repeats) throw new Error('grouped() needs every match once: build the filter asSet');
    const sql = `SELECT ${select} FROM ${where.from ?? 'messages'} WHERE ${where.sql} GROUP BY ${groupBy}${orderBy ? ` ORDER BY ${orderBy}` : ''}`;
    return this.db.prepare(sql).all(...boundParams(where)) as T[];
  }

  /**
   * The write-time summaries (store-summaries.ts): rows of `flow_groups`, `flow_latencies`,
   * `flow_reached` or `version_groups`, each with its count `n`.
   */
  summary<T>(table: 'flow_groups' | 'flow_latencies' | 'flow_reached' | 'version_groups'): T[] {
    const order = table === 'flow_latencies' ? ' ORDER BY flow_key, latency_ms' : '';
    return this.db.prepare(`SELECT * FROM ${table}${order}`).all() as T[];
  }

  /** A flow's first and last capture time and one of its records' ids, by index (no scan). */
  flowSpan(flowKey: string): { firstAt: number; lastAt: number; sampleId: number } | null {
    const row = this.stmts.flowSpan.get(flowKey, flowKey, flowKey) as { firstAt: number | null; lastAt: number; sampleId: number } | undefined;
    return row && row.firstAt !== null ? { firstAt: row.firstAt, lastAt: row.lastAt, sampleId: row.sampleId } : null;
  }

  select<T>(sql: string, params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  /**
   * Compare the raw segment files with what rows refer to in them (at open: one query and a stat
   * a segment); `report` hears of each damage found now and by later reads.
   */
  checkRawSegments(report: (damage: StoreDamage) => void): void {
    this.rawDamage.check(this.segmentExtents(), report);
  }

  /** Damage found so far (raw events lost), by file. */
  damage(): StoreDamage[] {
    return this.rawDamage.list();
  }

  private segmentExtents(): SegmentExtent[] {
    if (this.extentsOfRows) return [...this.extentsOfRows.values()];
    const columns = this.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('raw_segments') as string[];
    if (columns.includes('end_offset')) return this.db.prepare(SEGMENT_EXTENTS).all() as SegmentExtent[];
    // A read-only capture of a version that did not keep them: one scan of the rows, kept.
    this.extentsOfRows = new Map((this.db.prepare(EXTENTS_OF_ROWS).all() as SegmentExtent[]).map((e) => [e.segment, e]));
    return [...this.extentsOfRows.values()];
  }

  private segmentExtent(segment: number): SegmentExtent | null {
    if (this.extentsOfRows) return this.extentsOfRows.get(segment) ?? null;
    return (this.db.prepare(`${SEGMENT_EXTENTS} AND segment = ?`).get(segment) as SegmentExtent | undefined) ?? null;
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.rawLog.close();
  }
}
