/**
 * HTTP query strings → filter and page. The filter uses shared's URL (de)serialisation so
 * links from the web app and API calls mean the same thing; whatever it cannot accept
 * becomes a 400 with a message naming the parameter.
 */
import { ENVELOPE_KINDS, OUTCOME_STATUSES, SIGNATURE_STATUSES, filterFromSearchParams, type EnvelopeFilter } from '@osloscope/shared';
import type { PageRequest } from '../ports/capture-service.js';

export const MAX_PAGE_LIMIT = 1000;
export const DEFAULT_PAGE_LIMIT = 100;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** The query string of a request URL (`/api/x?a=1` → `a=1`). */
export function searchParamsOf(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

// shared's parser ignores values it does not know; the API says so instead (400).
const ENUM_FIELDS: Record<string, readonly string[]> = {
  kind: ENVELOPE_KINDS,
  outcome: OUTCOME_STATUSES,
  signature: SIGNATURE_STATUSES,
};

/** The filter fields of a query string. */
export function parseFilterQuery(params: URLSearchParams): Parsed<EnvelopeFilter> {
  for (const [field, allowed] of Object.entries(ENUM_FIELDS)) {
    for (const value of params.getAll(field)) {
      if (value !== '' && !allowed.includes(value)) {
        return { ok: false, error: `"${field}" must be one of ${allowed.join(', ')}, got "${value}"` };
      }
    }
  }
  return { ok: true, value: filterFromSearchParams(params) };
}

function positiveInt(params: URLSearchParams, name: string, max: number): Parsed<number | undefined> {
  const values = params.getAll(name);
  if (values.length === 0) return { ok: true, value: undefined };
  const text = values[0] ?? '';
  if (values.length > 1) return { ok: false, error: `"${name}" given more than once` };
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    return { ok: false, error: `"${name}" must be an integer from 1 to ${max}, got "${text}"` };
  }
  return { ok: true, value: Number(text) };
}

/** `limit` (1..1000, default 100), `before` and `after` (record ids). */
export function parsePageQuery(params: URLSearchParams): Parsed<PageRequest> {
  const limit = positiveInt(params, 'limit', MAX_PAGE_LIMIT);
  if (!limit.ok) return limit;
  const before = positiveInt(params, 'before', Number.MAX_SAFE_INTEGER);
  if (!before.ok) return before;
  const after = positiveInt(params, 'after', Number.MAX_SAFE_INTEGER);
  if (!after.ok) return after;
  const page: PageRequest = { limit: limit.value ?? DEFAULT_PAGE_LIMIT };
  if (before.value !== undefined) page.before = before.value;
  if (after.value !== undefined) page.after = after.value;
  return { ok: true, value: page };
}

/** A record id from a path parameter. */
export function parseRecordId(text: string): Parsed<number> {
  return /^\d+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text))
    ? { ok: true, value: Number(text) }
    : { ok: false, error: `envelope id must be a positive integer, got "${text}"` };
}
