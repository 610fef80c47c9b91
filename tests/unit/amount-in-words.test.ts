import { describe, expect, it } from "vitest";
import { amountInWords } from "~/utils/amount-in-words.ts";

/** 大写金额 for the registration certificate (issue 15, point 3): exact to the fen. */
describe("amountInWords", () => {
  it.each([
    [0, "零元整"],
    [1, "壹分"],
    [10, "壹角"],
    [56, "伍角陆分"],
    [100, "壹元整"],
    [1_200, "壹拾贰元整"],
    [30_056, "叁佰元伍角陆分"],
    [32_504, "叁佰贰拾伍元零肆分"],
    [100_100, "壹仟零壹元整"],
    [140_950, "壹仟肆佰零玖元伍角"],
    [12_000_000, "壹拾贰万元整"],
    [10_000_050, "壹拾万元伍角"], // ¥100,000.50
    [123_456_789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"], // ¥1,234,567.89
    [500_000_000, "伍佰万元整"], // ¥5,000,000
    [1_000_000_001, "壹仟万元零壹分"],
    [10_070_000, "壹拾万零柒佰元整"],
    [10_000_000_000, "壹亿元整"],
    [10_000_010_000, "壹亿零壹佰元整"],
    [10_001_000_000, "壹亿零壹万元整"],
    [10_010_000_000, "壹亿零壹拾万元整"],
    [1_000_000_000_000, "壹佰亿元整"], // MAX_FEN
  ])("%i fen → %s", (fen, words) => {
    expect(amountInWords(fen)).toBe(words);
  });

  it("refuses what is not a whole number of fen", () => {
    expect(() => amountInWords(-1)).toThrow(RangeError);
    expect(() => amountInWords(1.5)).toThrow(RangeError);
    expect(() => amountInWords(Number.NaN)).toThrow(RangeError);
  });
});
