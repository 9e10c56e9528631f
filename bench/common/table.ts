/** Plain-text tables for benchmark output. */
import { log } from "./progress.js";

/** A cell: text as is, numbers formatted by the caller; null prints as "-". */
export type Cell = string | number | null;

/** Formats `x` with `digits` decimals and thousands separators ("12,345.6"); "-" for NaN/null. */
export function fmt(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints a table with a header row; numeric-looking cells are right-aligned. */
export function printTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const text = rows.map((r) => r.map((c) => (c === null ? "-" : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const numeric = /^[-+]?[\d,.]+x?$|^-$/;
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (numeric.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  log(line(headers));
  log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of text) log(line(r));
}
