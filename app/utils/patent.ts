/**
 * Chinese patent numbers (专利号) as docs/domain.md (What is offered and what is needed) describes them: `ZL` + application number + `.` +
 * check character. Since 2003 the application number has 12 digits: 4 year, 1 type (1 invention,
 * 2 utility model, 3 design, 8/9 PCT entering China), 7 serial. Older numbers have 8 digits
 * (2 year, 1 type, 5 serial). Check = Σ digit × weight mod 11 with weights 2,3,4,5,6,7,8,9,2,3,4,5
 * (cycling), 10 written X.
 */
const WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

export type PatentProblem = "format" | "type" | "check";

export function patentCheckChar(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * WEIGHTS[i % WEIGHTS.length]!;
  const r = sum % 11;
  return r === 10 ? "X" : String(r);
}

/** `zl 2019 1012 3456.7` → `ZL201910123456.7`; accepts a missing `ZL` and full-width dots. */
export function normalizePatentNumber(raw: string): string {
  let s = raw
    .trim()
    .toUpperCase()
    .replace(/[\s\u3000]/g, "")
    .replace(/[。．]/g, ".");
  if (!s.startsWith("ZL")) s = `ZL${s}`;
  return s;
}

export function patentProblem(raw: string): PatentProblem | null {
  const s = normalizePatentNumber(raw);
  const m = /^ZL(\d{12}|\d{8})\.([\dX])$/.exec(s);
  if (!m) return "format";
  const digits = m[1]!;
  const type = digits.length === 12 ? digits[4]! : digits[2]!;
  if (!["1", "2", "3", "8", "9"].includes(type)) return "type";
  return patentCheckChar(digits) === m[2] ? null : "check";
}

/** The patent kind the number encodes, for consistency checks against the listing's IP type. */
export function patentKind(raw: string): "invention-patent" | "utility-model" | "design-patent" | "pct" | null {
  if (patentProblem(raw)) return null;
  const digits = normalizePatentNumber(raw).slice(2).split(".")[0]!;
  const type = digits.length === 12 ? digits[4] : digits[2];
  return type === "1" ? "invention-patent" : type === "2" ? "utility-model" : type === "3" ? "design-patent" : "pct";
}
