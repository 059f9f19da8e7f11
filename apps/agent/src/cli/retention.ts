/**
 * `--retention <spec>`: how much capture the store keeps. A spec is one or two
 * comma-separated limits: a message count (`1000000`, `500k`, `2M`) and/or a size with a
 * byte unit (`2GB`, `512MiB`). A limit that is left out keeps its default.
 */

export interface RetentionLimits {
  /** Oldest messages are evicted beyond this many. */
  maxMessages: number;
  /** ... or beyond this many stored bytes. */
  maxBytes: number;
}

export const DEFAULT_RETENTION: RetentionLimits = { maxMessages: 1_000_000, maxBytes: 2 * 1024 ** 3 };
export const DEFAULT_RETENTION_SPEC = '1000000,2GB';

const COUNT_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6 };
// Decimal and binary units both mean powers of 1024 for "GB": what operators expect of disk sizes.
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const PART = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Parse a retention spec; returns an error message instead of throwing. */
export function parseRetention(spec: string): { ok: true; value: RetentionLimits } | { ok: false; error: string } {
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.length > 2 || parts.some((p) => p === '')) {
    return { ok: false, error: `retention "${spec}": expected "<messages>", "<size>" or "<messages>,<size>" (e.g. 1000000,2GB)` };
  }
  const value: RetentionLimits = { ...DEFAULT_RETENTION };
  const seen = new Set<'count' | 'bytes'>();
  for (const part of parts) {
    const m = PART.exec(part);
    const unit = m?.[2]?.toLowerCase() ?? '';
    const amount = Number(m?.[1]);
    const countFactor = COUNT_UNITS[unit];
    const byteFactor = BYTE_UNITS[unit];
    const kind = countFactor !== undefined ? 'count' : byteFactor !== undefined ? 'bytes' : null;
    if (!m || kind === null || !Number.isFinite(amount)) {
      return { ok: false, error: `retention "${part}": not a message count (e.g. 1000000, 500k) or size (e.g. 2GB, 512MB)` };
    }
    if (seen.has(kind)) return { ok: false, error: `retention "${spec}": two ${kind === 'count' ? 'message counts' : 'sizes'}` };
    seen.add(kind);
    const total = Math.floor(amount * (countFactor ?? byteFactor ?? 1));
    if (total < 1) return { ok: false, error: `retention "${part}": must be at least 1` };
    if (kind === 'count') value.maxMessages = total;
    else value.maxBytes = total;
  }
  return { ok: true, value };
}
