/**
 * An amount in Chinese capital numerals (大写金额), as written on certificates, invoices and
 * cheques: 12000000 fen → "壹拾贰万元整", 30056 → "叁佰元伍角陆分", 32504 → "叁佰贰拾伍元零肆分".
 * Exact to the fen (integer input, no floating point). Written the way the People's Bank's
 * 《支付结算办法》 asks: 整 after 元 when there are no 角 and 分; 壹 before a leading 拾
 * (壹拾万, never 拾万); one 零 for a run of zeros inside the number (壹仟零壹元), none for zeros
 * at a section's end (壹拾万元); between 元 and 角 a zero unit digit writes no 零 (the rule allows
 * either), and a zero 角 before a 分 writes 零 (…元零肆分). Pure and browser-safe.
 */
const DIGITS = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"] as const;
const PLACES = ["", "拾", "佰", "仟"] as const;
const SECTIONS = ["", "万", "亿", "万亿"] as const;

/** A whole number of yuan (≥ 1) in capitals, without 元. */
function integerWords(n: number): string {
  const sections: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 10_000)) sections.push(rest % 10_000);
  if (sections.length > SECTIONS.length) throw new RangeError(`amount too large for 大写: ${n}`);
  let out = "";
  let zero = false; // a zero was skipped since the last digit written: write 零 before the next one
  for (let s = sections.length - 1; s >= 0; s--) {
    const section = sections[s]!;
    if (section === 0) {
      if (out) zero = true;
      continue;
    }
    for (let p = 3; p >= 0; p--) {
      const d = Math.floor(section / 10 ** p) % 10;
      if (d === 0) {
        if (out) zero = true;
        continue;
      }
      if (zero) out += "零";
      zero = false;
      out += DIGITS[d]! + PLACES[p]!;
    }
    out += SECTIONS[s]!;
  }
  return out;
}

export function amountInWords(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen}`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  if (jiao === 0 && cents === 0) return `${yuan === 0 ? "零" : integerWords(yuan)}元整`;
  const jiaoPart = jiao ? `${DIGITS[jiao]}角` : "";
  const centsPart = cents ? `${DIGITS[cents]}分` : "";
  if (yuan === 0) return jiaoPart + centsPart;
  return `${integerWords(yuan)}元${jiao ? jiaoPart : "零"}${centsPart}`;
}
