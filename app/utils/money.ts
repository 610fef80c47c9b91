/**
 * Money is integer fen (分) inside the system; yuan (元) only at the edges — forms, the import
 * API and display (DESIGN.md). Parsing is exact: at most two decimals, no floating-point drift.
 */
export const CURRENCY = "CNY" as const;

/** Largest amount accepted anywhere: ¥10 billion, well inside Number.MAX_SAFE_INTEGER fen. */
export const MAX_YUAN = 10_000_000_000;

export function yuanToFen(yuan: number | string): number {
  const s = typeof yuan === "number" ? yuan.toFixed(2) : yuan.trim().replace(/[,，\s]/g, "");
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new RangeError(`not an amount in yuan: ${yuan}`);
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

export function fenToYuan(fen: number): number {
  return fen / 100;
}

/** `formatYuan(30000000, "zh-CN")` → "¥300,000" / "30万元" style is left to the UI; this is plain. */
export function formatYuan(fen: number, locale = "zh-CN"): string {
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: CURRENCY,
    minimumFractionDigits: fen % 100 === 0 ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(fen / 100);
}

/** Short Chinese form for cards: 12.5万元, 3,000元. */
export function formatWan(fen: number, locale = "zh-CN"): string {
  const yuan = fen / 100;
  if (locale.startsWith("zh") && yuan >= 10_000) {
    return `${new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 }).format(yuan / 10_000)}万元`;
  }
  return formatYuan(fen, locale);
}
