import type { EnvelopeFilter } from '@osloscope/shared';
import { TEXT_ENTRY } from './summaries.js';

/**
 * A WHERE clause with positional parameters, and the FROM it needs. `from` is `messages`, or
 * an index of one filter field joined to it (the "driver"): the driver is walked newest first
 * by `order`, so a page stops after `limit` matches, and a rare value is found without testing
 * every row.
 */
export interface SqlWhere {
  sql: string;
  params: unknown[];
  /** Default `messages`. */
  from?: string;
  /** Parameters of `from` (the driver's key), bound before `params`. */
  fromParams?: unknown[];
  /** The message id column to order by, from the driver (default `messages.id`). */
  order?: string;
  /** A lower cap for counting matches than the caller's (see store `countUpTo`). */
  countCap?: number;
  /**
   * The driver can yield a message twice, side by side in `order` (the text index: its entry
   * and its late entry both match): readers drop the repeat. Never set on a filter built
   * `asSet` (grouped aggregates).
   */
  repeats?: boolean;
}

/**
 * Text matches are counted to this many: each candidate from the trigram index is rechecked
 * with LIKE against its stored row (~10 µs a row at scale), so 10,000 would cost ~100 ms.
 */
export const TEXT_COUNT_CAP = 1_000;

/** Driver of a text search: the trigram index (store-summaries.ts, TEXT_ENTRY) joined to its messages. */
const TEXT_DRIVER = {
  from: `messages_fts JOIN messages ON messages.id = messages_fts.rowid / ${TEXT_ENTRY} AND messages_fts MATCH ?`,
  order: 'messages_fts.rowid',
};
/** The text index's candidates as a set of message ids, for reading every match once (aggregates). */
const TEXT_ID_SET = `messages.id IN (SELECT rowid / ${TEXT_ENTRY} FROM messages_fts WHERE messages_fts MATCH ?)`;
/** Driver of an exchange filter: the (exchange, id) keys of both exchanges of each message. */
const EXCHANGE_DRIVER = {
  from: 'message_exchanges JOIN messages ON messages.id = message_exchanges.message_id AND message_exchanges.name = ?',
  order: 'message_exchanges.message_id',
};

/** Filter fields compared by equality, and the column holding the value the shared matcher compares. */
const EQUALITY_COLUMNS = {
  topic: 'topic',
  method: 'method',
  version: 'version',
  kind: 'kind',
  outcome: 'outcome',
  signature: 'signature_status',
} as const satisfies Partial<Record<keyof EnvelopeFilter, string>>;

/** `LIKE` pattern for a substring, with `%`, `_` and the escape char itself escaped. */
export function likeSubstring(text: string): string {
  return '%' + text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/**
 * The FTS5 query for a substring: every distinct trigram of the needle, ANDed. The index keeps
 * no positions (`detail=none`: it costs the write path about half as much), so it cannot match
 * the trigrams in order; it narrows to rows holding all of them and the LIKE recheck keeps the
 * exact substring meaning. `null` when the needle is shorter than a trigram.
 */
export function trigramQuery(needle: string): string | null {
  const chars = [...needle.toLowerCase()];
  if (chars.length < 3) return null;
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) trigrams.add(chars.slice(i, i + 3).join(''));
  return [...trigrams].map((t) => '"' + t.replace(/"/g, '""') + '"').join(' AND ');
}

/** All the FROM parameters, then all the WHERE parameters: the order they appear in the SQL. */
export function boundParams(where: SqlWhere): unknown[] {
  return where.fromParams ? [...where.fromParams, ...where.params] : where.params;
}

/**
 * The SQL form of an EnvelopeFilter, over the columns `columnsOf` fills (see columns.ts for
 * how each column mirrors the shared matcher). Set fields are ANDed; an empty filter is `1`.
 * @param opts.asSet every match once, in no particular order (GROUP BY and other reads of all
 *   matches): the text index is a set of ids rather than a driver that may repeat one.
 */
export function filterToSql(filter: EnvelopeFilter, extra: SqlWhere[] = [], opts: { asSet?: boolean } = {}): SqlWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  let driver: { from: string; order: string; key: unknown; countCap?: number } | null = null;
  const needle = filter.text?.trim() ?? '';
  const phrase = needle === '' ? null : trigramQuery(needle);
  // One driver per query: text first (the rarest matches as a rule), then exchange.
  if (phrase !== null && !opts.asSet) driver = { ...TEXT_DRIVER, key: phrase, countCap: TEXT_COUNT_CAP };
  else if (filter.exchange !== undefined) driver = { ...EXCHANGE_DRIVER, key: filter.exchange };
  if (phrase !== null && opts.asSet) {
    clauses.push(TEXT_ID_SET);
    params.push(phrase);
  }
  if (filter.exchange !== undefined && driver?.from !== EXCHANGE_DRIVER.from) {
    clauses.push('(exchange = ? OR target_exchange = ?)');
    params.push(filter.exchange, filter.exchange);
  }
  if (filter.server !== undefined) {
    // EXISTS probes the (server, id) key per row, so a newest-first page stops early.
    clauses.push('EXISTS (SELECT 1 FROM message_servers s WHERE s.server = ? AND s.id = messages.id)');
    params.push(filter.server);
  }
  if (filter.namespace !== undefined) {
    // shared matcher: '' and 'default' mean the default (null) namespace, stored as ''.
    clauses.push('namespace = ?');
    params.push(filter.namespace === 'default' ? '' : filter.namespace);
  }
  for (const [field, column] of Object.entries(EQUALITY_COLUMNS) as [keyof typeof EQUALITY_COLUMNS, string][]) {
    const value = filter[field];
    if (value === undefined) continue;
    clauses.push(`${column} = ?`);
    params.push(value);
  }
  if (needle !== '') {
    // The trigram index narrows to candidates (needles of 3+ characters); LIKE keeps the
    // matcher's exact meaning (the index folds case by its own Unicode rules).
    // A record's text is in two columns (search-text.ts): the fields that change, and its args.
    clauses.push("(search_text LIKE ? ESCAPE '\\' OR body_text LIKE ? ESCAPE '\\')");
    params.push(likeSubstring(needle), likeSubstring(needle));
  }
  for (const e of extra) {
    clauses.push(`(${e.sql})`);
    params.push(...e.params);
  }
  const sql = clauses.length ? clauses.join(' AND ') : '1';
  if (!driver) return { sql, params };
  const where: SqlWhere = { sql, params, from: driver.from, fromParams: [driver.key], order: driver.order };
  if (driver.countCap !== undefined) where.countCap = driver.countCap;
  if (driver.from === TEXT_DRIVER.from) where.repeats = true;
  return where;
}
