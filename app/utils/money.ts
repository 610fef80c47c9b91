/**
 * Money, once. Amounts are integer fen (分) inside the system, with a currency (CNY); yuan (元)
 * appear only at the edges — forms, the import API and display (docs/domain.md). Every fen↔yuan
 * conversion and every format lives here. Parsing is exact: at most two decimals, no
 * floating-point drift. Pure and browser-safe.
 */
export const CURRENCY = "CNY" as const;

/** Largest amount accepted anywhere: ¥10 billion, well inside Number.MAX_SAFE_INTEGER fen. */
export const MAX_YUAN = 10_000_000_000;
/** The same limit in fen. */
export const MAX_FEN = MAX_YUAN * 100;

/** Fen per yuan, per 万 (10⁴ yuan) and per 亿 (10⁸ yuan), as powers of ten. */
const UNIT_DIGITS: Record<string, number> = { "": 2, 万: 6, 萬: 6, 亿: 10, 億: 10 };

/**
 * Yuan (a number, or text as typed: "1,234.5", "３００", "¥300", "5万", "1.5万元", "2亿") → fen.
 * Text is a number, optionally followed by 万 or 亿 (and 元); after scaling it may have at most
 * two decimals of yuan ("1.2345678万" is refused). Exact: the digits are shifted as text, never
 * multiplied as floating point. Throws RangeError for anything that is not an amount.
 */
export function yuanToFen(yuan: number | string): number {
  const s =
    typeof yuan === "number"
      ? yuan.toFixed(2)
      : yuan
          .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
          .replace(/．/g, ".")
          .replace(/[,，\s\u3000]/g, "")
          .replace(/^[¥￥]/, "")
          .replace(/元$/, "");
  const m = /^(\d+)(?:\.(\d+))?([万萬亿億]?)$/.exec(s);
  const digits = m ? UNIT_DIGITS[m[3]!]! : 0;
  const decimals = m?.[2] ?? "";
  if (!m || decimals.length > digits) throw new RangeError(`not an amount in yuan: ${yuan}`);
  return Number(m[1]! + decimals.padEnd(digits, "0"));
}

/** Fen → yuan as a number with at most two decimals (the API's unit). */
export function fenToYuan(fen: number): number {
  return Math.round(fen) / 100;
}

/** Like fenToYuan, with nothing staying nothing (optional prices and budgets). */
export function fenToYuanOrNull(fen: number | null | undefined): number | null {
  return typeof fen === "number" ? fenToYuan(fen) : null;
}

/** Fen → the yuan text a person types in a form field: 38000050 → "380000.50", 15000000 → "150000", nothing → "". */
export function fenToYuanText(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return "";
  const whole = Math.floor(fen / 100);
  const cents = fen % 100;
  return cents === 0 ? String(whole) : `${whole}.${String(cents).padStart(2, "0")}`;
}

/** `formatYuan(30000050)` → "¥300,000.50"; whole yuan without decimals. */
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
