import type { EnvelopeRecord } from '@osloscope/shared';

/** Mirrors shared filter.ts ARGS_TEXT_LIMIT: the text search scans this much of the args JSON. */
const ARGS_TEXT_LIMIT = 4096;
/** Joins the fields: a needle (trimmed, typed by a person) never contains it, so no match spans two fields. */
export const SEARCH_SEPARATOR = '\u0001';

function argsText(args: Record<string, unknown> | null): string {
  if (args === null) return '';
  try {
    return JSON.stringify(args).slice(0, ARGS_TEXT_LIMIT);
  } catch {
    return '';
  }
}

/**
 * The lowercased text the filter's `text` field searches, stored per record so SQL can LIKE
 * it. The list of fields is exactly shared's `matchesFilter` (filter.ts `searchableTexts`);
 * the capture tests compare both over real records.
 */
export function searchTextOf(rec: EnvelopeRecord): string {
  const failure = rec.outcome?.failure ?? rec.reply?.failure ?? null;
  const parts: (string | null | undefined)[] = [
    rec.method,
    rec.routingKey,
    rec.exchange,
    rec.target?.exchange,
    rec.target?.topic,
    rec.target?.server,
    rec.server,
    ...(rec.reached ?? []),
    ...rec.deliveries.map((d) => d.server),
    rec.msgId,
    rec.uniqueId,
    rec.replyQueue,
    failure?.class,
    failure?.message,
    rec.notification?.eventType,
    rec.notification?.publisherId,
    argsText(rec.args),
  ];
  return parts
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join(SEARCH_SEPARATOR)
    .toLowerCase();
}
