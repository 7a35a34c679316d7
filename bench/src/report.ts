/**
 * Printing and recording benchmark results. Numbers are printed and written to
 * bench-output/results.json for comparison over time; nothing here asserts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench-output/ at the repository root (git-ignored). */
export const OUTPUT_DIR = fileURLToPath(new URL('../../bench-output/', import.meta.url));
export const RESULTS_FILE = `${OUTPUT_DIR}results.json`;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Peak resident set size of this process so far, in MiB (Linux reports maxRSS in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function formatNumber(value: number | undefined, fractionDigits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
}

export function ratioText(ratio: number | undefined): string {
  return ratio === undefined ? '—' : `${formatNumber(ratio, 2)}×`;
}

/** Whether a target was met: yes, NO, or ? when it could not be judged. */
export function metText(met: boolean | undefined): string {
  return met === undefined ? '?' : met ? 'yes' : 'NO';
}

export type ColumnAlign = 'left' | 'right';

/**
 * A fixed-width text table. By default the first column (labels) is left
 * aligned and the others (numbers) right aligned.
 */
export function formatTable(
  title: string,
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align: readonly ColumnAlign[] = header.map((_, column) => (column === 0 ? 'left' : 'right')),
): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (align[column] === 'left' ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [title, line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * Merges one benchmark's results into results.json under its name, so a
 * benchmark run alone does not wipe the others' last results.
 */
export function recordResults(name: string, results: unknown): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) all = parsed as Record<string, unknown>;
  } catch {
    // No previous results (or an unreadable file): start afresh.
  }
  all[name] = { recordedAt: new Date().toISOString(), node: process.version, ...asRecord(results) };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}
