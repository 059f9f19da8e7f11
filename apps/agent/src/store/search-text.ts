import { argsText, recordSearchFields, type EnvelopeRecord } from '@osloscope/shared';

/** Joins the fields: a needle (trimmed, typed by a person) never contains it, so no match spans two fields. */
export const SEARCH_SEPARATOR = '\u0001';

/**
 * The lowercased text the filter's `text` field searches, stored per record so SQL can LIKE
 * it (and index it by trigram), in two columns: `search_text` (this: shared's
 * `recordSearchFields`, which change as the record does) and `body_text` (`bodySearchTextOf`:
 * its args, written once). Together they are `filterSearchFields`, the very list
 * `matchesFilter` searches, so the two cannot drift apart.
 */
export function searchTextOf(rec: EnvelopeRecord): string {
  return recordSearchFields(rec).join(SEARCH_SEPARATOR).toLowerCase();
}

/** The lowercased args text the `text` filter searches (`''` without args): a record's `body_text`. */
export function bodySearchTextOf(rec: EnvelopeRecord): string {
  return argsText(rec.args).toLowerCase();
}

/**
 * The fields of `after` that `before` lacks (both search texts): what a change of a row made
 * searchable that its text index entry does not hold yet. Removed fields need nothing: the
 * index only proposes candidates, the LIKE recheck against the current text decides.
 */
export function addedSearchFields(before: string, after: string): string[] {
  const known = SEARCH_SEPARATOR + before + SEARCH_SEPARATOR;
  return after.split(SEARCH_SEPARATOR).filter((field) => field !== '' && !known.includes(SEARCH_SEPARATOR + field + SEARCH_SEPARATOR));
}

/** `added` joined to a row's earlier late text (fields indexed after its first entry), each field once. */
export function mergeLateText(late: string | null, added: readonly string[]): string {
  const fields = late === null ? [] : late.split(SEARCH_SEPARATOR);
  for (const f of added) if (!fields.includes(f)) fields.push(f);
  return fields.join(SEARCH_SEPARATOR);
}
