/** Printing the bench's figures as aligned tables, and writing them as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Prints rows as a Markdown-style table with aligned columns. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of cells) console.log(line(row));
}

/** A number for a table: fixed digits, "n/a" for null or NaN, "never" for Infinity. */
export function fmt(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (value === Infinity) return 'unreached';
  return value.toFixed(digits);
}

/** JSON with Infinity and NaN written as null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

/** Writes the figures to `file` (folders created); answers the path. */
export function writeJson(file: string, value: unknown): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${toJson(value)}\n`);
  return file;
}
