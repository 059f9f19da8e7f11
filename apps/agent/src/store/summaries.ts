/**
 * Summary tables the store keeps up to date at write time, so the unfiltered flow and version
 * views never scan every message. Each written batch collects the change it makes to every
 * group (+1 for a new row, −1/+1 when an update moves a row between groups, −n for evicted
 * rows) in a `SummaryDelta`, and applies it with one upsert per changed group. Per-row SQL
 * triggers did the same work with four upserts per row and cost the write path ~3×
 * (docs/performance.md).
 */
import type Database from 'better-sqlite3';
import type { RecordColumns } from './columns.js';

/** Bump when the summary schema changes: an older store is rebuilt from `messages` on open. */
export const SUMMARY_VERSION = 5;

/**
 * `meta` key: every message with an id up to this one is in `messages_fts`. New rows are
 * indexed per written batch by one `INSERT … SELECT` over the id range (see CaptureStore).
 */
export const FTS_WATERMARK_KEY = 'ftsIndexedUpTo';

/**
 * Text index rowids per message: its entry is `TEXT_ENTRY × id` (its search text when first
 * indexed), its late entry `TEXT_ENTRY × id + 1` (the fields later changes added, `late_text`).
 * The two sort next to each other, so one index scan yields matches in message order; a
 * message matching through both comes twice, side by side (filter-sql `repeats`).
 */
export const TEXT_ENTRY = 2;

/** What a message's first text index entry holds: its search text and its args text (NULL in rows of older versions, whose search_text holds them). */
export const INDEXED_TEXT = "search_text || char(1) || COALESCE(body_text, '')";

/** Triggers and indexes of older versions: dropped on open (the store now does their work). */
export const DROP_OLD_SCHEMA = `
DROP TRIGGER IF EXISTS messages_summary_insert;
DROP TRIGGER IF EXISTS messages_summary_update;
DROP TRIGGER IF EXISTS messages_summary_delete;
DROP TRIGGER IF EXISTS messages_exchanges_update;
DROP TRIGGER IF EXISTS messages_fts_update;
DROP INDEX IF EXISTS messages_exchange;
DROP INDEX IF EXISTS messages_target_exchange;
DROP TABLE IF EXISTS messages_fts;
`;

/**
 * Tables and the flow time index. `messages_fts` is a contentless trigram index of
 * `search_text` (rowids: TEXT_ENTRY): it stores only which rows hold each trigram, neither the
 * text nor positions (`detail=none`, see filter-sql `trigramQuery`).
 */
export const SUMMARY_SCHEMA = `
CREATE TABLE IF NOT EXISTS flow_groups (
  group_key TEXT PRIMARY KEY, flow_key TEXT NOT NULL, kind TEXT NOT NULL, outcome TEXT, failure_class TEXT,
  client_key TEXT, server TEXT, sig_failed INTEGER NOT NULL, n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flow_latencies (
  flow_key TEXT NOT NULL, latency_ms INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (flow_key, latency_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flow_reached (
  flow_key TEXT NOT NULL, server TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (flow_key, server)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS version_groups (
  group_key TEXT PRIMARY KEY, exchange TEXT NOT NULL, topic TEXT NOT NULL, namespace TEXT, version TEXT, method TEXT,
  kind TEXT NOT NULL, outcome TEXT, failure_class TEXT, server TEXT, client_key TEXT, n INTEGER NOT NULL
) WITHOUT ROWID;
-- A flow's first/last time and a sample record, by index (a MIN/MAX cannot be decremented).
CREATE INDEX IF NOT EXISTS messages_flow_time ON messages(flow_key, captured_at) WHERE flow_key IS NOT NULL;
-- Both exchanges a message is found by (filter 'exchange': published to OR target), so the
-- filter walks one (exchange, id) key newest first instead of ORing two indexes and sorting.
CREATE TABLE IF NOT EXISTS message_exchanges (name TEXT NOT NULL, message_id INTEGER NOT NULL, PRIMARY KEY (name, message_id)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1, detail = none);
`;

export const SUMMARY_COLUMN_NAMES = [
  'kind',
  'exchange',
  'target_exchange',
  'topic',
  'namespace',
  'version',
  'method',
  'server',
  'outcome',
  'failure_class',
  'latency_ms',
  'signature_status',
  'flow_key',
  'client_key',
  'reached',
] as const satisfies readonly (keyof RecordColumns)[];

/** The `messages` columns a row's summary groups are made of. */
export type SummaryColumns = Pick<RecordColumns, (typeof SUMMARY_COLUMN_NAMES)[number]>;

interface Counted<Row> {
  row: Row;
  n: number;
}

function bump<Row>(map: Map<string, Counted<Row>>, key: string, row: () => Row, n: number): void {
  const entry = map.get(key);
  if (entry) entry.n += n;
  else map.set(key, { row: row(), n });
}

/** The change a batch makes to every summary group; `apply` writes it. */
export class SummaryDelta {
  private readonly flowGroups = new Map<string, Counted<unknown[]>>();
  private readonly latencies = new Map<string, Counted<[string, number]>>();
  private readonly reached = new Map<string, Counted<[string, string]>>();
  private readonly versionGroups = new Map<string, Counted<unknown[]>>();

