/** The results table `npm run bench` prints: one row per measured figure. */

export interface BenchRow {
  bench: string;
  metric: string;
  value: string;
  target: string;
  /** `null`: informational, no target. */
  met: boolean | null;
}

/** Format a rate like `123,456/s`. */
export function rate(perSec: number): string {
  return `${Math.round(perSec).toLocaleString('en-US')}/s`;
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

export function ratio(value: number): string {
  return value.toFixed(2);
}

/** A fixed-width text table. */
export function renderTable(rows: BenchRow[]): string {
  const header = ['bench', 'metric', 'value', 'target', 'met'];
  const cells = rows.map((r) => [r.bench, r.metric, r.value, r.target, r.met === null ? '' : r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
