/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015.
 * 18 characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V):
 * 1 registration authority, 1 organisation type, 6 region code (GB/T 2260), 9 organisation
 * code, 1 check character = (31 − Σ value×weight mod 31) mod 31.
 */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccProblem = "length" | "charset" | "region" | "check";

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`invalid USCC character ${first17[i]}`);
    sum += v * WEIGHTS[i]!;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Returns the first problem with a code (after trimming and upper-casing), or null if valid. */
export function usccProblem(raw: string): UsccProblem | null {
  const code = normalizeUscc(raw);
  if (code.length !== 18) return "length";
  for (const ch of code) if (!USCC_ALPHABET.includes(ch)) return "charset";
  if (!/^\d{6}$/.test(code.slice(2, 8))) return "region";
  return usccCheckChar(code.slice(0, 17)) === code[17] ? null : "check";
}

export function normalizeUscc(raw: string): string {
  return raw.trim().toUpperCase();
}

export function isValidUscc(raw: string): boolean {
  return usccProblem(raw) === null;
}
