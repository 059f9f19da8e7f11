/**
 * Summary tables the store keeps up to date at write time, so the unfiltered flow and version
 * views and the free-text index never scan every message. SQLite triggers maintain them from
 * each row's OLD and NEW values inside the writer's transaction: an update moves a row from
 * its old group to its new one, and eviction (DELETE) takes it out again, so counts stay exact.
 */

/** Bump when the summary schema changes: an older store is rebuilt from `messages` on open. */
export const SUMMARY_VERSION = 3;

/**
 * `meta` key: every message with an id up to this one is in `messages_fts`. New rows are
 * indexed per written batch by one `INSERT … SELECT` over the id range (see CaptureStore
 * `writeBatch`): a per-row trigger cost the write path about twice as much.
 */
export const FTS_WATERMARK_KEY = 'ftsIndexedUpTo';

/** Triggers whose definition changed between summary versions: dropped before SUMMARY_SCHEMA recreates them. */
export const DROP_SUMMARY_TRIGGERS = `
DROP TRIGGER IF EXISTS messages_summary_insert;
DROP TRIGGER IF EXISTS messages_fts_update;
`;

/** The group key of a flow facet (the GROUP BY of the scan in aggregates.ts), for row `p`. */
const flowGroupKey = (p: string) =>
  `json_array(${p}.flow_key, ${p}.kind, ${p}.outcome, ${p}.failure_class, ${p}.client_key, ${p}.server, ${p}.signature_status = 'failed')`;

/** The group key of a version facet, for row `p`. */
const versionGroupKey = (p: string) =>
  `json_array(COALESCE(${p}.target_exchange, ${p}.exchange), ${p}.topic, ${p}.namespace, ${p}.version, ${p}.method, ${p}.kind, ${p}.outcome, ${p}.failure_class, ${p}.server, ${p}.client_key)`;

/** Statements adding row `p` (NEW or a `messages` alias) to every summary. */
function addRow(p: string): string {
  return `
  INSERT INTO flow_groups SELECT ${flowGroupKey(p)}, ${p}.flow_key, ${p}.kind, ${p}.outcome, ${p}.failure_class, ${p}.client_key, ${p}.server, ${p}.signature_status = 'failed', 1
    WHERE ${p}.flow_key IS NOT NULL
    ON CONFLICT(group_key) DO UPDATE SET n = n + 1;
  INSERT INTO flow_latencies SELECT ${p}.flow_key, ${p}.latency_ms, 1
    WHERE ${p}.flow_key IS NOT NULL AND ${p}.kind = 'call' AND ${p}.latency_ms IS NOT NULL
    ON CONFLICT(flow_key, latency_ms) DO UPDATE SET n = n + 1;
  INSERT INTO flow_reached SELECT DISTINCT ${p}.flow_key, j.value, 1 FROM json_each(${p}.reached) j
    WHERE ${p}.flow_key IS NOT NULL
    ON CONFLICT(flow_key, server) DO UPDATE SET n = n + 1;
  INSERT INTO version_groups SELECT ${versionGroupKey(p)}, COALESCE(${p}.target_exchange, ${p}.exchange), ${p}.topic, ${p}.namespace, ${p}.version, ${p}.method, ${p}.kind, ${p}.outcome, ${p}.failure_class, ${p}.server, ${p}.client_key, 1
    WHERE ${p}.kind IN ('call', 'cast') AND ${p}.topic IS NOT NULL
    ON CONFLICT(group_key) DO UPDATE SET n = n + 1;`;
}

/** Statements taking OLD out of every summary (a group whose count reaches 0 disappears). */
const REMOVE_OLD = `
  UPDATE flow_groups SET n = n - 1 WHERE OLD.flow_key IS NOT NULL AND group_key = ${flowGroupKey('OLD')};
  UPDATE flow_latencies SET n = n - 1 WHERE OLD.kind = 'call' AND flow_key = OLD.flow_key AND latency_ms = OLD.latency_ms;
  UPDATE flow_reached SET n = n - 1 WHERE flow_key = OLD.flow_key AND server IN (SELECT value FROM json_each(OLD.reached));
  UPDATE version_groups SET n = n - 1 WHERE OLD.kind IN ('call', 'cast') AND OLD.topic IS NOT NULL AND group_key = ${versionGroupKey('OLD')};
  DELETE FROM flow_groups WHERE n <= 0 AND OLD.flow_key IS NOT NULL AND group_key = ${flowGroupKey('OLD')};
  DELETE FROM flow_latencies WHERE n <= 0 AND flow_key = OLD.flow_key AND latency_ms = OLD.latency_ms;
  DELETE FROM flow_reached WHERE n <= 0 AND flow_key = OLD.flow_key;
  DELETE FROM version_groups WHERE n <= 0 AND OLD.kind IN ('call', 'cast') AND OLD.topic IS NOT NULL AND group_key = ${versionGroupKey('OLD')};`;

