/** Display formatting shared by the features. */

/** `HH:MM:SS.mmm` local time. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms == null) return '';
  if (ms < 1) return '<1 ms';
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A total the agent counted up to a cap: `capped` means `total` is a lower bound, so it is
 * shown as "10,000+" rather than as an exact figure (docs/http-api.md).
 */
export function formatTotal(total: number, capped: boolean | undefined): string {
  return `${formatCount(total)}${capped ? '+' : ''}`;
}
