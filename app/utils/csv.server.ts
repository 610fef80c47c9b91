import { stringify } from "csv-stringify/sync";

/**
 * CSV for downloads that people open in Excel: UTF-8 with a byte-order mark (without it Excel
 * reads Chinese as mojibake), CRLF line ends, and no formula injection — a cell that starts with
 * = + - @ tab or CR gets a leading apostrophe, so a spreadsheet shows it as text instead of
 * running it (csv-stringify's `escape_formulas`, which also knows the full-width forms).
 */
export function csvText(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify([header, ...rows], { bom: true, escape_formulas: true, record_delimiter: "windows" });
}

/** A download's Content-Disposition with a Chinese file name (RFC 6266 / 5987) and an ASCII fallback. */
export function csvDisposition(asciiName: string, name: string): string {
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