/**
 * Tables, index and triggers. `messages_fts` is a contentless trigram index of `search_text`
 * (rowid = message id): it stores no second copy of the text, only the trigrams. It is filled
 * per batch by the store, not by the insert trigger (FTS_WATERMARK_KEY).
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
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1);

CREATE TRIGGER IF NOT EXISTS messages_summary_insert AFTER INSERT ON messages BEGIN
  ${addRow('NEW')}
  INSERT OR IGNORE INTO message_exchanges SELECT NEW.exchange, NEW.id WHERE true;
  INSERT OR IGNORE INTO message_exchanges SELECT NEW.target_exchange, NEW.id WHERE NEW.target_exchange IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS messages_exchanges_update AFTER UPDATE OF exchange, target_exchange ON messages
  WHEN OLD.exchange IS NOT NEW.exchange OR OLD.target_exchange IS NOT NEW.target_exchange BEGIN
  DELETE FROM message_exchanges WHERE name = OLD.exchange AND message_id = OLD.id;
  DELETE FROM message_exchanges WHERE name = OLD.target_exchange AND message_id = OLD.id;
  INSERT OR IGNORE INTO message_exchanges SELECT NEW.exchange, NEW.id WHERE true;
  INSERT OR IGNORE INTO message_exchanges SELECT NEW.target_exchange, NEW.id WHERE NEW.target_exchange IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS messages_summary_update AFTER UPDATE ON messages BEGIN
  ${REMOVE_OLD}
  ${addRow('NEW')}
END;
-- Only rows already indexed: a newer row is indexed with its final text when its batch is written.
CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF search_text ON messages
  WHEN OLD.search_text IS NOT NEW.search_text AND OLD.id <= (SELECT value FROM meta WHERE key = '${FTS_WATERMARK_KEY}') BEGIN
  DELETE FROM messages_fts WHERE rowid = OLD.id;
  INSERT INTO messages_fts (rowid, text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER IF NOT EXISTS messages_summary_delete AFTER DELETE ON messages BEGIN
  ${REMOVE_OLD}
  DELETE FROM messages_fts WHERE rowid = OLD.id;
  DELETE FROM message_exchanges WHERE name = OLD.exchange AND message_id = OLD.id;
  DELETE FROM message_exchanges WHERE name = OLD.target_exchange AND message_id = OLD.id;
END;
`;

/** Refill every summary from `messages` (a store written before the summaries existed). */
export const REBUILD_SUMMARIES = `
DELETE FROM flow_groups; DELETE FROM flow_latencies; DELETE FROM flow_reached; DELETE FROM version_groups;
INSERT INTO messages_fts (messages_fts) VALUES ('delete-all');
INSERT INTO flow_groups SELECT ${flowGroupKey('m')}, m.flow_key, m.kind, m.outcome, m.failure_class, m.client_key, m.server, m.signature_status = 'failed', COUNT(*)
  FROM messages m WHERE m.flow_key IS NOT NULL GROUP BY 1;
INSERT INTO flow_latencies SELECT m.flow_key, m.latency_ms, COUNT(*)
  FROM messages m WHERE m.flow_key IS NOT NULL AND m.kind = 'call' AND m.latency_ms IS NOT NULL GROUP BY 1, 2;
INSERT INTO flow_reached SELECT m.flow_key, j.value, COUNT(DISTINCT m.id)
  FROM messages m, json_each(m.reached) j WHERE m.flow_key IS NOT NULL GROUP BY 1, 2;
INSERT INTO version_groups SELECT ${versionGroupKey('m')}, COALESCE(m.target_exchange, m.exchange), m.topic, m.namespace, m.version, m.method, m.kind, m.outcome, m.failure_class, m.server, m.client_key, COUNT(*)
  FROM messages m WHERE m.kind IN ('call', 'cast') AND m.topic IS NOT NULL GROUP BY 1;
INSERT INTO messages_fts (rowid, text) SELECT id, search_text FROM messages;
INSERT INTO meta (key, value) VALUES ('${FTS_WATERMARK_KEY}', (SELECT COALESCE(MAX(id), 0) FROM messages))
  ON CONFLICT(key) DO UPDATE SET value = excluded.value;
DELETE FROM message_exchanges;
INSERT OR IGNORE INTO message_exchanges SELECT exchange, id FROM messages WHERE true;
INSERT OR IGNORE INTO message_exchanges SELECT target_exchange, id FROM messages WHERE target_exchange IS NOT NULL;
`;
