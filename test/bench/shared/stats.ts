/** Summaries and tables for the benchmark reports. */

/** The median, quartiles and range of a sample. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
}

/** The `q` quantile by linear interpolation between the closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const low = Math.floor(pos);
  const high = Math.ceil(pos);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (pos - low);
}

/** Median, quartiles and range; NaN everywhere for an empty sample. */
export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** A number with `digits` decimals, `-` for NaN. */
export function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** `a/b` as `1.23x`, `-` when either is missing. */
export function ratio(a: number, b: number, digits = 2): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '-';
  return `${(a / b).toFixed(digits)}x`;
}

/** `p25–p75` of a summary. */
export function iqr(s: Summary, digits = 1): string {
  return `${fmt(s.p25, digits)}–${fmt(s.p75, digits)}`;
}

/** `min–max` of a summary. */
export function range(s: Summary, digits = 1): string {
  return `${fmt(s.min, digits)}–${fmt(s.max, digits)}`;
}

/** Prints rows as a table: the first `left` columns left-aligned, the others right-aligned. */
export function printTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  left = 1,
) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i < left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Prints a section header: what is measured and against what. */
export function printHeader(title: string, lines: readonly string[]) {
  console.log('');
  console.log(`== ${title} ${'='.repeat(Math.max(0, 96 - title.length))}`);
  for (const line of lines) console.log(line);
  console.log('');
}
