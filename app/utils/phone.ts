/**
 * Mainland China phone numbers as people type them — "138 1234 5678", "+86 138-1234-5678",
 * "(0876) 212 3456", "0876-2123456" — to one stored form: a mobile as its 11 digits
 * ("13812345678"), a landline as area code, hyphen, local number ("0876-2123456"). Returns null
 * for anything else.
 */
export function normalizePhone(input: string): string | null {
  let digits = input.trim().replace(/[\s\-().（）]/g, "");
  if (!/^\+?\d+$/.test(digits)) return null;
  digits = digits.replace(/^(\+86|0086)/, "");
  if (/^86(1[3-9]\d{9})$/.test(digits)) digits = digits.slice(2);
  if (/^1[3-9]\d{9}$/.test(digits)) return digits;
  // Area codes: 010 and 02x have three digits with the leading 0, all others four.
  const areaLength = /^0[12]/.test(digits) ? 3 : 4;
  const area = digits.slice(0, areaLength);
  const local = digits.slice(areaLength);
  if (/^0\d+$/.test(area) && /^[2-9]\d{6,7}$/.test(local)) return `${area}-${local}`;
  return null;
}
