import { filterSearchFields, type EnvelopeRecord } from '@osloscope/shared';

/** Joins the fields: a needle (trimmed, typed by a person) never contains it, so no match spans two fields. */
export const SEARCH_SEPARATOR = '\u0001';

/**
 * The lowercased text the filter's `text` field searches, stored per record so SQL can LIKE
 * it (and index it by trigram). The fields are shared's `filterSearchFields`, the very list
 * `matchesFilter` searches, so the two cannot drift apart.
 */
export function searchTextOf(rec: EnvelopeRecord): string {
  return filterSearchFields(rec).join(SEARCH_SEPARATOR).toLowerCase();
}
