import type { EnvelopeFilter } from '@osloscope/shared';

/** A WHERE clause with positional parameters. */
export interface SqlWhere {
  sql: string;
  params: unknown[];
}

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
 * The SQL form of an EnvelopeFilter, over the columns `columnsOf` fills (see columns.ts for
 * how each column mirrors the shared matcher). Set fields are ANDed; an empty filter is `1`.
 */
export function filterToSql(filter: EnvelopeFilter, extra: SqlWhere[] = []): SqlWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.exchange !== undefined) {
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
  const needle = filter.text?.trim() ?? '';
  if (needle !== '') {
    clauses.push("search_text LIKE ? ESCAPE '\\'");
    params.push(likeSubstring(needle));
  }
  for (const e of extra) {
    clauses.push(`(${e.sql})`);
    params.push(...e.params);
  }
  return { sql: clauses.length ? clauses.join(' AND ') : '1', params };
}