  /** Count `n` rows (negative: take them out) with these columns into their groups. */
  add(c: SummaryColumns, n: number): void {
    if (n === 0) return;
    const flowKey = c.flow_key;
    if (flowKey !== null) {
      const group = [flowKey, c.kind, c.outcome, c.failure_class, c.client_key, c.server, c.signature_status === 'failed' ? 1 : 0];
      bump(this.flowGroups, JSON.stringify(group), () => group, n);
      const latency = c.latency_ms;
      if (c.kind === 'call' && latency !== null) bump(this.latencies, `${latency}\u0000${flowKey}`, () => [flowKey, latency], n);
      if (c.reached !== null) {
        // Each server once per message, as the scan's DISTINCT counts it.
        for (const server of new Set(JSON.parse(c.reached) as string[])) bump(this.reached, `${server}\u0000${flowKey}`, () => [flowKey, server], n);
      }
    }
    if ((c.kind === 'call' || c.kind === 'cast') && c.topic !== null) {
      const group = [c.target_exchange ?? c.exchange, c.topic, c.namespace, c.version, c.method, c.kind, c.outcome, c.failure_class, c.server, c.client_key];
      bump(this.versionGroups, JSON.stringify(group), () => group, n);
    }
  }

  /** Write the change (inside the caller's transaction); groups whose count reaches 0 disappear. */
  apply(stmts: SummaryStatements): void {
    for (const [key, { row, n }] of this.flowGroups) if (n !== 0) stmts.flowGroup.run(key, ...row, n);
    for (const { row, n } of this.latencies.values()) if (n !== 0) stmts.latency.run(...row, n);
    for (const { row, n } of this.reached.values()) if (n !== 0) stmts.reached.run(...row, n);
    for (const [key, { row, n }] of this.versionGroups) if (n !== 0) stmts.versionGroup.run(key, ...row, n);
    if ([this.flowGroups, this.latencies, this.reached, this.versionGroups].some((m) => [...m.values()].some((e) => e.n < 0))) {
      stmts.dropEmpty();
    }
  }
}

export interface SummaryStatements {
  flowGroup: Database.Statement;
  latency: Database.Statement;
  reached: Database.Statement;
  versionGroup: Database.Statement;
  dropEmpty: () => void;
}

export function prepareSummaryStatements(db: Database.Database): SummaryStatements {
  const dropEmpty = [
    db.prepare('DELETE FROM flow_groups WHERE n <= 0'),
    db.prepare('DELETE FROM flow_latencies WHERE n <= 0'),
    db.prepare('DELETE FROM flow_reached WHERE n <= 0'),
    db.prepare('DELETE FROM version_groups WHERE n <= 0'),
  ];
  return {
    flowGroup: db.prepare(
      `INSERT INTO flow_groups (group_key, flow_key, kind, outcome, failure_class, client_key, server, sig_failed, n)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(group_key) DO UPDATE SET n = n + excluded.n`,
    ),
    latency: db.prepare(
      'INSERT INTO flow_latencies (flow_key, latency_ms, n) VALUES (?, ?, ?) ON CONFLICT(flow_key, latency_ms) DO UPDATE SET n = n + excluded.n',
    ),
    reached: db.prepare('INSERT INTO flow_reached (flow_key, server, n) VALUES (?, ?, ?) ON CONFLICT(flow_key, server) DO UPDATE SET n = n + excluded.n'),
    versionGroup: db.prepare(
      `INSERT INTO version_groups (group_key, exchange, topic, namespace, version, method, kind, outcome, failure_class, server, client_key, n)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(group_key) DO UPDATE SET n = n + excluded.n`,
    ),
    // Summary tables hold a few hundred rows: scanning them for empties is cheaper than tracking.
    dropEmpty: () => {
      for (const s of dropEmpty) s.run();
    },
  };
}

const SUMMARY_SELECT = SUMMARY_COLUMN_NAMES.join(', ');

/**
 * The summary change of taking the rows `WHERE <where>` out (eviction), or of putting them in
 * (a rebuild, with `sign` 1), grouped in SQL so a million rows cost one pass.
 */
export function deltaOfRows(db: Database.Database, where: string, params: unknown[], sign: 1 | -1, delta = new SummaryDelta()): SummaryDelta {
  const rows = db.prepare(`SELECT ${SUMMARY_SELECT}, COUNT(*) AS n FROM messages WHERE ${where} GROUP BY ${SUMMARY_SELECT}`).iterate(...params) as Iterable<
    SummaryColumns & { n: number }
  >;
  for (const row of rows) delta.add(row, sign * row.n);
  return delta;
}

/** Refill every summary, the exchange table and the text index from `messages` (a store from an older version). */
export function rebuildSummaries(db: Database.Database, stmts: SummaryStatements): void {
  db.exec(`
    DELETE FROM flow_groups; DELETE FROM flow_latencies; DELETE FROM flow_reached; DELETE FROM version_groups;
    INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');
    INSERT INTO messages_fts (rowid, text) SELECT ${TEXT_ENTRY} * id, ${INDEXED_TEXT} FROM messages;
    UPDATE messages SET late_text = NULL WHERE late_text IS NOT NULL;
    INSERT INTO meta (key, value) VALUES ('${FTS_WATERMARK_KEY}', (SELECT COALESCE(MAX(id), 0) FROM messages))
      ON CONFLICT(key) DO UPDATE SET value = excluded.value;
    DELETE FROM message_exchanges;
    INSERT OR IGNORE INTO message_exchanges SELECT exchange, id FROM messages WHERE true;
    INSERT OR IGNORE INTO message_exchanges SELECT target_exchange, id FROM messages WHERE target_exchange IS NOT NULL;
  `);
  deltaOfRows(db, '1', [], 1).apply(stmts);
}
