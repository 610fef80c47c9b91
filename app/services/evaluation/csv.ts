import { stringify } from "csv-stringify/sync";

/**
 * CSV that Excel opens in Chinese and that cannot inject formulas: UTF-8 with a byte-order mark,
 * CRLF lines, and every text cell that a spreadsheet would read as a formula (starting with = + -
 * @, a tab or a carriage return) prefixed with an apostrophe (OWASP's advice on CSV injection).
 * Numbers stay numbers.
 */
export const BOM = "\uFEFF";

export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const safe = rows.map((r) => r.map((c) => (typeof c === "number" ? c : neutralise(c ?? ""))));
  return BOM + stringify(safe, { record_delimiter: "windows" });
}
